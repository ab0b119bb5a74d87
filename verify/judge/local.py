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
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..oracle.ball import Ball, to_float
from ..oracle.exact import Node
from ..program import Program
from .allowance import BASE_ULPS, SUBNORMAL_SCALE, Allowed, UndefinedHere, allowed
from .floats import Fl, above, below

U = 2.0**-53
"""The unit roundoff of float64."""

Terms = dict[int, list[tuple[float, float]]]
"""Per slot not yet finished, the terms its adjoint sums (only the sweep's frontier holds any)."""


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


class Allowances:
    """Per slot, its node's allowance, where it has one: a list by slot, not a dict (on a graph of a
    million nodes, about 30 MB less). Read as a mapping: ``get``, ``[s]``, ``in``, ``values()``."""

    __slots__ = ("_at",)

    def __init__(self, size: int) -> None:
        self._at: list[Allowed | None] = [None] * size

    def get(self, s: int) -> Allowed | None:
        return self._at[s] if 0 <= s < len(self._at) else None

    def __getitem__(self, s: int) -> Allowed:
        here = self.get(s)
        if here is None:
            raise KeyError(s)
        return here

    def __setitem__(self, s: int, here: Allowed) -> None:
        self._at[s] = here

    def __contains__(self, s: object) -> bool:
        return isinstance(s, int) and self.get(s) is not None

    def values(self) -> Iterator[Allowed]:
        return (here for here in self._at if here is not None)


class Ends:
    """Per slot, the ends (lo, hi) of an interval, or None where it is unknown: two float arrays, not a
    tuple per slot (on a graph of a million nodes, about 100 MB less for each such list)."""

    __slots__ = ("lo", "hi", "unknown")

    def __init__(self, size: int) -> None:
        self.lo = array("d", bytes(8 * size))
        self.hi = array("d", bytes(8 * size))
        self.unknown: bytearray | None = None
        """Nonzero where the interval is unknown (None: known everywhere)."""

    def __len__(self) -> int:
        return len(self.lo)

    def fl(self, s: int) -> Fl:
        """Slot ``s``'s interval (known)."""
        return Fl(self.lo[s], self.hi[s])

    def __getitem__(self, s: int) -> tuple[float, float] | None:
        if self.unknown is not None and self.unknown[s]:
            return None
        return self.lo[s], self.hi[s]


@dataclass
class Sweep:
    """What the per-node sweep found, slot by slot."""

    allowed: Allowances = field(default_factory=lambda: Allowances(0))
    expected_ends: Ends = field(default_factory=lambda: Ends(0))
    """Per slot, (lo, hi) from the engine's consumer adjoints; None where one of them is unknown."""
    envelope_ends: Ends = field(default_factory=lambda: Ends(0))
    best_ends: Ends = field(default_factory=lambda: Ends(0))
    close_ends: Ends = field(default_factory=lambda: Ends(0))
    nodes: list[Node] = field(default_factory=list)
    _uses: Uses | None = None
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
        return self.envelope_ends.fl(s)

    def best(self, s: int) -> Fl:
        """The adjoint of slot ``s`` the most careful engine computes there."""
        return self.best_ends.fl(s)

    def close(self, s: int) -> Fl:
        """Every adjoint of slot ``s`` an engine whose rules keep their digits computes there."""
        return self.close_ends.fl(s)

    @property
    def uses(self) -> Uses:
        """Per slot, its checked uses: (consumer slot, operand index). Built when blame needs it."""
        if self._uses is None:
            self._uses = Uses(len(self.expected_ends), self.nodes, self.allowed)
        return self._uses


class Uses:
    """Per slot, the list of its checked uses (consumer slot, operand index), in consumer order.

    Held in flat integer arrays, not a list per slot: on a graph of a million nodes that is over
    100 MB less.
    """

    __slots__ = ("_start", "_consumer", "_index")

    def __init__(self, size: int, nodes: Sequence[Node], allowed: Allowances) -> None:
        start = array("q", bytes(8 * (size + 1)))
        checked = [(node, here) for node in nodes if (here := allowed.get(node.slot)) is not None]
        for node, here in checked:
            for i, a in enumerate(node.args):
                if a is not None and here.partials[i] is not None:
                    start[a + 1] += 1
        for s in range(size):
            start[s + 1] += start[s]
        fill = array("q", start)
        consumer, index = array("q", bytes(8 * start[size])), array("q", bytes(8 * start[size]))
        for node, here in checked:
            for i, a in enumerate(node.args):
                if a is not None and here.partials[i] is not None:
                    at = fill[a]
                    consumer[at], index[at] = node.slot, i
                    fill[a] = at + 1
        self._start, self._consumer, self._index = start, consumer, index

    def __getitem__(self, s: int) -> list[tuple[int, int]]:
        lo, hi = self._start[s], self._start[s + 1]
        return list(zip(self._consumer[lo:hi], self._index[lo:hi], strict=True))


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
    memo: dict[tuple[float | None, ...], Allowed] | None = None,
) -> Sweep:
    """Check every node's value, then every adjoint, against the engine's own neighbours.

    ``memo`` keeps each node's allowance by its operands and output, for other engines' runs of the
    same program (most give the same floats); its allowances are then never modified.
    """
    size = program.size
    result = Sweep(Allowances(size))
    # The engine's values where it gave them, else the exact ones: each check sits at the engine's point.
    values = [d if d is not None else to_float(exact_values[s]) for s, d in enumerate(data)]
    live: set[int] | None = None
    shared: dict[int, Allowed] = {}
    for node in nodes:
        s = node.slot
        xs = operand_floats(node, values)
        key = None if memo is None else _memo_key(s, xs, data[s])
        here = None if key is None or memo is None else memo.get(key)
        if here is None:
            try:
                here = allowed(node.calc, xs, data[s], node.variable)
            except UndefinedHere as error:
                if live is None:
                    live = program.feeding_output()
                if s in live:  # a node the output does not use cannot spoil its gradient
                    result.undefined[s] = str(error)
                continue
            if key is not None and memo is not None:
                memo[key] = here
        result.allowed[s] = here
        d = data[s]
        if d is None:
            continue
        if d not in here.value:
            result.forward_faults.append(s)
        elif d not in here.precise:
            result.imprecise.append(s)
        elif here.partials is here.best and memo is None:
            # a value that passed is never read again: on a big graph its intervals are most of a
            # node's allowance
            if here.kink or here.close is not None or here.tiny is not None:
                here.value = here.exact_value = here.precise = SETTLED
                continue
            # and passed nodes with the same partials list (constants such as add's 1.0) share one
            settled = shared.get(id(here.partials))
            if settled is None:
                settled = shared[id(here.partials)] = Allowed(SETTLED, SETTLED, here.partials, here.best,
                                                              SETTLED)
            result.allowed[s] = settled
    _reverse(result, program, nodes, grad, size)
    return result


def _memo_key(s: int, xs: list[float], out: float | None) -> tuple[float | None, ...]:
    key = (s, out, *xs)
    if 0.0 in key[1:]:  # -0.0 == 0.0: told apart by their signs
        return (*key, *(math.copysign(1.0, v) for v in key[1:] if v is not None))
    return key


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
    e_terms: Terms = defaultdict(list)
    v_terms: Terms = defaultdict(list)
    b_terms: Terms = defaultdict(list) if not twins else v_terms
    c_terms: Terms = defaultdict(list) if not twins else v_terms
    blind = bytearray(size)
    unbounded = bytearray(size)
    expected, envelope = Ends(size), Ends(size)
    expected.unknown = blind  # a slot with a consumer whose adjoint is unknown has no expected adjoint
    best = envelope if twins else Ends(size)
    close = envelope if twins else Ends(size)
    elo, ehi, vlo_at, vhi_at = expected.lo, expected.hi, envelope.lo, envelope.hi
    blo_at, bhi_at, clo_at, chi_at = best.lo, best.hi, close.lo, close.hi
    first = size - len(nodes)  # nodes are the steps, in slot order
    out = size - 1
    e_terms[out] = [(1.0, 1.0)]
    v_terms[out] = [(1.0, 1.0)]
    if not twins:
        b_terms[out] = [(1.0, 1.0)]
        c_terms[out] = [(1.0, 1.0)]
    isfinite = math.isfinite
    everything = (-math.inf, math.inf)
    mismatches = result.mismatches
    for s in range(out, -1, -1):
        vt, et = v_terms.pop(s, ()), e_terms.pop(s, ())
        bt = vt if twins else b_terms.pop(s, ())
        ct = vt if twins else c_terms.pop(s, ())
        if unbounded[s]:
            v = b = c = everything
        else:
            v = _finish(vt)
            b = v if twins else _finish(bt)
            c = v if twins else _finish(ct)
        vlo_at[s], vhi_at[s] = v
        if not twins:
            blo_at[s], bhi_at[s] = b
            clo_at[s], chi_at[s] = c
        g = grad[s]
        known = g is not None and isfinite(g)
        if not blind[s]:
            x = _finish(et)
            elo[s], ehi[s] = x
            if known and not x[0] <= g <= x[1]:  # type: ignore[operator]
                mismatches.append(s)
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
                    blind[a] = unbounded[a] = 1
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
                    blind[a] = 1
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
                blind[a] = 1
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
    result.best_ends = best  # with every allowed partial exact, the envelope: the same sets
    result.close_ends = close
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
    c: tuple[float, float], terms: tuple[Terms, ...], twins: bool,
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


def _finish(terms: Sequence[tuple[float, float]]) -> tuple[float, float]:
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
    terms: Sequence[tuple[float, float]], lo: list[float], hi: list[float]
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
