"""Ball arithmetic (python-flint's ``arb``): every exact value the verifier uses is an enclosure.

An ``arb`` is a midpoint and a radius; each operation returns a ball that
provably holds the true result (FLINT/Arb). Where digits cancel the radius
grows, so a value is never trusted beyond what it certifies: callers raise
the precision until the balls are tight enough to decide, or give up.

This module holds the op table's math namespace for balls (``ARB``), a
compiler from SymPy expressions to functions on balls, and the conversions
the rest of the verifier needs (certified decimal strings, float enclosures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import sympy  # type: ignore[import-untyped]
from flint import arb, ctx

Ball = Any
"""An ``arb``."""

ZERO = arb(0)
ONE = arb(1)
UNIT = arb(0.5, 0.5)
"""The ball [0, 1]."""
SIGNS = arb(0, 1)
"""The ball [-1, 1]."""
MAX_FLOAT = arb(1.7976931348623157e308)


def ball(x: float | int) -> Ball:
    """A float or int as an exact ball."""
    return arb(x)


def _max(a: Any, b: Any) -> Ball:
    return arb(a).max(arb(b))


class _Balls(SimpleNamespace):
    @property
    def e(self) -> Ball:
        return arb.const_e()  # at the working precision of the moment


ARB = _Balls(
    exp=lambda x: arb(x).exp(), log=lambda x: arb(x).log(), tanh=lambda x: arb(x).tanh(),
    cosh=lambda x: arb(x).cosh(), sin=lambda x: arb(x).sin(), cos=lambda x: arb(x).cos(),
    sqrt=lambda x: arb(x).sqrt(), abs=lambda x: abs(arb(x)), max=_max,
)
"""The op table's math namespace on balls: ``row.math(ARB, *balls)`` encloses the op's value."""


def workprec(bits: int) -> Any:
    """A context in which ball operations run at ``bits`` bits."""
    return ctx.workprec(bits)


def finite(x: Ball) -> bool:
    return bool(x.is_finite())


def exact_zero(x: Ball) -> bool:
    return bool(x.is_exact() and x.is_zero())


def tight(x: Ball, rel_bits: int, floor: Ball) -> bool:
    """Whether the radius is below 2**-rel_bits of the midpoint's size, or below ``floor``."""
    if not x.is_finite():
        return False
    r = x.rad()
    if r == 0:
        return True
    return bool(r <= floor or r <= abs(x.mid()) * arb(2) ** -rel_bits)


_PRINT_BITS = 512
ZERO_BOUND_RAISE = 1.1
"""A zero's bound is raised by this before it is printed to 2 digits: rounding to nearest moves a
2-digit number by at most 5%, so the printed bound stays above the ball's radius."""


def text(x: Ball, digits: int) -> str:
    """The certified decimal digits of ``x`` (at most ``digits``): never a digit the ball does not prove.

    An exact 0 prints as "0"; a ball around 0 as "0 (|x| < 1e-300)".
    """
    if x.is_exact() and x.is_zero():
        return "0"
    if not x.is_finite():
        return "unknown"
    with ctx.workprec(_PRINT_BITS):
        shown = str(x.str(digits, radius=False))
        if shown.startswith(("0e", "-0e")) or shown in ("0", "-0"):
            # The bound is printed to 2 digits: raised 10% first, so that rounding keeps it a bound.
            bound = x.abs_upper() * arb(ZERO_BOUND_RAISE)
            return f"0 (|x| < {_trimmed(str(bound.str(2, radius=False)))})"
    return _trimmed(shown)


def _trimmed(number: str) -> str:
    """Trailing zeros of the mantissa dropped, as mpmath prints: "2.0", "1.5e+40"."""
    mantissa, e, exponent = number.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0")
        if mantissa.endswith("."):
            mantissa += "0"
    elif not e:
        mantissa += ".0"
    return mantissa + e + exponent


def span_text(x: Ball) -> str:
    """A ball read as the interval it is: "[lo, hi]" (a kink's set of derivatives)."""
    lo, hi = enclosure(x)
    return f"[{lo!r}, {hi!r}]" if lo != hi else repr(lo)


def enclosure(x: Ball) -> tuple[float, float]:
    """Floats lo <= hi with [lo, hi] holding the ball (rounded outward)."""
    lo, hi = float(x.lower()), float(x.upper())
    return math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf)


def to_float(x: Ball) -> float:
    """The float nearest the midpoint."""
    return float(x.mid())


# ---- SymPy expressions as functions on balls ----

def _heaviside(x: Ball, *_: Any) -> Ball:
    if x > 0:
        return ONE
    if x < 0:
        return ZERO
    return UNIT  # on or around the kink: anything between the one-sided derivatives


def _sign(x: Ball) -> Ball:
    if x > 0:
        return ONE
    if x < 0:
        return -ONE
    return SIGNS


def _power(x: Ball, y: Ball) -> Ball:
    # An exact integer exponent keeps negative bases real: (-2) ** 3.
    if y.is_exact() and y.is_integer():
        return _integer_power(x, int(y.unique_fmpz()))
    return x ** y


def _integer_power(x: Ball, n: int) -> Ball:
    """x ** n by squaring: flint's own ``**`` gives nan for a base whose ball holds 0."""
    if n < 0:
        return ONE / _integer_power(x, -n)
    result, square = ONE, (abs(x) if n % 2 == 0 else x)
    while n:
        if n & 1:
            result = result * square
        n >>= 1
        if n:
            square = square * square
    return result


_FUNCTIONS: dict[Any, Callable[..., Ball]] = {
    sympy.exp: ARB.exp, sympy.log: ARB.log, sympy.tanh: ARB.tanh, sympy.cosh: ARB.cosh,
    sympy.sinh: lambda x: arb(x).sinh(), sympy.sech: lambda x: arb(x).sech(),
    sympy.sin: ARB.sin, sympy.cos: ARB.cos, sympy.Abs: ARB.abs, sympy.sign: _sign,
    sympy.Heaviside: _heaviside,
    sympy.Max: lambda *xs: _fold(_max, xs), sympy.Min: lambda *xs: _fold(lambda a, b: arb(a).min(arb(b)), xs),
}


def _fold(f: Callable[[Ball, Ball], Ball], xs: Sequence[Ball]) -> Ball:
    out = xs[0]
    for x in xs[1:]:
        out = f(out, x)
    return out


class UnknownFunction(ValueError):
    """A SymPy node with no ball counterpart."""


def compile_expr(symbols: Sequence[Any], expr: Any) -> Callable[[Sequence[Ball]], Ball]:
    """``expr`` over ``symbols`` as a function of a sequence of balls.

    The tree is walked once here, into nested closures; the expressions are
    an op's partials, a few nodes deep. Constants are exact balls (a Rational
    is rounded at the working precision, at call time).
    """
    index = {s: i for i, s in enumerate(symbols)}

    def build(e: Any) -> Callable[[Sequence[Ball]], Ball]:
        if e in index:
            i = index[e]
            return lambda args: args[i]
        if e.is_Integer:
            c = arb(int(e))
            return lambda args: c
        if e.is_Rational:
            p, q = int(e.p), int(e.q)
            return lambda args: arb(p) / q
        if e.is_Float:
            c = arb(sympy.Rational(e).p) / int(sympy.Rational(e).q)
            return lambda args: c
        if e == sympy.E:
            return lambda args: arb.const_e()
        if e == sympy.pi:
            return lambda args: arb.pi()
        parts = [build(a) for a in e.args]
        if e.is_Add:
            return lambda args: _fold(lambda a, b: a + b, [p(args) for p in parts])
        if e.is_Mul:
            return lambda args: _fold(lambda a, b: a * b, [p(args) for p in parts])
        if e.is_Pow:
            base, exponent = parts
            return lambda args: _power(base(args), exponent(args))
        f = _FUNCTIONS.get(e.func)
        if f is None:
            raise UnknownFunction(f"no ball form for {e.func}")
        return lambda args: f(*(p(args) for p in parts))

    return build(expr)
