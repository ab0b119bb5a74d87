"""Per-node checks: is each node's value and adjoint one a correct float64 engine could produce?

Each check is local. A node's value is compared with its op evaluated exactly
at the engine's own operands; a node's adjoint with the sum over its uses of
(the consumer's engine adjoint) x (the exact local partial at the engine's
operands). The allowance is the rounding a correct implementation may do:
a few ulps per operation, plus the partial's change when its operands (or,
for unary ops, its output: ``1 - out**2``) move by a few ulps. Because each
check uses the engine's own neighbours, one wrong rule shows up exactly at
the operands of the node that applied it: that node is the blamed op.

The checks run in float64 with our own rounding added to the allowance (an
allowance of 8 ulps leaves room for it), so a graph of 100,000 nodes is
checked in seconds. The same sweep yields, for the end-to-end check, the
adjoints a correct engine computes at the engine's forward values
(``ideal``) and how far rounding may move a correct engine (``spread``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath  # type: ignore[import-untyped]

from ..oracle.exact import Node
from ..oracle.ns import MPMATH as _MP
from ..oracle.partials import Undefined, real
from ..oracle.span import Span
from ..program import Program
from ..report import Fault
from .blame import blame, operand_floats, written

ULPS = 8.0
"""Rounding allowed per operation, in ulps: covers libm error and equivalent formulas."""
U = 2.0**-53
TINY = 8 * 5e-324
DPS = 30
MAX_FAULTS = 50
IMPRECISE = 1e-6
"""A forward value this close to exact, though beyond rounding, comes from a formula that loses
digits (tanh as (exp(2x)-1)/(exp(2x)+1) near 0, as micrograd's lecture writes it): a note, not a
wrong op. Gradients are still held to rounding."""

Pair = tuple[float, float]
"""A float interval (lo, hi); lo == hi away from kinks."""


@dataclass
class Local:
    """What the per-node sweep found."""

    faults: list[Fault] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    ideal: list[Pair] = field(default_factory=list)
    spread: list[float] = field(default_factory=list)
    unchecked: int = 0
    undefined: str = ""


def ulp(x: float) -> float:
    return math.ulp(x) if math.isfinite(x) else math.inf


def check_nodes(
    program: Program,
    nodes: list[Node],
    data: Sequence[float | None],
    grad: Sequence[float | None],
    exact_values: list[Any],
) -> Local:
    """Check every node's forward value and adjoint against the engine's own neighbours."""
    result = Local()
    names = program.names()
    first = len(program.inputs)
    ev: list[float] = [d if d is not None else float(exact_values[s]) for s, d in enumerate(data)]
    if any(d is None for d in data[first:]):
        result.notes.append("the engine gave no value for some nodes: their forward is unchecked")
    partials: dict[int, list[Pair | None]] = {}
    slack: dict[int, list[float]] = {}
    with mpmath.workdps(DPS):
        for node in nodes:
            s = node.slot
            xs = [ev[a] if a is not None else float(c or 0.0)
                  for a, c in zip(node.args, node.consts, strict=True)]
            try:
                expected = _value(node, xs)
                ps = _partials(node, xs)
            except (Undefined, ArithmeticError, ValueError) as error:
                if not result.undefined:
                    result.undefined = f"{names[s]} = {written(node, names, data)}: {error}"
                continue
            partials[s] = ps
            slack[s] = _partial_slack(node, xs, ps, data[s])
            _check_forward(result, node, names, data, xs, ps, expected)
    _check_adjoints(result, program, nodes, names, data, grad, partials, slack)
    return result


def _value(node: Node, xs: list[float]) -> float:
    """The op at the engine's operands, rounded once to float."""
    if node.calc.one_rounding:
        out = node.calc.row.math(_MP, *xs)
        if not math.isfinite(out):
            raise Undefined(f"{node.calc.row.name}'s value is {out} here")
        return float(out)
    with_mp = node.calc.row.math(_MP, *(mpmath.mpf(x) for x in xs))
    return float(real(with_mp, f"{node.calc.row.name}'s value"))


def _partials(node: Node, xs: list[float]) -> list[Pair | None]:
    sides = node.calc.kink(xs) if node.calc.sides else None
    out: list[Pair | None] = []
    for i, formula in enumerate(node.calc.partials):
        if formula is None or node.args[i] is None:
            out.append(None)
        elif i == 0 and sides is not None:
            lo, hi = sorted((float(sides[0]), float(sides[1])))
            out.append((lo, hi))
        else:
            p = formula.fl(xs)
            if not math.isfinite(p):
                raise Undefined(f"{node.calc.row.name}'s derivative is {p} here")
            out.append((p, p))
    return out


def _partial_slack(node: Node, xs: list[float], ps: list[Pair | None], out: float | None) -> list[float]:
    """How far a correct engine's value of each partial may be from the exact one."""
    slacks = []
    over_output = node.calc.monotonic
    for i, pair in enumerate(ps):
        if pair is None or pair[0] != pair[1]:
            slacks.append(0.0)
            continue
        p = abs(pair[0])
        size = 2 * ulp(p)  # the engine's rounding and ours
        curvature = node.calc.curvature[i]
        assert curvature is not None
        for j, x in enumerate(xs):
            try:
                c = abs(curvature[j].fl(xs))
            except (ArithmeticError, ValueError):
                c = math.inf
            if c:
                size += c * ulp(abs(x))
                # A rule written over the output (tanh' = 1 - out**2) sees the output's
                # rounding as an operand moved by ulp(out) / |f'|.
                if over_output and p:
                    size += c * ulp(abs(out) if out is not None else p) / p
        slacks.append(ULPS * size)
    return slacks


def _check_forward(
    result: Local, node: Node, names: list[str], data: Sequence[float | None],
    xs: list[float], ps: list[Pair | None], expected: float,
) -> None:
    actual = data[node.slot]
    if actual is None:
        return
    allowed = ulp(abs(expected)) + TINY
    for x, p in zip(xs, ps, strict=True):
        if p is not None:
            allowed += max(abs(p[0]), abs(p[1])) * ulp(abs(x))
    allowed = (ULPS + 1) * allowed
    if abs(actual - expected) > allowed:
        off = abs(actual - expected) / abs(expected) if expected else math.inf
        with mpmath.workdps(DPS):
            exact = mpmath.nstr(node.calc.row.math(_MP, *(mpmath.mpf(x) for x in xs)), 20)
        if off <= IMPRECISE:
            result.notes.append(
                f"imprecise forward: {names[node.slot]} = {written(node, names, data)} is {actual!r}, "
                f"exactly {exact} (relative error {off:.3g}, more than rounding): the op's formula "
                "loses digits, its gradient is still checked to rounding"
            )
            return
        _add(result, Fault(
            node.slot, names[node.slot], node.calc.row.name, operand_floats(node, data, xs),
            "forward", exact, actual,
            f"{names[node.slot]} = {written(node, names, data)} is {actual!r}, "
            f"exactly {exact} (relative error {off:.3g})",
        ))


def _check_adjoints(
    result: Local, program: Program, nodes: list[Node], names: list[str],
    data: Sequence[float | None], grad: Sequence[float | None],
    partials: dict[int, list[Pair | None]], slack: dict[int, list[float]],
) -> None:
    size = program.size
    lo = [0.0] * size                       # sum of (consumer's engine adjoint) x (exact partial)
    hi = [0.0] * size
    allowed = [0.0] * size                  # partial-value slack, weighted by consumer adjoints
    scale = [0.0] * size                    # sum of |terms|: bounds the summation's rounding
    terms = [0] * size
    ideal_lo = [0.0] * size                 # adjoints of a correct engine at the engine's values
    ideal_hi = [0.0] * size
    spread = [0.0] * size                   # how far rounding may move a correct engine from it
    blind = [False] * size                  # a consumer's adjoint is unknown: no local check
    uses: list[list[tuple[int, int]]] = [[] for _ in range(size)]
    by_slot = {node.slot: node for node in nodes}
    mismatches: list[tuple[int, Pair, float]] = []
    out = size - 1
    lo[out] = hi[out] = ideal_lo[out] = ideal_hi[out] = 1.0
    for s in range(out, -1, -1):
        g = grad[s]
        tol = allowed[s] + (ULPS + 1) * U * (terms[s] + 1) * scale[s] + TINY * terms[s]
        if g is None or blind[s]:
            result.unchecked += 1
        elif g < lo[s] - tol or g > hi[s] + tol:
            mismatches.append((s, (lo[s], hi[s]), tol))
        spread[s] += tol
        node = by_slot.get(s)
        if node is None:
            continue
        ps = partials.get(s)
        if ps is None:  # undefined at the engine's operands
            for a in node.args:
                if a is not None:
                    blind[a] = True
            continue
        il, ih, sp = ideal_lo[s], ideal_hi[s], spread[s]
        for i, a in enumerate(node.args):
            p = ps[i]
            if a is None or p is None:
                continue
            uses[a].append((s, i))
            pl, ph = p
            if pl == ph:
                ideal_lo[a] += min(il * pl, ih * pl)
                ideal_hi[a] += max(il * pl, ih * pl)
            else:
                ends = (il * pl, il * ph, ih * pl, ih * ph)
                ideal_lo[a] += min(ends)
                ideal_hi[a] += max(ends)
            m = max(abs(pl), abs(ph))
            spread[a] += m * sp
            # Allowances weigh by the consumer's adjoint: the engine's, or a correct one's if unknown.
            w = abs(g) if g is not None else max(abs(il), abs(ih))
            scale[a] += w * m
            allowed[a] += w * slack[s][i]
            terms[a] += 1
            if g is None:
                blind[a] = True
            elif g:
                lo[a] += min(g * pl, g * ph)
                hi[a] += max(g * pl, g * ph)
    result.ideal = list(zip(ideal_lo, ideal_hi, strict=True))
    result.spread = spread
    if result.unchecked > 0:
        result.notes.append(
            f"{result.unchecked} node(s) had no engine adjoint to check, or a consumer without one"
        )
    spans = {s: [None if p is None else (p[0] if p[0] == p[1] else Span(*p)) for p in ps]
             for s, ps in partials.items()}
    for fault in blame(program, by_slot, names, data, grad, spans, uses, mismatches):
        _add(result, fault)


def _add(result: Local, fault: Fault) -> None:
    if len(result.faults) < MAX_FAULTS:
        result.faults.append(fault)
    elif not any(n.startswith("more than") for n in result.notes):
        result.notes.append(f"more than {MAX_FAULTS} faults: only the first {MAX_FAULTS} are listed")
