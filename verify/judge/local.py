"""Per-node checks: is each node's value and adjoint one a correct float64 engine could produce?

Each check is local, at the engine's own numbers. A node's value is checked
against what its op may give at the engine's operands (``allowance``); a
node's adjoint against the sum over its uses of (the consumer's adjoint, as
the engine computed it) x (an allowed local partial), with the rounding such
a sum may do. Because every check uses the engine's own neighbours, one wrong
rule shows up exactly at the node that applied it.

The same reverse sweep carries, for the end-to-end check, two sets of
adjoints at the engine's forward values: ``envelope``, every adjoint a
correct engine may compute (any accepted formula), and ``best``, what the
most careful one computes (exact partials to a few ulps).

All of it is float-interval arithmetic rounded outward, so a graph of
100,000 nodes is checked in about a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..oracle.ball import Ball, to_float
from ..oracle.exact import Node
from ..program import Program
from .allowance import BASE_ULPS, SUBNORMAL_SCALE, Allowed, UndefinedHere, allowed
from .floats import Fl, above, below

U = 2.0**-53
"""The unit roundoff of float64."""


def summation(terms: int, magnitude: float) -> float:
    """How far an engine's float sum of ``terms`` numbers, whose sizes add up to ``magnitude``, may be
    from the nearest float to the exact sum, in any order of summation.

    The last addition is a single rounding to nearest, which interval ends
    rounded to nearest already cover; the ones before may each be off by
    rounding: gamma(n - 2) * sum |t| (Higham, Accuracy and Stability,
    eq. 4.4). One or two terms need nothing.
    """
    if terms <= 2:
        return 0.0
    n = terms - 2
    # The sizes were themselves summed in floats: (1 + 2 * terms * U) covers that rounding.
    return above(n * U / (1.0 - n * U) * magnitude * (1.0 + 2 * terms * U))


@dataclass
class Sweep:
    """What the per-node sweep found, slot by slot."""

    allowed: dict[int, Allowed] = field(default_factory=dict)
    expected_ends: list[tuple[float, float] | None] = field(default_factory=list)
    """Per slot, (lo, hi) from the engine's consumer adjoints; None where one of them is unknown."""
    envelope_ends: list[tuple[float, float]] = field(default_factory=list)
    best_ends: list[tuple[float, float]] = field(default_factory=list)
    close_ends: list[tuple[float, float]] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    _uses: list[list[tuple[int, int]]] | None = None
    forward_faults: list[int] = field(default_factory=list)
    imprecise: list[int] = field(default_factory=list)
    mismatches: list[int] = field(default_factory=list)
    """Slots whose engine adjoint lies outside ``expected``."""
    undefined: dict[int, str] = field(default_factory=dict)
    """Steps the op is undefined for at the engine's own operands, and why."""
    unchecked: int = 0

    def expected(self, s: int) -> Fl | None:
        """The adjoint a correct engine computes for slot ``s`` from the engine's own consumer adjoints."""
        ends = self.expected_ends[s]
        return None if ends is None else Fl(*ends)

    def envelope(self, s: int) -> Fl:
        """Every adjoint of slot ``s`` a correct engine may compute at the engine's forward values."""
        return Fl(*self.envelope_ends[s])

    def best(self, s: int) -> Fl:
        """The adjoint of slot ``s`` the most careful engine computes there."""
        return Fl(*self.best_ends[s])

    def close(self, s: int) -> Fl:
        """Every adjoint of slot ``s`` an engine whose rules keep their digits computes there."""
        return Fl(*self.close_ends[s])

    @property
    def uses(self) -> list[list[tuple[int, int]]]:
        """Per slot, its checked uses: (consumer slot, operand index). Built when blame needs it."""
        if self._uses is None:
            size = len(self.expected_ends)
            uses: list[list[tuple[int, int]]] = [[] for _ in range(size)]
            for node in self.nodes:
                here = self.allowed.get(node.slot)
                if here is None:
                    continue
                for i, a in enumerate(node.args):
                    if a is not None and here.partials[i] is not None:
                        uses[a].append((node.slot, i))
            self._uses = uses
        return self._uses


def operand_floats(node: Node, values: Sequence[float]) -> list[float]:
    args, consts = node.args, node.consts  # unrolled: this runs once per node
    a = args[0]
    first = values[a] if a is not None else consts[0]
    if len(args) == 1:
        return [first]  # type: ignore[list-item]
    b = args[1]
    return [first, values[b] if b is not None else consts[1]]  # type: ignore[list-item]


def sweep(
    program: Program,
    nodes: list[Node],
    data: Sequence[float | None],
    grad: Sequence[float | None],
    exact_values: Sequence[Ball],
) -> Sweep:
    """Check every node's value, then every adjoint, against the engine's own neighbours."""
    result = Sweep()
    size = program.size
    # The engine's values where it gave them, else the exact ones: each check sits at the engine's point.
    values = [d if d is not None else to_float(exact_values[s]) for s, d in enumerate(data)]
    live = program.feeding_output()
    for node in nodes:
        s = node.slot
        xs = operand_floats(node, values)
        try:
            here = allowed(node.calc, xs, data[s], node.variable)
        except UndefinedHere as error:
            if s in live:  # a node the output does not use cannot spoil its gradient
                result.undefined[s] = str(error)
            continue
        result.allowed[s] = here
        d = data[s]
        if d is None:
            continue
        if d not in here.value:
            result.forward_faults.append(s)
        elif d not in here.precise:
            result.imprecise.append(s)
        elif here.partials is here.best:
            # a value that passed is never read again: on a big graph its intervals are most of a
            # node's allowance
            here.value = here.exact_value = here.precise = SETTLED
    _reverse(result, program, nodes, grad, size)
    return result


SETTLED = Fl(-math.inf, math.inf)
"""In place of a passed node's value intervals: they are not kept."""


def _reverse(
    result: Sweep, program: Program, nodes: list[Node], grad: Sequence[float | None], size: int
) -> None:
    """The reverse sweep: each slot's expected adjoint, envelope, best and close sets, from its consumers.

    One function of about 120 lines on purpose: its inner loop runs once per edge of graphs of a
    million nodes, with the point-partial case written out and the sweep's lists held in locals, so a
    helper per node or per edge would put a Python call (and its argument passing) on the hottest path.
    """
    # Each slot collects its terms, (consumer's adjoint) x (allowed partial), three ways:
    # e from the engine's adjoints, v the envelope, b the most careful engine. Ends are
    # (lo, hi) pairs here: this loop visits every edge of graphs of 100,000 nodes.
    twins = all(here.partials is here.best for here in result.allowed.values())
    # One list per slot, emptied once the slot is finished: a slot's terms all come from consumers
    # above it, so only the frontier of the sweep holds terms (a 1e6-node graph, 100s of MB less).
    e_terms: list[list[tuple[float, float]]] = [[] for _ in range(size)]
    v_terms: list[list[tuple[float, float]]] = [[] for _ in range(size)]
    b_terms: list[list[tuple[float, float]]] = [[] for _ in range(size)] if not twins else v_terms
    c_terms: list[list[tuple[float, float]]] = [[] for _ in range(size)] if not twins else v_terms
    blind = [False] * size
    unbounded = [False] * size
    expected: list[tuple[float, float] | None] = [None] * size
    envelope: list[tuple[float, float]] = [(0.0, 0.0)] * size
    best: list[tuple[float, float]] = [(0.0, 0.0)] * size
    close: list[tuple[float, float]] = [(0.0, 0.0)] * size
    first = size - len(nodes)  # nodes are the steps, in slot order
    out = size - 1
    e_terms[out] = [(1.0, 1.0)]
    v_terms[out] = [(1.0, 1.0)]
    if not twins:
        b_terms[out] = [(1.0, 1.0)]
        c_terms[out] = [(1.0, 1.0)]
    done: list[tuple[float, float]] = []
    isfinite = math.isfinite
    everything = (-math.inf, math.inf)
    mismatches = result.mismatches
    for s in range(out, -1, -1):
        if unbounded[s]:
            v = b = c = everything
        else:
            v = _finish(v_terms[s])
            b = v if twins else _finish(b_terms[s])
            c = v if twins else _finish(c_terms[s])
        envelope[s] = v
        best[s] = b
        close[s] = c
        g = grad[s]
        known = g is not None and isfinite(g)
        if not blind[s]:
            x = expected[s] = _finish(e_terms[s])
            if known and not x[0] <= g <= x[1]:  # type: ignore[operator]
                mismatches.append(s)
        e_terms[s] = v_terms[s] = b_terms[s] = c_terms[s] = done
        if g is None or blind[s]:
            result.unchecked += 1
        if s < first:
            continue
        node = nodes[s - first]
        here = result.allowed.get(s)
        if here is None and s not in result.undefined:
            continue  # not used by the output, and undefined at the engine's operands
        if here is None:  # undefined at the engine's operands: nothing below can be checked
            for a in node.args:
                if a is not None:
                    blind[a] = unbounded[a] = True
            continue
        vlo, vhi = v
        tinies = here.tiny
        for i, a in enumerate(node.args):
            p = here.partials[i]
            if a is None or p is None:
                continue
            if tinies is not None and tinies[i] is not None:
                _tiny_edge(here, i, a, g if known else None, v, b, c, (e_terms, v_terms, b_terms, c_terms),
                           twins)
                if not known:
                    blind[a] = True
                continue
            plo, phi = p.lo, p.hi
            if plo == phi:  # the common case, written out: a point partial
                if known:
                    r = g * plo  # type: ignore[operator]
                    if -_NORMAL < r < _NORMAL:
                        if g and plo:
                            e_terms[a].append((r - REROUNDED, r + REROUNDED))
                    elif r:
                        e_terms[a].append((r, r) if r == r else (0.0, 0.0))
                if vlo == vhi:
                    r = vlo * plo
                    if -_NORMAL < r < _NORMAL:
                        if vlo and plo:
                            v_terms[a].append((r - REROUNDED, r + REROUNDED))
                    elif r:
                        v_terms[a].append((r, r) if r == r else (0.0, 0.0))
                else:
                    t = _times(vlo, vhi, plo, phi)
                    if t != (0.0, 0.0):
                        v_terms[a].append(t)
            else:
                if known:
                    t = _times(g, g, plo, phi)  # type: ignore[arg-type]
                    if t != (0.0, 0.0):
                        e_terms[a].append(t)
                t = _times(vlo, vhi, plo, phi)
                if t != (0.0, 0.0):
                    v_terms[a].append(t)
            if not known:
                blind[a] = True
            if not twins:
                q = here.best[i]
                assert q is not None
                t = _times(b[0], b[1], q.lo, q.hi)
                if t != (0.0, 0.0):
                    b_terms[a].append(t)
                k = here.close[i] if here.close is not None else p
                assert k is not None
                t = _times(c[0], c[1], k.lo, k.hi)
                if t != (0.0, 0.0):
                    c_terms[a].append(t)
    result.expected_ends, result.envelope_ends = expected, envelope
    result.best_ends = envelope if twins else best  # every allowed partial exact: the same sets
    result.close_ends = envelope if twins else close
    result.nodes = nodes


def tiny_times(alo: float, ahi: float, scaled: tuple[float, float]) -> tuple[float, float]:
    """Every float a grad-first engine gets for [alo, ahi] times a partial below the subnormals, given
    as ``scaled`` = partial * 2**1074: ``(g * k) * x**(k - 1)`` is the exact product to a few ulps,
    where partial-first gives 0."""
    lo, hi = _times(alo, ahi, scaled[0], scaled[1])
    lo, hi = math.ldexp(lo, -SUBNORMAL_SCALE), math.ldexp(hi, -SUBNORMAL_SCALE)
    return lo - BASE_ULPS * math.ulp(lo), hi + BASE_ULPS * math.ulp(hi)


def _tiny_edge(
    here: Allowed, i: int, a: int, g: float | None, v: tuple[float, float], b: tuple[float, float],
    c: tuple[float, float], terms: tuple[list[list[tuple[float, float]]], ...], twins: bool,
) -> None:
    """One edge whose partial lies below the subnormals: each term is the hull of the partial-first
    product (0, or one subnormal times the adjoint) and the grad-first one (``tiny_times``)."""
    e_terms, v_terms, b_terms, c_terms = terms
    scaled = here.tiny[i]  # type: ignore[index]
    assert scaled is not None
    p = here.partials[i]
    assert p is not None

    def add(to: list[tuple[float, float]], adjoint: tuple[float, float], partial: Fl) -> None:
        first = _times(adjoint[0], adjoint[1], partial.lo, partial.hi)
        later = tiny_times(adjoint[0], adjoint[1], scaled)
        t = (min(first[0], later[0]), max(first[1], later[1]))
        if t != (0.0, 0.0):
            to.append(t)

    if g is not None:
        add(e_terms[a], (g, g), p)
    add(v_terms[a], v, p)
    if not twins:
        q = here.best[i]
        k = here.close[i] if here.close is not None else p
        assert q is not None and k is not None
        add(b_terms[a], b, q)
        add(c_terms[a], c, k)


def _finish(terms: list[tuple[float, float]]) -> tuple[float, float]:
    """Every float an engine's sum of these terms can be, in any order."""
    n = len(terms)
    if n == 1:
        return terms[0]
    if not n:
        return (0.0, 0.0)
    if n == 2:
        (a, b), (c, d) = terms
        return _plus(a, c, -math.inf), _plus(b, d, math.inf)
    lo = [t[0] for t in terms]
    hi = [t[1] for t in terms]
    if any(not math.isfinite(x) for x in lo + hi):
        return (-math.inf if any(x == -math.inf for x in lo) else _total(lo, -math.inf),
                math.inf if any(x == math.inf for x in hi) else _total(hi, math.inf))
    try:
        slack = summation(n, math.fsum(max(-a, b) for a, b in terms))
        return below(math.fsum(lo) - slack), above(math.fsum(hi) + slack)
    except OverflowError:  # the sizes add up past float64: sums taken scaled down, overflow allowed
        return _near_overflow(terms, lo, hi)


_MAX = 1.7976931348623157e308


def _scaled_sum(xs: Sequence[float], k: int) -> float:
    """The sum of finite ``xs`` times 2**-k (to one rounding), for 2**k above their count: no
    intermediate overflow. Numbers too small to scale exactly are summed first, then scaled."""
    exact_from = 2.0 ** (k - 1021)
    big = math.fsum(math.ldexp(x, -k) for x in xs if abs(x) >= exact_from)
    return big + math.ldexp(math.fsum(x for x in xs if abs(x) < exact_from), -k)


def _total(xs: Sequence[float], nan: float) -> float:
    """The sum of ``xs``, inf where it leaves float64 (``nan`` for inf - inf)."""
    if math.inf in xs and -math.inf in xs:
        return nan
    try:
        return math.fsum(xs)
    except OverflowError:
        k = len(xs).bit_length() + 1
        return _scaled_sum([x for x in xs if math.isfinite(x)], k) * 2.0**k  # inf past float64


def _near_overflow(
    terms: list[tuple[float, float]], lo: list[float], hi: list[float]
) -> tuple[float, float]:
    """``_finish`` where the terms' sizes add up past the largest float: in some order of summation a
    partial sum may overflow, and that side is unbounded; the other is bounded as usual, scaled by 2**-k."""
    n = len(terms)
    k = n.bit_length() + 1  # n numbers below the largest float add up to less than 2**k of it
    growth = 1.0 + 2 * n * U
    slack = summation(n, _scaled_sum([max(-a, b) for a, b in terms], k)) * 2.0**k
    limit = math.ldexp(_MAX, -k)
    up = _scaled_sum([b for b in hi if b > 0], k) * growth
    down = _scaled_sum([-a for a in lo if a < 0], k) * growth
    top = math.inf if up >= limit else above(_scaled_sum(hi, k) * 2.0**k + slack)
    bottom = -math.inf if down >= limit else below(_scaled_sum(lo, k) * 2.0**k - slack)
    return bottom, top


def _plus(a: float, b: float, nan: float) -> float:
    r = a + b
    return nan if r != r else r  # inf - inf: unbounded that way


_NORMAL = 2.2250738585072014e-308
REROUNDED = 5e-324
"""How far the same product taken in another order may land where it is subnormal: one more rounding
to the spacing 2**-1074 (``(g * s) * (1 - s)`` for sigmoid, ``(2 * x) * g`` for ``x * x``)."""


def _times(alo: float, ahi: float, plo: float, phi: float) -> tuple[float, float]:
    """Every float an engine gets multiplying [alo, ahi] by [plo, phi]: the ends rounded to nearest
    (monotonic, so they bound it), and where they are subnormal, ``REROUNDED`` for another order of
    the factors; 0 x inf is 0 (inf is a bound, not a value)."""
    if alo == ahi == 0.0 or plo == phi == 0.0:
        return 0.0, 0.0
    if alo == ahi and plo == phi:
        r = alo * plo
        if -_NORMAL < r < _NORMAL:
            return r - REROUNDED, r + REROUNDED
        return (0.0, 0.0) if r != r else (r, r)
    ends = [alo * plo, alo * phi, ahi * plo, ahi * phi]
    ends = [0.0 if e != e else e for e in ends]
    lo, hi = min(ends), max(ends)
    if -_NORMAL < lo < _NORMAL:
        lo -= REROUNDED
    if -_NORMAL < hi < _NORMAL:
        hi += REROUNDED
    return lo, hi
