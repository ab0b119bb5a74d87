"""What a float64 engine can compute: intervals that hold every result of a formula in floats.

``Fl`` is an interval of floats. Its + - * / round each end to nearest,
as IEEE does: on two points that is the one float any engine computes, and
since rounding to nearest is monotonic, on wider intervals the ends bound
every result an engine can get from operands inside. Math functions (``FL``
namespace) stand for a correct engine's math library: each is evaluated
exactly on balls, then may be off by ``LIBM_ULPS`` ulps (but a true value
that is all but a float is that float: ``SATURATED``). Evaluating an op's
formula on ``Fl`` points therefore encloses what any engine using that
formula, in that order, computes: rounded constants (``k - 1.0``),
cancellation (``1 - out * out`` is exactly 0 at out = 1.0), underflow and
overflow included. ``Outward`` rounds outward on points too: its results
hold the exact real value.

A formula that cannot run at a point (a pole, log of a negative number, a
nan) raises ``Inapplicable``: an engine using it there would raise or give
nan, which is judged on its own.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

from ..oracle.ball import MAX_FLOAT, Ball, ball, enclosure, workprec

LIBM_ULPS = 4.0
"""How far a correct engine's exp, log, tanh, pow, sin, ... may be from the true value, in ulps."""

_INF = math.inf
_down = math.nextafter
_ulp = math.ulp


class Inapplicable(ArithmeticError):
    """The formula has no finite float value here (a pole, a domain error, inf - inf)."""


def below(x: float) -> float:
    return _down(x, -_INF)


def above(x: float) -> float:
    return _down(x, _INF)


def _checked(cls: type[Fl], lo: float, hi: float) -> Fl:
    if lo != lo or hi != hi:  # nan
        raise Inapplicable("nan")
    if cls.rounds_points:
        return cls(lo, hi)  # the IEEE results themselves
    return cls(below(lo), above(hi))


def _number(x: Any) -> Fl:
    if isinstance(x, Fl):
        return x
    f = float(x)
    return Fl(f)


def _ends(x: Any) -> tuple[float, float]:
    o = _number(x)
    return o.lo, o.hi


class Fl:
    """The float interval [lo, hi]; lo <= hi, either may be infinite."""

    __slots__ = ("lo", "hi")
    rounds_points = True
    """Round each end to nearest, as an engine does (False: round outward, to hold the exact result)."""

    def __init__(self, lo: float, hi: float | None = None) -> None:
        self.lo = lo
        self.hi = lo if hi is None else hi

    def __repr__(self) -> str:
        return f"Fl({self.lo!r}, {self.hi!r})"

    def __contains__(self, x: float) -> bool:
        return self.lo <= x <= self.hi

    @property
    def finite(self) -> bool:
        return self.lo > -_INF and self.hi < _INF

    @property
    def magnitude(self) -> float:
        return max(-self.lo, self.hi)

    def hull(self, other: Fl) -> Fl:
        return Fl(min(self.lo, other.lo), max(self.hi, other.hi))

    def widened(self, ulps: float) -> Fl:
        """Each end moved out by ``ulps`` of its own size (never by 0: at least the smallest subnormal)."""
        lo, hi = self.lo, self.hi
        return Fl(lo - ulps * _ulp(lo) if lo != -_INF else lo, hi + ulps * _ulp(hi) if hi != _INF else hi)

    def distance(self, x: float) -> float:
        """How far ``x`` lies outside (0 inside)."""
        if x < self.lo:
            return self.lo - x
        if x > self.hi:
            return x - self.hi
        return 0.0

    # ---- arithmetic, rounded outward ----
    def __add__(self, other: Any) -> Fl:
        o = _number(other)
        return _checked(type(self), self.lo + o.lo, self.hi + o.hi)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Fl:
        o = _number(other)
        return _checked(type(self), self.lo - o.hi, self.hi - o.lo)

    def __rsub__(self, other: Any) -> Fl:
        return type(self)(*_ends(other)) - self

    def __neg__(self) -> Fl:
        return Fl(-self.hi, -self.lo)

    def __pos__(self) -> Fl:
        return self

    def __mul__(self, other: Any) -> Fl:
        o = _number(other)
        if self.lo == self.hi and o.lo == o.hi:
            return _checked(type(self), self.lo * o.lo, self.lo * o.lo)
        a, b, c, d = self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi
        return _checked(type(self), min(a, b, c, d), max(a, b, c, d))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Fl:
        o = _number(other)
        if o.lo <= 0.0 <= o.hi:
            raise Inapplicable("division by an interval holding 0")
        if self.lo == self.hi and o.lo == o.hi:
            return _checked(type(self), self.lo / o.lo, self.lo / o.lo)
        a, b, c, d = self.lo / o.lo, self.lo / o.hi, self.hi / o.lo, self.hi / o.hi
        return _checked(type(self), min(a, b, c, d), max(a, b, c, d))

    def __rtruediv__(self, other: Any) -> Fl:
        return type(self)(*_ends(other)) / self

    def __pow__(self, other: Any) -> Fl:
        return _pow(self, _number(other))

    def __rpow__(self, other: Any) -> Fl:
        return _pow(_number(other), self)

    def __abs__(self) -> Fl:
        if self.lo >= 0.0:
            return self
        if self.hi <= 0.0:
            return -self
        return Fl(0.0, max(-self.lo, self.hi))


SATURATED = 2.0**-100
"""A true value this close to a float, in ulps of that float, is returned exactly by every correct
library: tanh(300) is 1.0 and exp(-800) is 0.0 everywhere, never a neighbour."""
UNDERFLOWED = 2.0**-20
"""A true value below this fraction of the smallest subnormal is 0.0 in every correct library:
(1e167) ** -2 is 0.0, never a subnormal or two."""
_SMALLEST = 5e-324
NARROW = 2.0**-8
"""A true value known to within this many ulps of its nearest float: ``around`` counts floats from
that float (ulps + 1/2 of them cover it); a wider ball is widened from its ends instead."""

_BITS = 192


def _library(exact: Ball) -> Fl:
    """What a correct math library returns for a function whose true value is the ball ``exact``."""
    if not exact.is_finite():
        raise Inapplicable("no finite value")
    if abs(exact) > MAX_FLOAT:
        raise Inapplicable("overflows float64")  # math.exp and friends raise OverflowError
    nearest = float(exact.mid())
    if abs(exact - nearest) < ball(_ulp(nearest)) * SATURATED:  # in balls: the float product underflows
        return Fl(nearest)
    if abs(exact) < ball(_SMALLEST) * UNDERFLOWED:
        return Fl(0.0)
    return around(exact, nearest, LIBM_ULPS)


def around(exact: Ball, nearest: float, ulps: float) -> Fl:
    """Every float within ``ulps`` ulps of the true value ``exact`` (``nearest`` is the float nearest it).

    Such a float is at most floor(ulps + 1/2) floats from ``nearest``, as the
    true value lies within half an ulp of it; a ball too wide for that is
    widened from its ends instead.
    """
    if exact.rad() <= ball(_ulp(nearest)) * NARROW:
        k = math.floor(ulps + 0.5)
        return Fl(nearest - k * _ulp(nearest), nearest + k * _ulp(nearest))
    lo, hi = enclosure(exact)
    return Fl(lo - ulps * _ulp(lo), hi + ulps * _ulp(hi))


REDUCTION_SLOPE = 2.0**-142
"""sin and cos may be off by |x| * REDUCTION_SLOPE, absolutely, on top of their ulps (see below)."""
REDUCTION_CAP = 2.0**-90
"""The largest absolute error argument reduction adds to sin and cos, at any |x|."""


def reduction_error(x: float) -> float:
    """How far a float64 library's sin(x) or cos(x) may be from the true value, absolutely, on top of
    ``LIBM_ULPS``: the error of reducing x modulo pi/2.

    A library reduces x to r = x - k*pi/2 with pi/2 (or 2/pi) held to a
    finite number of bits, so r carries an absolute error that grows with k
    until the reduction switches to a table of 2/pi, and then stays below a
    fixed size: r is formed as a double-double from partial products of x
    with that table. Near a zero of sin or cos the value is r itself, as
    small as 4.7e-19 (Kahan and McDonald's 6381956970095103 * 2**797), so this
    error shows as thousands of ulps. Measured on glibc 2.36 (whose results
    numpy's float64 sin and cos repeat) at the six doubles nearest a multiple
    of pi/2 in every binade from 2 to 2**1023: at most |x| * 2**-144.1 up to
    2**50 (cos(1426668733016935.2), 4,764 ulps) and 1.6e-28 = 2**-92.4 beyond
    (cos(1.5986289000543612e+74), 136,921 ulps); the two constants allow 4x
    that. Libraries that reduce with enough bits of 2/pi (fdlibm, musl, the
    BSDs) stay within their ulps.
    """
    return min(abs(x) * REDUCTION_SLOPE, REDUCTION_CAP)


def _reduced(exact: Ball, got: Fl, x: float) -> Fl:
    """``got`` widened to every float within the reduction error of the true value ``exact``."""
    error = reduction_error(x)
    if not error:
        return got
    lo, _ = enclosure(exact - ball(error))
    _, hi = enclosure(exact + ball(error))
    return got.hull(Fl(max(lo, -1.0), min(hi, 1.0)))


class _Function:
    """A library function on float intervals: exact on balls, then the library's error.

    ``monotone`` is 1 (increasing) or 0 (neither, sin and cos: a non-point
    interval gets the range [-1, 1]). ``reduces``: a periodic function, whose
    argument reduction adds ``reduction_error``.
    """

    __slots__ = ("name", "on_ball", "monotone", "domain", "reduces")

    def __init__(
        self, name: str, on_ball: Any, monotone: int, domain: float = -_INF, reduces: bool = False
    ) -> None:
        self.name, self.on_ball, self.monotone = name, on_ball, monotone
        self.domain, self.reduces = domain, reduces

    def __call__(self, x: Any) -> Fl:
        x = _number(x)
        if x.lo < self.domain or x.lo != x.lo:
            raise Inapplicable(f"{self.name} outside its domain")
        with workprec(_BITS):
            if x.lo == x.hi:
                exact = self.on_ball(ball(x.lo))
                got = _library(exact)
                return _reduced(exact, got, x.lo) if self.reduces else got
            if self.monotone == 0:
                return Fl(-1.0, 1.0)
            a, b = _library(self.on_ball(ball(x.lo))), _library(self.on_ball(ball(x.hi)))
        return a.hull(b)


_COSH = _Function("cosh", lambda v: v.cosh(), 1)


def _cosh(x: Any) -> Fl:
    x = _number(x)
    if x.lo < 0.0 < x.hi:
        with workprec(_BITS):
            a, b = _library(ball(x.lo).cosh()), _library(ball(x.hi).cosh())
        return Fl(1.0, max(a.hi, b.hi))
    # on one side of 0 cosh is monotone, and _COSH hulls its values at both ends: which is larger
    # does not matter
    one_side: Fl = _COSH(x)
    return one_side


def _power_ball(x: Ball, y: Ball) -> Ball:
    if y.is_exact() and y.is_integer():
        return x ** int(y.unique_fmpz())
    return x ** y


def _pow(x: Fl, y: Fl) -> Fl:
    """x ** y as a math library computes it (Python's float ** is C's pow)."""
    integer = y.lo == y.hi and float(y.lo).is_integer()
    if integer and y.lo == 0.0:
        return Fl(1.0)
    if not integer and (x.lo < 0.0 or (x.lo == 0.0 and y.lo <= 0.0)):
        raise Inapplicable("a non-integer power of a number that may be negative or 0")
    if integer and y.lo < 0.0 and x.lo <= 0.0 <= x.hi:
        raise Inapplicable("a negative power of a number that may be 0")
    with workprec(_BITS):
        # For x > 0, x ** y is monotonic in each argument (and for an integer y on each side
        # of 0 in x): the extremes are at the corners, or 0 for an even power of an interval around 0.
        corners = [_library(_power_ball(ball(a), ball(b))) for a in {x.lo, x.hi} for b in {y.lo, y.hi}]
    out = corners[0]
    for c in corners[1:]:
        out = out.hull(c)
    if integer and x.lo < 0.0 < x.hi:
        out = out.hull(Fl(0.0))
    return out


def _max(a: Any, b: Any) -> Fl:
    a, b = _number(a), _number(b)
    return Fl(max(a.lo, b.lo), max(a.hi, b.hi))


def product(a: Fl, b: Fl) -> Fl:
    """Every float an engine gets multiplying numbers of ``a`` and ``b``; 0 x inf is 0 (an infinite
    end is a bound, not a value)."""
    if (a.lo == a.hi == 0.0) or (b.lo == b.hi == 0.0):
        return Fl(0.0)
    if a.lo == a.hi and b.lo == b.hi:
        r = a.lo * b.lo
        return Fl(r)
    ends = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
    ends = [0.0 if e != e else e for e in ends]
    return Fl(min(ends), max(ends))


class Outward(Fl):
    """A float interval whose every operation rounds outward: it holds the exact real result."""

    __slots__ = ()
    rounds_points = False


FL = SimpleNamespace(
    exp=_Function("exp", lambda v: v.exp(), 1), log=_Function("log", lambda v: v.log(), 1, domain=0.0),
    tanh=_Function("tanh", lambda v: v.tanh(), 1), cosh=_cosh,
    sin=_Function("sin", lambda v: v.sin(), 0, reduces=True),
    cos=_Function("cos", lambda v: v.cos(), 0, reduces=True),
    sqrt=_Function("sqrt", lambda v: v.sqrt(), 1, domain=0.0),
    abs=abs, max=_max, e=Fl(math.e, math.e),
)
"""The op table's math namespace on float intervals: what a correct engine's library may return."""
