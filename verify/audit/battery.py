"""The battery: deterministic programs read off the op table, run before any random search.

``op_cases(op, layouts)`` is every layout the engine has of one op (``f(x)``,
``x o y``, ``x o c``, ``c o x``, ``x o x``) at points spread over the op's
whole usable domain: magnitudes from 1e-300 to 1e300 of both signs where the
operand's region allows them, the edge where the op's value stops fitting in
a float (bisected, so exp gets 709.7 and log its whole range), points at,
beside and far from each kink, constants that are not 0, +-1 or 2, and for an
exponent-like constant operand negative, fractional, zero and large values
over bases from 1e-5 to 1e5. A point is kept when the table's own float
forward and partials are finite there: only the table is read, so a new row
is covered with no code of its own. After them come exact and signed zeros
(``zero_points``): 0.0 and -0.0 in every operand position where the op is
defined there (``x ** 3`` at 0, ``0.0 / x``, ``x * 0``, ``relu(-0.0)``).

``graph_cases(op, ...)`` puts one op into the two smallest graphs that show
accumulation and graph-cutting bugs: its result and its operand both feeding
a join (``o(x) + x``, either order), and its operand an inner node.

``shape_cases(...)`` is the graph-shape battery, built from ops the engine
already got right: fan-out 2 to 6 on leaves and inner nodes, diamonds whose
paths differ by 1 to 5 steps entered from either operand, a reconvergent
ladder, twins (two distinct nodes with equal values), and a sum of 1,000
terms. Chains of 1e3 to 1e5 steps are run by the depth probe, which checks
every gradient exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from micrograd.ops import OPS, Op, Region

from ..program import Arg, Const, Program, Step

MAGNITUDES = (0.43, 1.7, 3.7, 0.037, 9.3, 23.5, 4.4e-4, 81.7, 3.1e-9, 397.3, 1.3e3, 2.9e5, 2.9e-30,
              1.4e12, 4.7e-120, 8.8e150, 2.3e156, 1.3e-300, 1.7e300)
"""Operand magnitudes, the usual ones first: 1e-300 to 1e300, mantissas that are not round;
2.3e156 squares past the largest float while its reciprocal's square is still a (subnormal) float."""
CORE = 4
"""The first this many points of each op and layout form the battery's first round."""
BASES = (0.43, 1.7, 3.7, 0.037, 9.3, 23.5, 4.4e-4, 81.7, 397.3, 1.3e-5, 2.9e3, 7.7e4)
"""Bases of an exponent-like op (one whose other operand must be a number): 1e-5 to 1e5."""
CONSTANTS = (3.7, -0.45, 250.5, -7.3e-6, -13.5, 0.065, 4.1e12, -2.5e-12)
"""Numbers on one side of a binary op: none of them 0, +-1 or 2, where many wrong rules are right."""
INTEGER_EXPONENTS = (3.0, -2.0, 0.0, 4.0, -1.0, 7.0, -3.0, 13.0, 1.0, 2.0, 30.0)
FRACTIONAL_EXPONENTS = (0.5, -0.5, 1.5, -2.25, 0.25, 3.75, -0.75, 7.5)
VALUE_EXPONENTS = (1.5, -0.5, 0.37, 3.7, -2.25, 0.0, 7.3, -13.5)
"""A Value on the exponent-like side of a binary op (x ** y)."""
KINK_OFFSETS = (0.0, 1e-300, -1e-300, 3.1e-9, -3.1e-9, 0.43, -0.43, 1.4e12, -1.4e12)
"""At, beside and far from a kink."""
PER_LAYOUT = 20
"""At most this many points per op and layout."""
ZEROS = (0.0, -0.0)
"""The exact zeros: each where an op is defined there, partnered with its other operand's usual points."""
ZERO_PARTNERS = 2
"""A zero meets this many of the other operand's usual points (and -0.0 the first of them)."""
PER_UNARY = 30
"""At most this many points for a unary op: one-step programs, and tails on both sides matter
(tanh and sigmoid from 1e3 to 1e300, where a textbook formula overflows)."""


@dataclass(frozen=True)
class Case:
    """One battery program: what it exercises and in which round it runs."""

    op: str
    """The op under test ("" for a shape)."""
    layout: str
    """One of findings.LAYOUTS, or "fan-out" / "inner" (one op in a tiny graph), or a shape family."""
    program: Program
    core: bool = False
    """In the first round (the usual points), or the second (the tails)."""


def usable(row: Op, xs: Sequence[float]) -> bool:
    """The table's float forward and partials are finite at ``xs``: a point any engine can answer."""
    try:
        out = float(row.forward(*xs))
        partials = row.grad(out, *xs)
    except (ArithmeticError, ValueError, TypeError):
        return False
    if not isinstance(partials, tuple):
        partials = (partials,)
    return math.isfinite(out) and all(math.isfinite(float(p)) for p in partials)


def signed(region: Region, magnitudes: Sequence[float]) -> list[float]:
    """Each magnitude with both signs, where ``region`` holds it."""
    points = []
    for m in magnitudes:
        for x in (m, -m):
            if x in region:
                points.append(x)
    return points


def edges(row: Op, region: Region) -> list[float]:
    """Where a unary op stops being usable on each side: the last usable magnitudes (bisected)."""
    found = []
    for sign in (1.0, -1.0):
        ladder = [sign * m for m in sorted(MAGNITUDES) if sign * m in region]
        ok = [usable(row, (x,)) for x in ladder]
        for (a, good_a), (b, good_b) in zip(zip(ladder, ok, strict=True), zip(ladder[1:], ok[1:],
                                                                              strict=True), strict=False):
            if good_a and not good_b:
                lo, hi = math.log(abs(a)), math.log(abs(b))
                for _ in range(60):
                    mid = (lo + hi) / 2
                    if usable(row, (sign * math.exp(mid),)):
                        lo = mid
                    else:
                        hi = mid
                # a hair inside: an engine computing exp(x) as e**x rounds e, and may overflow at the edge
                edge = sign * math.exp(lo)
                found += [edge * (1 - 1e-6), edge * (1 - 1e-3)]
    return found


def _kinks(row: Op) -> list[float]:
    return [k + d for k in row.kinks for d in KINK_OFFSETS if (k + d) in row.domain[0]]


def _spread(points: list[float], limit: int) -> list[float]:
    """At most ``limit`` of ``points``: the first ``CORE`` (the usual ones), then evenly over the rest."""
    unique = list(dict.fromkeys(points))
    if len(unique) <= limit:
        return unique
    head, rest = unique[:CORE], unique[CORE:]
    room = limit - CORE
    return head + [rest[round(i * (len(rest) - 1) / max(room - 1, 1))] for i in range(room)]


def _pairs(first: list[float], second: list[float], row: Op, limit: int) -> list[tuple[float, float]]:
    """Pairs covering both lists: each point of one with a point of the other, rotating; usable ones."""
    if not first or not second:
        return []
    # Three rotations with different strides (3, 5 and 7): each point meets several partners
    # spread over the other list, not only the one at its own index.
    candidates = []
    for i, a in enumerate(first):
        candidates.append((a, second[(3 * i + 1) % len(second)]))
    for j, b in enumerate(second):
        candidates.append((first[(5 * j + 1) % len(first)], b))
    for i, a in enumerate(first):
        candidates.append((a, second[(7 * i + 2) % len(second)]))
    # each with the other operand of the nearest magnitude: both huge, both tiny (y*y overflows)
    matched = []
    for a in first:
        near = sorted((b for b in second if b != a), key=lambda b: abs(math.log(abs(b) or 1e-300)
                                                                       - math.log(abs(a) or 1e-300)))
        if near:
            matched.append((a, near[0]))
    kept = [p for p in dict.fromkeys(candidates + matched) if usable(row, p) and p[0] != p[1]]
    core = [p for p in kept if abs(p[0]) <= 10 and abs(p[1]) <= 300]
    # the matched pairs in the tails are where overflow inside a rule shows: always kept
    extremes = [p for p in dict.fromkeys(matched) if p in kept and p not in core[:CORE]
                and (min(abs(p[0]), abs(p[1])) >= 1e100 or max(abs(p[0]), abs(p[1])) <= 1e-100)]
    head = core[:CORE] + extremes
    rest = [p for p in core[CORE:] + [p for p in kept if p not in core] if p not in head]
    tails = [p for p in rest if p not in core]
    rest = tails + [p for p in rest if p in core]
    room = limit - len(head)
    if len(rest) <= room:
        return head + rest
    return head + [rest[round(i * (len(rest) - 1) / max(room - 1, 1))] for i in range(room)]


def _numbers(row: Op, index: int) -> list[float]:
    """Constants for operand ``index`` of a binary op."""
    region = row.domain[index]
    if index in row.constant:
        return list(INTEGER_EXPONENTS if region.integer else FRACTIONAL_EXPONENTS)
    return [c for c in CONSTANTS if c in region]


def _values(row: Op, index: int) -> list[float]:
    """Value points for operand ``index``."""
    region = row.domain[index]
    if row.constant and index not in row.constant:
        return signed(region, BASES)
    if row.arity == 2 and index == 1 and _exponent_like(row):
        return [x for x in VALUE_EXPONENTS if x in region]
    return signed(region, MAGNITUDES)


def _exponent_like(row: Op) -> bool:
    """A binary op whose other rows take a number exponent: pow is powi and powc with a Value exponent."""
    return any(other.constant and other.notation == row.notation for other in OPS.values())


def defined_at(row: Op, xs: Sequence[float]) -> bool:
    """``usable``, and each operand outside its region lies only on a point the region leaves out
    (x ** 3 at 0: NONZERO is conservative there), where the first accepted form of its partial, the
    textbook rule, is finite too (k * x**(k - 1): not 0 ** 0, whose rule divides by zero)."""
    if not usable(row, xs):
        return False
    for i, x in enumerate(xs):
        region = row.domain[i]
        if i in row.constant or x in region:
            continue
        below = any(lo < x <= hi for lo, hi in region.intervals)
        above = any(lo <= x < hi for lo, hi in region.intervals)
        if not (below and above):
            return False  # a boundary (log, sqrt, a base of a fractional power): one-sided there
        forms = row.accepts.partials[i] if i < len(row.accepts.partials) else ()
        if forms and not _finite_form(forms[0], row, xs):
            return False
    return True


def _finite_form(form: Callable[..., Any], row: Op, xs: Sequence[float]) -> bool:
    try:
        return math.isfinite(float(form(math, float(row.forward(*xs)), *xs)))
    except (ArithmeticError, ValueError, TypeError):
        return False


def _same(a: float, b: float) -> bool:
    """Equal, signs of zero included (0.0 == -0.0 in Python)."""
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def zero_points(row: Op, layout: str) -> list[tuple[float, ...]]:
    """Operands of ``layout`` with an exact zero, 0.0 or -0.0, where ``row`` is defined there: a zero
    in each Value position with the other operand's first usual points, a number operand 0 (``x * 0``),
    never two distinct leaves equal (that is the twins' shape)."""
    points: list[tuple[float, ...]] = []
    if layout == "f(x)":
        points = [(z,) for z in ZEROS]
    elif layout == "x o x":
        points = [(z, z) for z in ZEROS]
    elif layout in ("x o y", "x o c", "c o x"):
        kinds = {"x o y": (_values, _values), "x o c": (_values, _numbers),
                 "c o x": (_numbers, _values)}[layout]
        for i in (0, 1):
            if i in row.constant:
                continue  # an exponent of 0 is among the usual exponents: x ** 0 is no zero operand
            others = [p for p in kinds[1 - i](row, 1 - i) if p != 0.0]
            for k, z in enumerate(ZEROS):
                fits = [p for p in others if defined_at(row, (z, p) if i == 0 else (p, z))]
                for p in fits[:ZERO_PARTNERS if k == 0 else 1]:
                    points.append((z, p) if i == 0 else (p, z))
    kept: list[tuple[float, ...]] = []
    for xs in points:
        twice = any(all(_same(a, b) for a, b in zip(xs, k, strict=True)) for k in kept)
        if defined_at(row, xs) and not twice:
            kept.append(xs)
    return kept


def op_cases(op: str, layouts: Sequence[str]) -> list[Case]:
    """The battery for one op, in each of ``layouts`` it has."""
    row = OPS[op]
    cases: list[Case] = []
    for layout in layouts:
        programs = list(_layout_programs(row, layout))
        for k, program in enumerate(programs):
            cases.append(Case(op, layout, program, core=k < CORE))
    return cases


def _layout_programs(row: Op, layout: str) -> Iterator[Program]:
    usual = list(_usual_programs(row, layout))
    yield from usual
    seen = {repr(p) for p in usual}  # repr tells -0.0 from 0.0, == does not
    for xs in zero_points(row, layout):
        program = _zero_program(row, layout, xs)
        if repr(program) not in seen:
            yield program


def _zero_program(row: Op, layout: str, xs: tuple[float, ...]) -> Program:
    if layout == "f(x)":
        return Program((("x", xs[0]),), (Step(row.name, (0,)),))
    if layout == "x o y":
        return Program((("x", xs[0]), ("y", xs[1])), (Step(row.name, (0, 1)),))
    if layout == "x o c":
        return Program((("x", xs[0]),), (Step(row.name, (0, Const(xs[1]))),))
    if layout == "c o x":
        return Program((("x", xs[1]),), (Step(row.name, (Const(xs[0]), 0)),))
    return Program((("x", xs[0]),), (Step(row.name, (0, 0)),))  # x o x


def _usual_programs(row: Op, layout: str) -> Iterator[Program]:
    if layout == "f(x)":
        region = row.domain[0]
        points = [x for x in signed(region, MAGNITUDES) if usable(row, (x,))]
        points = points[:CORE] + _kinks(row) + edges(row, region) + points[CORE:]
        for x in _spread([p for p in points if usable(row, (p,))], PER_UNARY + len(_kinks(row))):
            yield Program((("x", x),), (Step(row.name, (0,)),))
    elif layout == "x o y":
        for x, y in _pairs(_values(row, 0), _values(row, 1), row, PER_LAYOUT):
            yield Program((("x", x), ("y", y)), (Step(row.name, (0, 1)),))
    elif layout == "x o c":
        for x, c in _pairs(_values(row, 0), _numbers(row, 1), row, PER_LAYOUT):
            yield Program((("x", x),), (Step(row.name, (0, Const(c))),))
    elif layout == "c o x":
        for c, x in _pairs(_numbers(row, 0), _values(row, 1), row, PER_LAYOUT):
            yield Program((("x", x),), (Step(row.name, (Const(c), 0)),))
    elif layout == "x o x":
        points = [x for x in _values(row, 0) if x in row.domain[1] and usable(row, (x, x))]
        for x in _spread(points, PER_LAYOUT // 2):
            yield Program((("x", x),), (Step(row.name, (0, 0)),))


# ---- one op inside the smallest graphs ----

@dataclass(frozen=True)
class Tools:
    """Ops the engine got right in the battery, used to build graphs around the op under test.

    ``edge`` is a unary-like step on one Value (``x * 1.5``: an op with a number, or a unary op),
    ``join`` a binary op on two Values (``x + y``); each as (op, layout).
    """

    edge: tuple[str, str] | None
    join: tuple[str, str] | None

    def edge_step(self, slot: int, k: int = 0) -> Step | None:
        """A step applying the edge op to ``slot``; ``k`` varies its constant."""
        if self.edge is None:
            return None
        op, layout = self.edge
        c = EDGE_CONSTANTS[k % len(EDGE_CONSTANTS)]
        if layout == "x o c":
            return Step(op, (slot, Const(c)))
        if layout == "c o x":
            return Step(op, (Const(c), slot))
        if layout == "x o y":  # no number layout: the edge is the join with a leaf (never reached)
            return None
        return Step(op, (slot,))

    def join_step(self, a: int, b: int) -> Step | None:
        if self.join is None:
            return None
        return Step(self.join[0], (a, b))


EDGE_CONSTANTS = (1.5, 0.75, 1.25, 0.625, 1.375, 0.875, 1.125)
"""Constants of edge steps: exact in binary, near 1 (so long paths stay moderate), never 1."""


def graph_cases(op: str, layout: str, tools: Tools) -> list[Case]:
    """``op`` in its ``layout`` inside the smallest graphs: fan-out of its operand, an inner operand."""
    row = OPS[op]
    base = next(iter(_layout_programs(row, layout)), None)
    if base is None or tools.join is None:
        return []
    n = len(base.inputs)
    step = base.steps[0]
    value_slots = sorted({a for a in step.args if not isinstance(a, Const)})
    cases = []
    out = n  # the op's own slot in base
    for s in value_slots:
        for first_op in (True, False):
            join = tools.join_step(out, s) if first_op else tools.join_step(s, out)
            assert join is not None
            cases.append(Case(op, "fan-out", Program(base.inputs, (step, join))))
    edge0 = tools.edge_step(0)
    if edge0 is not None:
        # Every Value operand made by an edge step: x = v / 1.5, then v1 = x * 1.5 feeds the op.
        inputs = []
        steps: list[Step] = []
        for name, value in base.inputs:
            inputs.append((name, _before_edge(tools, value)))
        moved: dict[int, int] = {}
        for s in range(n):
            e = tools.edge_step(s)
            assert e is not None
            steps.append(e)
            moved[s] = n + len(steps) - 1
        args: list[Arg] = [a if isinstance(a, Const) else moved[a] for a in step.args]
        program = Program(tuple(inputs), (*steps, Step(op, tuple(args))))
        if _all_usable(program):
            cases.append(Case(op, "inner", program))
    return cases


def _before_edge(tools: Tools, value: float) -> float:
    """The input that the edge step turns into ``value`` (near enough: the op's domain is open)."""
    assert tools.edge is not None
    op, layout = tools.edge
    c = EDGE_CONSTANTS[0]
    guess = {"add": value - c, "sub": value + c if layout == "x o c" else c - value,
             "mul": value / c, "div": value * c if layout == "x o c" else c / value}.get(op, value)
    return guess


def _all_usable(program: Program) -> bool:
    values = [v for _, v in program.inputs]
    for step in program.steps:
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        row = OPS[step.op]
        if not usable(row, xs) or not all(x in region for x, region in zip(xs, row.domain, strict=True)):
            return False
        values.append(float(row.forward(*xs)))
    return True


# ---- the graph-shape battery ----

def shape_cases(tools: Tools) -> list[Case]:
    """Graphs whose shape is what an engine must get right, built only from ``tools``."""
    if tools.join is None:
        return []
    shapes: list[Case] = []
    for family, program in _shapes(tools):
        if program is not None and _all_usable(program):
            shapes.append(Case("", family, program))
    return shapes


class _Builder:
    def __init__(self, inputs: Sequence[tuple[str, float]]) -> None:
        self.inputs = tuple(inputs)
        self.steps: list[Step] = []
        self.broken = False

    def add(self, step: Step | None) -> int:
        if step is None:
            self.broken = True
            return 0
        self.steps.append(step)
        return len(self.inputs) + len(self.steps) - 1

    def program(self) -> Program | None:
        return None if self.broken or not self.steps else Program(self.inputs, tuple(self.steps))


def _edge_or_join(tools: Tools, b: _Builder, slot: int, k: int, spare: int) -> int:
    """An edge step on ``slot``, or (an engine with no number layouts) a join with the leaf ``spare``."""
    e = tools.edge_step(slot, k)
    if e is not None:
        return b.add(e)
    return b.add(tools.join_step(slot, spare))


def _shapes(tools: Tools) -> Iterator[tuple[str, Program | None]]:
    spare_value = 0.0 if tools.join is not None and tools.join[0] in ("add", "sub") else 1.0
    # With no edge op (an engine without number layouts), edges join a spare leaf z.
    leaves = [("x", 0.7)] if tools.edge is not None else [("x", 0.7), ("z", spare_value)]
    yield from _fan_outs(tools, leaves)
    yield from _diamonds(tools, leaves)
    yield from _ladder_and_twins(tools, leaves)
    yield from _wide_sum(tools, leaves)


def _fan_outs(tools: Tools, leaves: list[tuple[str, float]]) -> Iterator[tuple[str, Program | None]]:
    """Fan-out k on a leaf, and on an inner node: k consumers, then their sum."""
    for k in range(2, 7):
        for inner in (False, True):
            b = _Builder(leaves)
            node = _edge_or_join(tools, b, 0, 0, 1) if inner else 0
            users = [_edge_or_join(tools, b, node, i + 1, 1) for i in range(k)]
            total = users[0]
            for u in users[1:]:
                total = b.add(tools.join_step(total, u))
            yield f"fan-out {k} ({'inner' if inner else 'leaf'})", b.program()
        # the node itself used k times by the joins: n + n + n ...
        b = _Builder(leaves)
        node = _edge_or_join(tools, b, 0, 0, 1)
        total = b.add(tools.join_step(node, node))
        for _ in range(k - 2):
            total = b.add(tools.join_step(total, node))
        yield f"fan-out {k} (joins)", b.program()


def _diamonds(tools: Tools, leaves: list[tuple[str, float]]) -> Iterator[tuple[str, Program | None]]:
    """Two paths from one node, of lengths a and a + d, joined either way round."""
    for d in range(1, 6):
        for a in (0, 1):
            for swap in (False, True):
                b = _Builder(leaves)
                top = _edge_or_join(tools, b, 0, 0, 1)
                left = top
                for i in range(a):
                    left = _edge_or_join(tools, b, left, i + 1, 1)
                right = top
                for i in range(a + d):
                    right = _edge_or_join(tools, b, right, i + 3, 1)
                b.add(tools.join_step(right, left) if swap else tools.join_step(left, right))
                yield f"diamond {d}", b.program()


def _ladder_and_twins(tools: Tools, leaves: list[tuple[str, float]]) -> Iterator[tuple[str, Program | None]]:
    """A reconvergent ladder (each level joins an edge of the last with the one before), then twins:
    two distinct nodes with equal values (the same op on the same operand), joined."""
    b = _Builder(leaves)
    prev, cur = 0, _edge_or_join(tools, b, 0, 0, 1)
    for i in range(8):
        e = _edge_or_join(tools, b, cur, i + 1, 1)
        prev, cur = cur, b.add(tools.join_step(e, prev))
    yield "reconvergent", b.program()
    for depth in (1, 2):
        b = _Builder(leaves)
        twins = []
        for _ in range(2):
            t = 0
            for i in range(depth):
                t = _edge_or_join(tools, b, t, i, 1)
            twins.append(t)
        b.add(tools.join_step(twins[0], twins[1]))
        yield "twins", b.program()
    b = _Builder(leaves)
    a = _edge_or_join(tools, b, 0, 0, 1)
    c = _edge_or_join(tools, b, 0, 0, 1)
    j = b.add(tools.join_step(a, c))
    b.add(tools.join_step(j, a))
    yield "twins", b.program()


def _wide_sum(tools: Tools, leaves: list[tuple[str, float]]) -> Iterator[tuple[str, Program | None]]:
    """A sum of 1,000 terms, pairwise (shallow: recursive engines can take it)."""
    b = _Builder(leaves)
    terms = [_edge_or_join(tools, b, 0, i, 1) for i in range(1000)]
    while len(terms) > 1:
        paired = [b.add(tools.join_step(terms[i], terms[i + 1])) for i in range(0, len(terms) - 1, 2)]
        terms = paired + ([terms[-1]] if len(terms) % 2 else [])
    yield "sum of 1,000 terms", b.program()


def chain_program(depth: int, step_op: str, layout: str, constant: float) -> Program:
    """A chain ``depth`` steps deep, for the report: y = x; y = y + 1.0 (or y + z), ``depth`` times."""
    if layout == "x o y":
        steps = [Step(step_op, (0 if k == 0 else k + 1, 1)) for k in range(depth)]
        return Program((("x", 0.5), ("z", constant)), tuple(steps))
    steps = [Step(step_op, (k, Const(constant))) for k in range(depth)]
    return Program((("x", 0.5),), tuple(steps))
