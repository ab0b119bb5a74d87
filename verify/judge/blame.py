"""Turn adjoint mismatches into faults that name the op to blame.

A node whose adjoint is off has one or more uses. With one consumer, that
consumer's rule (or the adjoint it passed on) is to blame, and the engine's
numbers imply the local derivative it used. With several, the fault may be
the summation over uses (a reused node's contributions not added up), which
shows as the adjoint equalling a single contribution.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mpmath  # type: ignore[import-untyped]

from ..oracle.exact import Node
from ..oracle.span import Num, Span, distance, magnitude, plus, times
from ..program import Program
from ..report import Fault

CLOSE = 1e-9
"""Relative closeness that identifies an adjoint with one specific wrong sum."""


def blame(
    program: Program,
    by_slot: dict[int, Node],
    names: list[str],
    data: Sequence[float | None],
    grad: Sequence[float | None],
    partials: dict[int, list[Num | None]],
    uses: list[list[tuple[int, int]]],
    mismatches: list[tuple[int, tuple[float, float], float]],
) -> list[Fault]:
    """Faults for ``mismatches`` (slot, expected adjoint, allowance): the blamed op first."""
    out = program.size - 1
    direct: list[Fault] = []
    summed: list[Fault] = []
    unclear: list[tuple[int, Num, list[int]]] = []
    for s, (lo, hi), tol in mismatches:
        expected: Num = lo if lo == hi else Span(lo, hi)
        g = grad[s]
        assert g is not None
        consumers = sorted({c for c, _ in uses[s]}, reverse=True)
        if s == out:
            direct.append(Fault(
                s, names[s], _op(program, s), _operands_of(by_slot, s, data), "gradient", "1", g,
                f"the output {names[s]} has gradient {g!r}: backward must start from 1",
            ))
        elif not consumers:
            direct.append(Fault(
                s, names[s], _op(program, s), _operands_of(by_slot, s, data), "gradient", "0", g,
                f"{names[s]} is not used by the output, yet its gradient is {g!r}",
            ))
        elif len(consumers) == 1:
            direct.append(_wrong_rule(program, by_slot, names, data, grad, partials, uses, s, consumers[0]))
        else:
            alone = _lone_contribution(grad, partials, uses[s], g, tol)
            if alone is not None:
                summed.append(Fault(
                    s, names[s], _op(program, s), _operands_of(by_slot, s, data), "gradient",
                    _show(expected), g,
                    f"{names[s]} is used {len(uses[s])} times ({_list(names, consumers)}) but its gradient "
                    f"{g!r} is the contribution of {names[alone]} alone; exactly {_show(expected)}: "
                    "contributions to a reused node must be summed",
                ))
            else:
                unclear.append((s, expected, consumers))
    blamed = {f.op for f in direct}
    vague: list[Fault] = []
    for s, expected, consumers in unclear:
        g = grad[s]
        assert g is not None
        suspects = [c for c in consumers if _op(program, c) in blamed]
        if len(suspects) == 1:
            direct.append(_wrong_rule(program, by_slot, names, data, grad, partials, uses, s, suspects[0]))
            continue
        ops = {_op(program, c) for c in suspects}
        # Several uses by an op already shown wrong elsewhere: that op takes the blame here too.
        op = ops.pop() if len(ops) == 1 else _op(program, s)
        vague.append(Fault(
            s, names[s], op, _operands_of(by_slot, s, data), "gradient", _show(expected), g,
            f"the gradient of {names[s]} is {g!r}, exactly {_show(expected)}; it is used by "
            f"{_list(names, consumers, program)}: one of their rules, or the summation, is wrong",
        ))
    return direct + summed + vague


def _wrong_rule(
    program: Program, by_slot: dict[int, Node], names: list[str], data: Sequence[float | None],
    grad: Sequence[float | None], partials: dict[int, list[Num | None]],
    uses: list[list[tuple[int, int]]], s: int, c: int,
) -> Fault:
    """The fault of consumer ``c``, the only user of ``s``, for passing ``s`` a wrong adjoint."""
    node = by_slot[c]
    p: Num = 0.0
    for c2, i in uses[s]:
        if c2 == c:
            q = partials[c][i]
            assert q is not None
            p = plus(p, q)
    g, gc = grad[s], grad[c]
    assert g is not None and gc is not None
    implied = g / gc if gc else None
    who = f"{names[c]} = {written(node, names, data)}"
    if implied is None:
        message = f"{who}: the gradient of {names[c]} is 0, so {names[s]}'s must be 0, not {g!r}"
    else:
        message = (f"{who}: d{names[c]}/d{names[s]} should be {_show(p)}, but the engine used {implied!r} "
                   f"(gradient of {names[s]} {g!r} / gradient of {names[c]} {gc!r})")
        early = _partial_adjoint(grad, partials, uses[c], g, p)
        if early:
            message += (f"; the gradient {names[c]} passed on was {early}: it was used "
                        "before all its uses had added to it (wrong traversal order)")
    return Fault(c, names[c], node.calc.row.name, _operands_of(by_slot, c, data), "gradient",
                 _show(p), implied, message)


def _lone_contribution(
    grad: Sequence[float | None], partials: dict[int, list[Num | None]],
    uses: list[tuple[int, int]], g: float, tol: float,
) -> int | None:
    """The consumer whose contribution alone equals ``g``, if any."""
    for c in sorted({c for c, _ in uses}):
        term = _contribution(grad, partials, uses, c)
        if term is not None and g != 0 and distance(g, term) <= tol + CLOSE * abs(g):
            return c
    return None


def _partial_adjoint(
    grad: Sequence[float | None], partials: dict[int, list[Num | None]],
    uses: list[tuple[int, int]], g: float, p: Num,
) -> str:
    """How the adjoint a consumer passed on was incomplete, if it was: '' otherwise."""
    if isinstance(p, Span) or p == 0 or len({c for c, _ in uses}) < 2:
        return ""
    passed = g / p
    found = [_contribution(grad, partials, uses, c) for c in sorted({c for c, _ in uses})]
    terms = [t for t in found if t is not None and not isinstance(t, Span)]
    if len(terms) < len(found):
        return ""
    total = sum(terms)
    for t in terms:
        pairs = ((t, "one use's contribution"), (total - t, "all but one uses' contributions"))
        for candidate, what in pairs:
            if abs(passed - candidate) <= CLOSE * max(abs(passed), magnitude(total)):
                return what
    return ""


def _contribution(
    grad: Sequence[float | None], partials: dict[int, list[Num | None]],
    uses: list[tuple[int, int]], c: int,
) -> Num | None:
    gc = grad[c]
    if gc is None:
        return None
    term: Num = 0.0
    for c2, i in uses:
        if c2 == c:
            p = partials[c][i]
            if p is None:
                return None
            term = plus(term, times(gc, p))
    return term


def _op(program: Program, s: int) -> str:
    first = len(program.inputs)
    return program.steps[s - first].op if s >= first else ""


def _operands_of(by_slot: dict[int, Node], s: int, data: Sequence[float | None]) -> tuple[float, ...]:
    node = by_slot.get(s)
    if node is None:
        d = data[s]
        return (d,) if d is not None else ()
    return tuple(
        float(c) if a is None else (float(data[a]) if data[a] is not None else math.nan)  # type: ignore[arg-type]
        for a, c in zip(node.args, node.consts, strict=True)
    )


def written(node: Node, names: list[str], data: Sequence[float | None]) -> str:
    """The node over its operands' names, then the engine's operand values: "v1.tanh() at v1 = 0.5"."""
    shown: list[str] = []
    values: list[str] = []
    for a, c in zip(node.args, node.consts, strict=True):
        if a is None:
            shown.append(repr(c))
        else:
            shown.append(names[a])
            if data[a] is not None and names[a] not in (v.split(" = ")[0] for v in values):
                values.append(f"{names[a]} = {data[a]!r}")
    text = node.calc.row.write(*shown)
    return f"{text} at {', '.join(values)}" if values else text


def _list(names: list[str], slots: list[int], program: Program | None = None) -> str:
    if program is None:
        return ", ".join(names[c] for c in slots)
    return ", ".join(f"{names[c]} ({_op(program, c)})" for c in slots)


def operand_floats(node: Node, data: Sequence[float | None], xs: list[Any]) -> tuple[float, ...]:
    """The operands the engine used (exact ones where it gave none)."""
    out = []
    for a, c, x in zip(node.args, node.consts, xs, strict=True):
        d = c if a is None else data[a]
        out.append(float(d) if d is not None else float(x))
    return tuple(out)


def _show(x: Num) -> str:
    if isinstance(x, Span):
        return f"[{_show(x.lo)}, {_show(x.hi)}]"
    if isinstance(x, float):
        return repr(x)
    return str(mpmath.nstr(x, 20))
