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


SPAN_SLACK = 2.0**-18
"""The share of a kink ball's width that is rounding of its radius, not the set of derivatives.

Arb keeps a radius to 30 bits and rounds it up at every operation (the ball
[0, 1] is already [-9.3e-10, 1.0000000009]); across the 2,500 operators a
formula may hold that adds up to under 2**-18 of the width."""


def span_text(x: Ball) -> str:
    """A ball read as the interval it is: "[lo, hi]" (a kink's set of derivatives).

    Each end is rounded to the fewest digits that stay within SPAN_SLACK of
    the width: ``relu`` at its kink reads "[0, 1]", not its radius's rounding.
    """
    lo, hi = enclosure(x)
    if lo == hi:
        return repr(lo)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"[{lo!r}, {hi!r}]"
    slack = (hi - lo) * SPAN_SLACK
    return f"[{_short(_rounded(lo, slack))}, {_short(_rounded(hi, slack))}]"


def _rounded(x: float, slack: float) -> float:
    """``x`` to the fewest significant digits that move it by at most ``slack`` (0 first)."""
    if abs(x) <= slack:
        return 0.0
    for digits in range(1, 18):
        candidate = float(f"{x:.{digits - 1}e}")
        if abs(candidate - x) <= slack:
            return candidate
    return x


def _short(x: float) -> str:
    """A float as Python prints it, without the ".0" of a whole number: 0, 1, -2.5, 1e-07."""
    shown = repr(x + 0.0)  # -0.0 prints as 0
    return shown[:-2] if shown.endswith(".0") else shown


def enclosure(x: Ball) -> tuple[float, float]:
    """Floats lo <= hi with [lo, hi] holding the ball (rounded outward)."""
    lo, hi = float(x.lower()), float(x.upper())
    return math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf)


def to_float(x: Ball) -> float:
    """The float nearest the midpoint."""
    return float(x.mid())


# ---- SymPy expressions as functions on balls: the one evaluator ----
#
# Every function returns a ball holding every value SymPy's expression takes for points in its
# argument balls, with SymPy's own conventions at an exact point: Heaviside(0) is its H0 (1/2
# unless given), sign(0) is 0. A ball around a jump holds both sides: [0, 1] for Heaviside,
# [-1, 1] for sign (the one-sided derivatives of relu and abs, which the oracle needs there).
# Powers with an exact integer exponent go by squaring: flint's own ``**`` gives nan for a base
# whose ball holds 0, and this keeps negative bases real: (-2) ** 3.

def _heaviside(x: Ball, at_zero: Ball = UNIT) -> Ball:
    if x > 0:
        return ONE
    if x < 0:
        return ZERO
    if x.is_exact() and x.is_zero():
        return at_zero
    return UNIT  # around the jump: anything between the two sides


def _sign(x: Ball) -> Ball:
    if x > 0:
        return ONE
    if x < 0:
        return -ONE
    if x.is_exact() and x.is_zero():
        return ZERO
    return SIGNS


def _power(x: Ball, y: Ball) -> Ball:
    if y.is_exact() and y.is_integer():
        return _integer_power(x, int(y.unique_fmpz()))
    return x ** y


def _integer_power(x: Ball, n: int) -> Ball:
    """x ** n by squaring."""
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


def _fold(f: Callable[[Ball, Ball], Ball]) -> Callable[..., Ball]:
    def apply(*xs: Ball) -> Ball:
        out = xs[0]
        for x in xs[1:]:
            out = f(out, x)
        return out

    return apply


_FUNCTIONS: dict[Any, Callable[..., Ball]] = {
    sympy.Add: _fold(lambda a, b: a + b), sympy.Mul: _fold(lambda a, b: a * b), sympy.Pow: _power,
    sympy.exp: ARB.exp, sympy.log: ARB.log, sympy.sin: ARB.sin, sympy.cos: ARB.cos,
    sympy.tan: lambda x: x.tan(), sympy.cot: lambda x: x.cot(), sympy.atan: lambda x: x.atan(),
    sympy.sinh: lambda x: x.sinh(), sympy.cosh: ARB.cosh, sympy.tanh: ARB.tanh,
    sympy.sech: lambda x: x.sech(), sympy.Abs: ARB.abs, sympy.sign: _sign, sympy.Heaviside: _heaviside,
    sympy.atan2: lambda y, x: arb.atan2(y, x),
    sympy.Max: _fold(_max), sympy.Min: _fold(lambda a, b: arb(a).min(arb(b))),
}
"""Each SymPy function class's ball counterpart, applied to the evaluated arguments."""


class UnknownFunction(ValueError):
    """A SymPy node with no ball counterpart (zoo, nan, DiracDelta, Piecewise, a symbol not given)."""


Instruction = Callable[[list[Ball], Sequence[Ball]], Ball]
"""One node of a compiled expression: (the values of the nodes before it, the arguments) -> its value."""


def compile_expr(symbols: Sequence[Any], expr: Any) -> Callable[[Sequence[Ball]], Ball]:
    """``expr`` over ``symbols`` as a function of a sequence of balls, at the working precision.

    The tree is walked once here, with an explicit stack (no recursion, however deep), into a
    list of instructions, one per distinct node, children first; a call runs them in order.
    Constants are exact, or rounded at the working precision of the call (a Rational, e, pi).
    ``UnknownFunction`` for a node with no ball counterpart.
    """
    index = {s: i for i, s in enumerate(symbols)}
    slot: dict[Any, int] = {}
    tape: list[Instruction] = []
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in slot:
            stack.pop()
            continue
        waiting = [] if node in index else [a for a in node.args if a not in slot]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        tape.append(_instruction(node, index, [slot[a] for a in node.args]))
        slot[node] = len(tape) - 1

    def run(args: Sequence[Ball]) -> Ball:
        values: list[Ball] = []
        for instruction in tape:
            values.append(instruction(values, args))
        return values[-1]

    return run


def _instruction(e: Any, index: dict[Any, int], parts: list[int]) -> Instruction:
    if e in index:
        i = index[e]
        return lambda values, args: args[i]
    if e.is_Integer:
        c = arb(int(e))
        return lambda values, args: c
    if e.is_Rational or e.is_Float:
        exact = sympy.Rational(e)  # a Float's exact binary value
        p, q = int(exact.p), int(exact.q)
        return lambda values, args: arb(p) / q
    if e == sympy.E:
        return lambda values, args: arb.const_e()
    if e == sympy.pi:
        return lambda values, args: arb.pi()
    f = _FUNCTIONS.get(e.func)
    if f is None:
        raise UnknownFunction(f"no ball form for {e.func}")
    return lambda values, args: f(*(values[j] for j in parts))
