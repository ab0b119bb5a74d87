"""Turn adjoint mismatches into faults that name the step to blame.

A node whose adjoint is off has one or more uses. With one consumer, that
consumer's rule (or the adjoint it passed on) is to blame, and the engine's
numbers imply the local derivative it used. With several, the fault may be
how contributions were summed: the adjoint equals one contribution alone
(another consumer overwrote it) or all but one (that consumer gave none).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..oracle.exact import Node
from ..program import Program
from ..report import Fault
from .floats import Fl, above, below, product
from .local import Sweep, operand_floats, summation, tiny_times

CLOSE = 1e-9
"""Relative closeness that ties an adjoint to one specific wrong sum (it names the bug, never decides one)."""
POINT_LIKE = 1e-12
"""An interval this narrow (relative) is shown as one number: 17 digits cannot tell its ends apart."""


def blame(
    program: Program, nodes: list[Node], names: Sequence[str], data: Sequence[float | None],
    grad: Sequence[float | None], found: Sweep,
) -> list[Fault]:
    """Faults for the sweep's mismatches, the best-explained first."""
    by_slot = {node.slot: node for node in nodes}
    values = [d if d is not None else math.nan for d in data]
    out = program.size - 1
    direct: list[Fault] = []
    summed: list[Fault] = []
    unclear: list[int] = []
    for s in found.mismatches:
        g = grad[s]
        expected = found.expected(s)
        assert g is not None and expected is not None
        consumers = sorted({c for c, _ in found.uses[s]}, reverse=True)
        if s == out:
            operands = _operands(by_slot, s, values)
            direct.append(Fault("seed", s, names[s], _op(program, s), s, operands, "1", g,
                                f"the output {names[s]} has gradient {g!r}: backward must start from 1"))
        elif not consumers:
            direct.append(Fault("dead", s, names[s], "", None, (), "0", g,
                                f"{names[s]} is not used by the output, yet its gradient is {g!r}"))
        elif len(consumers) == 1:
            direct.append(_wrong_rule(by_slot, names, values, grad, found, s, consumers[0]))
        else:
            fault = _summation(program, by_slot, names, values, grad, found, s, consumers)
            if fault is not None:
                summed.append(fault)
            else:
                unclear.append(s)
    blamed = {f.op for f in direct if f.op}
    vague: list[Fault] = []
    for s in unclear:
        g = grad[s]
        assert g is not None
        consumers = sorted({c for c, _ in found.uses[s]}, reverse=True)
        suspects = [c for c in consumers if _op(program, c) in blamed]
        if len(suspects) == 1:
            direct.append(_wrong_rule(by_slot, names, values, grad, found, s, suspects[0]))
            continue
        vague.append(Fault(
            "gradient", s, names[s], "", None, (), show(found.expected(s)), g,
            f"the gradient of {names[s]} is {g!r}, but {show(found.expected(s))} from its uses by "
            f"{_list(program, names, consumers)}: one of their rules, or the summation, is wrong",
        ))
    return direct + summed + vague


def _wrong_rule(
    by_slot: dict[int, Node], names: Sequence[str], values: list[float],
    grad: Sequence[float | None], found: Sweep, s: int, c: int,
) -> Fault:
    """The fault of consumer ``c``, the only user of ``s``, for passing ``s`` a wrong adjoint."""
    node = by_slot[c]
    here = found.allowed[c]
    indices = [i for c2, i in found.uses[s] if c2 == c]
    partial = _sum([here.partials[i] for i in indices])
    g, gc = grad[s], grad[c]
    assert g is not None and gc is not None
    implied = g / gc if gc else None
    who = f"{names[c]} = {written(node, names, values)}"
    operand = names[s]
    if implied is None:
        message = f"{who}: the gradient of {names[c]} is 0, so {operand}'s must be 0, not {g!r}"
    else:
        message = (f"{who}: d{names[c]}/d{operand} should be {show(partial)}, but the engine used "
                   f"{implied!r} (gradient of {operand} {g!r} / gradient of {names[c]} {gc!r})")
        early = _partial_adjoint(grad, found, c, g, partial)
        if early:
            message += (f"; the gradient {names[c]} passed on was {early}: it was used before all "
                        "its uses had added to it (wrong traversal order)")
            return Fault("traversal", s, operand, "", c, _operands(by_slot, c, values), show(partial),
                         implied, message, indices[0])
    return Fault("wrong-rule", s, operand, node.calc.row.name, c, _operands(by_slot, c, values),
                 show(partial), implied, message, indices[0])


def _summation(
    program: Program, by_slot: dict[int, Node], names: Sequence[str], values: list[float],
    grad: Sequence[float | None], found: Sweep, s: int, consumers: list[int],
) -> Fault | None:
    """A reused node whose adjoint is one contribution alone, or all but one: which consumer did it."""
    g = grad[s]
    assert g is not None
    terms = {c: _contribution(grad, found, s, c) for c in consumers}
    if any(t is None for t in terms.values()):
        return None
    parts: dict[int, Fl] = {c: t for c, t in terms.items() if t is not None}
    total = _sum(list(parts.values()))
    tol = summation(len(found.uses[s]), sum(t.magnitude for t in parts.values()))
    used = f"{names[s]} is used {len(found.uses[s])} times ({_list(program, names, consumers)})"
    for c, term in parts.items():
        # the others' contributions must be visible, or "alone" and "summed" are the same number
        if (g != 0 and term.distance(g) <= tol + CLOSE * abs(g)
                and _sum([t for c2, t in parts.items() if c2 != c]).magnitude > tol + CLOSE * abs(g)):
            return Fault(
                "lost-contribution", s, names[s], _op(program, c), c, _operands(by_slot, c, values),
                show(total), g,
                f"{used} but its gradient {g!r} is the contribution of {names[c]} alone; exactly "
                f"{show(total)}: {names[c]}'s backward replaced the gradient instead of adding to it "
                "(contributions to a reused node must be summed)",
            )
    for c, term in parts.items():
        rest = _sum([t for c2, t in parts.items() if c2 != c])
        if (term.magnitude > tol + CLOSE * abs(g)
                and rest.distance(g) <= tol + CLOSE * max(abs(g), rest.magnitude)):
            return Fault(
                "lost-contribution", s, names[s], _op(program, c), c, _operands(by_slot, c, values),
                show(total), g,
                f"{names[c]} = {written(by_slot[c], names, values)} gave {names[s]} no gradient: "
                f"{used}; its gradient {g!r} is the sum of all the other contributions; "
                f"exactly {show(total)}",
            )
    return None


def _partial_adjoint(grad: Sequence[float | None], found: Sweep, c: int, g: float, partial: Fl) -> str:
    """How the adjoint consumer ``c`` passed on was incomplete, if it was: '' otherwise."""
    if partial.lo != partial.hi or partial.lo == 0 or len({c2 for c2, _ in found.uses[c]}) < 2:
        return ""
    passed = g / partial.lo
    terms = [_contribution(grad, found, c, c2) for c2 in sorted({c2 for c2, _ in found.uses[c]})]
    if any(t is None or t.lo != t.hi for t in terms):
        return ""
    points = [t.lo for t in terms if t is not None]
    total = sum(points)
    for t in points:
        pairs = ((t, "one use's contribution"), (total - t, "all but one uses' contributions"))
        for candidate, what in pairs:
            if abs(passed - candidate) <= CLOSE * max(abs(passed), abs(total)):
                return what
    return ""


def _contribution(grad: Sequence[float | None], found: Sweep, s: int, c: int) -> Fl | None:
    """What consumer ``c`` should add to ``s``'s adjoint, from the engine's adjoint of ``c``."""
    gc = grad[c]
    if gc is None or c not in found.allowed:
        return None
    parts = []
    for c2, i in found.uses[s]:
        if c2 == c:
            here = found.allowed[c]
            p = here.partials[i]
            if p is None:
                return None
            term = product(Fl(gc), p)
            scaled = here.tiny[i] if here.tiny is not None else None
            if scaled is not None:  # below the subnormals: grad-first orders get the product right
                term = term.hull(Fl(*tiny_times(gc, gc, scaled)))
            parts.append(term)
    return _sum(parts)


def _sum(parts: Sequence[Fl | None]) -> Fl:
    lo = hi = 0.0
    for p in parts:
        if p is not None:
            lo, hi = lo + p.lo, hi + p.hi
    lo, hi = (-math.inf if lo != lo else lo), (math.inf if hi != hi else hi)  # inf - inf: unbounded
    return Fl(below(lo), above(hi)) if lo != hi else Fl(lo)


def show(x: Fl | None) -> str:
    """An interval for reading: one number when it is a point or nearly, else [lo, hi]."""
    if x is None:
        return "unknown"
    if x.lo == x.hi:
        return repr(x.lo)
    mid = x.lo / 2 + x.hi / 2
    if abs(x.hi - x.lo) <= POINT_LIKE * abs(mid):
        return f"{mid:.17g}"
    return f"[{x.lo!r}, {x.hi!r}]"


def _op(program: Program, s: int) -> str:
    first = len(program.inputs)
    return program.steps[s - first].op if s >= first else ""


def _operands(by_slot: dict[int, Node], s: int, values: list[float]) -> tuple[float, ...]:
    node = by_slot.get(s)
    if node is None:
        return (values[s],)
    return tuple(operand_floats(node, values))


def written(node: Node, names: Sequence[str], values: Sequence[float]) -> str:
    """The node over its operands' names, then the engine's operand values: "v1.tanh() at v1 = 0.5"."""
    shown: list[str] = []
    at: list[str] = []
    for a, c in zip(node.args, node.consts, strict=True):
        if a is None:
            shown.append(repr(c))
        else:
            shown.append(names[a])
            if not math.isnan(values[a]) and f"{names[a]} = {values[a]!r}" not in at:
                at.append(f"{names[a]} = {values[a]!r}")
    text = node.calc.row.write(*shown)
    return f"{text} at {', '.join(at)}" if at else text


def _list(program: Program, names: Sequence[str], slots: list[int]) -> str:
    return ", ".join(f"{names[c]} ({_op(program, c)})" for c in slots)
