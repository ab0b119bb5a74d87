"""What a correct float64 engine may compute for one node, at the engine's own operands.

For the node's value and for each local partial the allowed set is the hull of

- the exact value (a certified ball) widened by ``BASE_ULPS`` ulps: any engine
  that is right to a few ulps passes, whatever formula it uses;
- every formula the op's row accepts (``Op.accepts``: ``1 - out**2`` and
  ``1/cosh(x)**2`` for tanh, ``s*(1-s)`` and ``s(x)*s(-x)`` for sigmoid,
  ``k * x**(k - 1)`` with ``k - 1`` rounded, ...), evaluated on float
  intervals (``floats.FL``), so their rounding, cancellation, underflow and
  overflow are exactly what an engine using them meets.

The allowance is data beside each row: a new op states its own error model.
Nothing here reads the engine's ``grad``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from micrograd.ops import Op

from ..oracle.ball import Ball, ball, enclosure, finite, tight, workprec
from ..oracle.calculus import Calculus
from .floats import FL, Fl, Inapplicable, Outward, above, around, below

BASE_ULPS = 4.0
"""Any correct engine is within this many ulps of the exact value of each op and each partial."""

_PRECISIONS = (96, 256, 1024, 4096, 16384)
"""Bits tried for an exact value at the engine's operands, until the ball is tight."""
_TIGHT_BITS = 70
_FLOOR = ball(2.0) ** -1100  # below every subnormal's spacing: tight enough for any float


@dataclass(slots=True)
class Allowed:
    """One node's allowed value and partials; ``exact_*`` are the exact enclosures before widening."""

    value: Fl
    exact_value: Fl
    partials: list[Fl | None]
    best: list[Fl | None]
    """The exact partials rounded to nearest: what the most careful engine gives."""
    precise: Fl
    """The exact value widened by ``BASE_ULPS``: a value outside it but inside ``value`` is imprecise."""
    kink: bool = False
    close: list[Fl | None] | None = None
    """The exact partials widened by ``BASE_ULPS`` (None: the same as ``partials``): what an engine
    whose rules keep their digits gives; a gradient outside their envelope came from a lossy rule."""
    tiny: list[tuple[float, float] | None] | None = None
    """Per partial whose exact value lies below the smallest subnormal: that value times 2**1074, as
    float ends. A partial-first engine rounds such a partial to 0 (``partials``); a grad-first one,
    ``(g * k) * x**(k - 1)``, gets the adjoint's contribution right (``local.tiny_times``)."""


class UndefinedHere(ArithmeticError):
    """The op or a partial has no finite value at the engine's operands."""


def allowed(calc: Calculus, xs: Sequence[float], out: float | None, variable: Sequence[bool]) -> Allowed:
    """The allowance at the engine's operands ``xs`` and output ``out``.

    ``variable[i]`` is False for a constant operand (it gets no partial).
    """
    row = calc.row
    if calc.one_operation and not row.accepts.values and not row.accepts.partials:
        quick = _quick(calc, xs, variable)
        if quick is not None:
            return quick
    exact_value, precise = _exact_value(calc, xs)
    value = precise
    points = [Fl(x) for x in xs]
    for form in row.accepts.values:
        value = _hull(value, form, points)
    sides = calc.kink(xs[0]) if calc.sides else None
    partials: list[Fl | None] = []
    best: list[Fl | None] = []
    close: list[Fl | None] = []
    tiny: list[tuple[float, float] | None] | None = None
    seen = Fl(out) if out is not None else Fl(_mid(exact_value))
    for i, p in enumerate(calc.partials):
        if p is None or not variable[i]:
            partials.append(None)
            best.append(None)
            close.append(None)
            continue
        if i == 0 and sides is not None:
            kink = Fl(min(sides), max(sides))
            partials.append(kink)
            best.append(kink)
            close.append(kink)
            continue
        exact_partial, nearest, widened = _exact_partial(calc, i, xs)
        scaled = _below_subnormals(exact_partial)
        if scaled is not None:
            # no padding of +-4 subnormals, which a huge adjoint would blow up: the partial rounds to
            # 0 (or one subnormal), and grad-first orders are bounded in the sweep
            widened = Fl(nearest).hull(Fl(0.0))
            if tiny is None:
                tiny = [None] * len(calc.partials)
            tiny[i] = scaled
        best.append(Fl(nearest))
        close.append(widened)
        forms = row.accepts.partials[i] if i < len(row.accepts.partials) else ()
        total = widened
        for form in forms:
            total = _hull(total, form, [seen, *points])
        partials.append(total)
    return Allowed(value, exact_value, partials, best, precise, kink=sides is not None, close=close,
                   tiny=tiny)


def _quick(calc: Calculus, xs: Sequence[float], variable: Sequence[bool]) -> Allowed | None:
    """The common case without intervals: one float operation whose partials are exact floats."""
    partials: list[Fl | None] = []
    shared = True
    for i, p in enumerate(calc.partials):
        if p is None or not variable[i]:
            partials.append(None)
            continue
        if i == 0 and calc.sides and calc.kink(xs[0]) is not None:
            return None
        if p.constant is not None:  # 1.0 of add, -1.0 of sub: one shared object, not one per node
            point = _POINTS.get(p.constant)
            if point is None:
                point = _POINTS[p.constant] = Fl(p.constant)
            partials.append(point)
            continue
        v = p.on_floats(xs)
        if v is None:
            return None
        if p.operand is not None and not variable[p.operand] and math.isfinite(v):
            # a constant operand (mul by 0.5): the same point at every node that uses it
            key = (v, math.copysign(1.0, v))
            point = _OPERAND_POINTS.get(key)
            if point is None:
                point = Fl(v)
                if len(_OPERAND_POINTS) < SHARED_MAX:
                    _OPERAND_POINTS[key] = point
            partials.append(point)
            continue
        partials.append(Fl(v))
        shared = False
    if shared:  # only shared points: the list is shared too (a million-node graph: 90 MB less)
        points = tuple(partials)
        known = _POINT_LISTS.get(points)
        if known is not None:
            partials = known
        elif len(_POINT_LISTS) < SHARED_MAX:
            _POINT_LISTS[points] = partials
    try:
        r = calc.row.math(_FLOATS, *xs)
    except (ArithmeticError, ValueError):
        return None
    if not math.isfinite(r):
        return None
    exact_value = Fl(below(r), above(r))  # one rounding: the exact value is within half an ulp
    value = exact_value.widened(BASE_ULPS)
    return Allowed(value, exact_value, partials, partials, value)


_FLOATS = type(FL)(abs=abs, max=max)
_POINTS: dict[float, Fl] = {}
"""Constant partials as float intervals, made once (never changed: an ``Fl`` is not modified in place)."""
SHARED_MAX = 4096
"""At most this many shared points and lists are kept (a campaign meets millions of constants)."""
_OPERAND_POINTS: dict[tuple[float, float], Fl] = {}
"""Constant operands as partials (``x * 0.5``'s 0.5), made once; keyed with the sign (0.0 and -0.0)."""
_POINT_LISTS: dict[tuple[Fl | None, ...], list[Fl | None]] = {}
"""Lists of constant partials, made once (never changed: an allowance's partials are only read)."""


def _mid(x: Fl) -> float:
    return x.lo / 2 + x.hi / 2 if x.finite else (x.lo if math.isfinite(x.lo) else x.hi)


def _hull(total: Fl, form: Callable[..., Any], args: list[Fl]) -> Fl:
    try:
        got = form(FL, *args)
    except (Inapplicable, ZeroDivisionError, OverflowError, ValueError):
        return total  # an engine using it here raises or gives nan: judged apart
    got = got if isinstance(got, Fl) else Fl(float(got))
    if not (got.lo == got.lo and got.hi == got.hi) or not got.finite:
        return total
    return total.hull(got)


def _exact_value(calc: Calculus, xs: Sequence[float]) -> tuple[Fl, Fl]:
    """The op's exact value at the float operands: an enclosure, and the floats within ``BASE_ULPS`` of it."""
    if _exact_in_floats(calc.row):
        try:
            got = calc.row.math(_EXACT, *(Outward(x) for x in xs))
        except (Inapplicable, ZeroDivisionError) as error:
            raise UndefinedHere(f"{calc.row.name} is undefined here ({error})") from None
        got = got if isinstance(got, Fl) else Outward(float(got)) + 0.0
        return got, got.widened(BASE_ULPS)
    enclosed, nearest, widened = _enclose(lambda args: calc.value(args), xs, f"{calc.row.name}'s value")
    if enclosed.is_exact() and ball(nearest) == enclosed:
        return Fl(nearest), widened
    return Fl(*enclosure(enclosed)), widened


AMPLIFIED = 5.0
"""Ulps, per unit of |ln p|, a grad-first product with a partial p below the subnormals may be off:
``(g * k) * exp((k - 1) * log x)`` rounds L = (k - 1) * log x to LIBM_ULPS + 1 ulps, and exp turns
that into |L| times as many ulps of its result."""
SUBNORMAL_SCALE = 1074
"""2**-1074 is the smallest subnormal: a partial below it is carried scaled by 2**1074."""
_SMALLEST = 5e-324


def _below_subnormals(exact: Fl | Ball) -> tuple[float, float] | None:
    """A nonzero exact partial strictly inside (-2**-1074, 2**-1074), times 2**1074 (float ends, rounded
    outward); None otherwise."""
    if isinstance(exact, Fl):
        return None  # a float interval: a constant, an operand, or exact in floats
    if exact.is_zero() or not (abs(exact) < ball(_SMALLEST)):
        return None
    with workprec(128):
        lo, hi = enclosure(exact * ball(2) ** SUBNORMAL_SCALE)
        size = float(abs(exact).upper().log())  # ln |p|: below -744
    # A grad-first engine reaches such a partial through exp(L), L = (k - 1) * log x about ln |p|:
    # L's own rounding, times |L|, is a relative error of exp(L).
    spread = min(1.0, (BASE_ULPS + AMPLIFIED * abs(size)) * 2.0**-53)
    return (lo - spread * abs(lo), hi + spread * abs(hi))


def _exact_partial(calc: Calculus, i: int, xs: Sequence[float]) -> tuple[Fl | Ball, float, Fl]:
    """The exact partial: an enclosure (a ball where it needed one), the float nearest it (what the most
    careful engine gives), and the floats within ``BASE_ULPS`` ulps of it."""
    p = calc.partials[i]
    assert p is not None
    if p.constant is not None:
        return Fl(p.constant), p.constant, Fl(p.constant)
    if p.operand is not None:
        return Fl(xs[p.operand]), xs[p.operand], Fl(xs[p.operand])
    got, nearest, widened = _enclose(lambda args: calc.partial(i, args), xs, f"{calc.row.name}'s derivative")
    return got, nearest, widened


def _enclose(f: Callable[[list[Ball]], Ball], xs: Sequence[float], what: str) -> tuple[Ball, float, Fl]:
    """``f`` at the exact float operands, from balls tightened as needed: a float interval holding it,
    the float nearest it, and every float within ``BASE_ULPS`` ulps of it."""
    got = None
    for bits in _PRECISIONS:
        with workprec(bits):
            got = f([ball(x) for x in xs])
            if finite(got) and tight(got, _TIGHT_BITS, _FLOOR):
                break
    assert got is not None
    if not finite(got):
        raise UndefinedHere(f"{what} is undefined here")
    nearest = float(got.mid())
    return got, nearest, around(got, nearest, BASE_ULPS)


class _NotExact(Exception):
    """The op needs more than + - * / on floats (exp, pow, ...): evaluate it on balls."""


class _Exact(Outward):
    """Float intervals whose ** is refused: a power is a math-library call, not exact."""

    __slots__ = ()

    def __pow__(self, other: Any) -> Fl:
        raise _NotExact()

    def __rpow__(self, other: Any) -> Fl:
        raise _NotExact()


def _refuse(*_: Any) -> Any:
    raise _NotExact()


_EXACT = type(FL)(
    exp=_refuse, log=_refuse, tanh=_refuse, cosh=_refuse, sin=_refuse, cos=_refuse, sqrt=_refuse,
    abs=abs, max=FL.max, e=None,
)


@cache
def _exact_in_floats(row: Op) -> bool:
    """Whether the op's definition uses only + - * / (and max, abs): then float intervals are exact."""
    try:
        row.math(_EXACT, *(_Exact(0.75) for _ in range(row.arity)))
    except _NotExact:
        return False
    except (Inapplicable, ZeroDivisionError):
        return True
    return True
