"""The table of primitive ops: every op is defined once, here.

Each row says how to compute the op on floats, its local partial derivatives,
where it is defined, where it has kinks, how it is written, and its
mathematical definition over any math namespace (SymPy, mpmath, ...).
The engine, the verifier, the parser and the strategies all read this table.

Stdlib only: importing the engine must stay cheap.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INF = math.inf


class MathError(ArithmeticError):
    """An op was applied where it is undefined, or its result is not finite.

    ``op`` names the op ("log", "div", ... or "Value" for a bad leaf) and
    ``operands`` holds the offending float operands.
    """

    def __init__(self, op: str, operands: tuple[float, ...], reason: str) -> None:
        self.op = op
        self.operands = operands
        self.reason = reason
        shown = ", ".join(repr(x) for x in operands)
        super().__init__(f"{op}({shown}): {reason}")


class DomainError(MathError, ValueError):
    """The operands lie outside the op's domain: log(-1), 0 ** -1, x / 0."""


class NonFiniteError(MathError, OverflowError):
    """A value or gradient overflowed or is nan: exp(1000), sqrt'(0)."""


@dataclass(frozen=True)
class Region:
    """A set of reals: a union of open intervals, optionally integers only.

    Regions say where an op is defined *and* differentiable; strategies draw
    operands from them. They may be conservative (x ** 2 is fine at 0, but
    the integer-power row excludes 0 because 0 ** -1 is not).
    """

    intervals: tuple[tuple[float, float], ...]
    integer: bool = False

    def __contains__(self, x: object) -> bool:
        if not isinstance(x, (int, float)):
            return False
        if self.integer and not float(x).is_integer():
            return False
        return any(lo < x < hi for lo, hi in self.intervals)


REAL = Region(((-INF, INF),))
POSITIVE = Region(((0.0, INF),))
NONZERO = Region(((-INF, 0.0), (0.0, INF)))
INTEGER = Region(((-INF, INF),), integer=True)


@dataclass(frozen=True)
class Accepts:
    """How else a correct float64 engine may compute an op: formulas the verifier must accept.

    values      alternative formulas for the value, ``(m, *xs) -> value``
    partials    per operand, alternative formulas for its partial,
                ``(m, out, *xs) -> partial``, where ``out`` is the engine's own
                value of the node (so ``1 - out * out`` for tanh)

    Written over a math namespace ``m`` like ``Op.math``. Each formula must
    equal the op's definition (tests/test_ops.py checks it with SymPy); the
    verifier evaluates them on float intervals to learn what rounding a
    correct engine using them may do, rounded constants (``k - 1``)
    included. Exact answers, to a few ulps, are always accepted.
    """

    values: tuple[Callable[..., Any], ...] = ()
    partials: tuple[tuple[Callable[..., Any], ...], ...] = ()


@dataclass(frozen=True, eq=False)
class Op:
    """One primitive op.

    forward(*xs) -> float             the op on floats (may raise on bad input)
    grad(out, *xs) -> d | (dx, dy)    local partials; may reuse the output
    math(m, *xs)                      the definition over a namespace ``m``
                                      providing exp, log, tanh, cosh, sin,
                                      cos, sqrt, abs, max and e; the verifier
                                      differentiates this, never ``grad``
    notation                          how it is written, "{0} + {1}"
    domain                            one Region per operand
    constant                          indices of operands that must be plain
                                      numbers (an exponent)
    kinks                             points of operand 0 where the op is not
                                      differentiable; ``grad`` there follows
                                      the convention in its comment
    accepts                           other ways a correct float64 engine may
                                      compute it (the verifier's error model)
    """

    name: str
    arity: int
    forward: Callable[..., float]
    grad: Callable[..., Any]
    math: Callable[..., Any]
    notation: str
    domain: tuple[Region, ...]
    constant: tuple[int, ...] = ()
    kinks: tuple[float, ...] = ()
    accepts: Accepts = field(default_factory=lambda: Accepts())

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def write(self, *operands: str) -> str:
        """Render the op applied to operand source strings."""
        return self.notation.format(*operands)


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _positive_base(x: float, y: float) -> float:
    # Value ** Value needs log(x) for its exponent's gradient, so x > 0.
    if x <= 0.0:
        raise ValueError("a Value exponent needs a positive base")
    return math.pow(x, y)


_ROWS = (
    Op("add", 2, operator.add, lambda out, x, y: (1.0, 1.0),
       lambda m, x, y: x + y, "{0} + {1}", (REAL, REAL)),
    Op("sub", 2, operator.sub, lambda out, x, y: (1.0, -1.0),
       lambda m, x, y: x - y, "{0} - {1}", (REAL, REAL)),
    Op("mul", 2, operator.mul, lambda out, x, y: (y, x),
       lambda m, x, y: x * y, "{0} * {1}", (REAL, REAL)),
    Op("div", 2, operator.truediv, lambda out, x, y: (1.0 / y, -out / y),
       lambda m, x, y: x / y, "{0} / {1}", (REAL, NONZERO),
       accepts=Accepts(
           values=(lambda m, x, y: x * y**-1, lambda m, x, y: x * (1 / y)),
           partials=(
               (lambda m, out, x, y: 1 / y, lambda m, out, x, y: y**-1),
               # not -x / y**2 nor -x / (y * y): y * y overflows where the gradient is a float
               (lambda m, out, x, y: -out / y, lambda m, out, x, y: x * (-1 * y**-2),
                lambda m, out, x, y: -(out / y)),
           ))),
    Op("neg", 1, operator.neg, lambda out, x: -1.0,
       lambda m, x: -x, "-{0}", (REAL,)),
    # x ** k for an integer k: any sign of x.
    Op("powi", 2, operator.pow, lambda out, x, k: (k * x ** (k - 1.0) if k else 0.0, 0.0),
       lambda m, x, k: x**k, "{0} ** {1}", (NONZERO, INTEGER), (1,),
       accepts=Accepts(partials=(
           (lambda m, out, x, k: k * x ** (k - 1), lambda m, out, x, k: k * out / x,
            lambda m, out, x, k: k * (out / x)),
           (),
       ))),
    # x ** k for a non-integer k: x > 0.
    Op("powc", 2, math.pow, lambda out, x, k: (k * x ** (k - 1.0), 0.0),
       lambda m, x, k: x**k, "{0} ** {1}", (POSITIVE, REAL), (1,),
       accepts=Accepts(
           values=(lambda m, x, k: m.exp(k * m.log(x)),),
           partials=(
               (lambda m, out, x, k: k * x ** (k - 1), lambda m, out, x, k: k * out / x,
                lambda m, out, x, k: k * m.exp((k - 1) * m.log(x))),
               (),
           ))),
    # x ** y with y a Value: x > 0.
    Op("pow", 2, _positive_base, lambda out, x, y: (y * x ** (y - 1.0), out * math.log(x)),
       lambda m, x, y: x**y, "{0} ** {1}", (POSITIVE, REAL),
       accepts=Accepts(
           values=(lambda m, x, y: m.exp(y * m.log(x)),),
           partials=(
               (lambda m, out, x, y: y * x ** (y - 1), lambda m, out, x, y: y * out / x,
                lambda m, out, x, y: y * m.exp((y - 1) * m.log(x))),
               (lambda m, out, x, y: out * m.log(x), lambda m, out, x, y: m.log(x) * x**y,
                lambda m, out, x, y: m.exp(y * m.log(x)) * m.log(x)),
           ))),
    Op("exp", 1, math.exp, lambda out, x: out,
       lambda m, x: m.exp(x), "{0}.exp()", (REAL,),
       accepts=Accepts(
           values=(lambda m, x: m.e**x,),
           partials=((lambda m, out, x: out, lambda m, out, x: m.exp(x)),),
       )),
    Op("log", 1, math.log, lambda out, x: 1.0 / x,
       lambda m, x: m.log(x), "{0}.log()", (POSITIVE,),
       accepts=Accepts(partials=((lambda m, out, x: 1 / x, lambda m, out, x: x**-1),))),
    Op("tanh", 1, math.tanh, lambda out, x: 1.0 - out * out,
       lambda m, x: m.tanh(x), "{0}.tanh()", (REAL,),
       accepts=Accepts(
           # micrograd's lecture writes the first; it overflows for x > 355.
           values=(lambda m, x: (m.exp(2 * x) - 1) / (m.exp(2 * x) + 1),
                   lambda m, x: (m.exp(x) - m.exp(-x)) / (m.exp(x) + m.exp(-x)),
                   lambda m, x: 1 - 2 / (m.exp(2 * x) + 1)),
           partials=((lambda m, out, x: 1 - out * out, lambda m, out, x: 1 - out**2,
                      lambda m, out, x: -(out * out) + 1, lambda m, out, x: -(out**2) + 1,
                      lambda m, out, x: (1 - out) * (1 + out), lambda m, out, x: 1 / m.cosh(x) ** 2,
                      lambda m, out, x: 4 / (m.exp(x) + m.exp(-x)) ** 2),),
       )),
    Op("sigmoid", 1, _sigmoid, lambda out, x: out * (1.0 - out),
       lambda m, x: 1 / (1 + m.exp(-x)), "{0}.sigmoid()", (REAL,),
       accepts=Accepts(
           values=(lambda m, x: m.exp(x) / (1 + m.exp(x)), lambda m, x: (1 + m.tanh(x / 2)) / 2,
                   lambda m, x: 0.5 * m.tanh(0.5 * x) + 0.5),
           partials=((lambda m, out, x: out * (1 - out), lambda m, out, x: out - out * out,
                      lambda m, out, x: out - out**2,
                      lambda m, out, x: out * (1 / (1 + m.exp(x))),
                      lambda m, out, x: m.exp(-x) / (1 + m.exp(-x)) ** 2,
                      lambda m, out, x: m.exp(x) / (1 + m.exp(x)) ** 2),),
       )),
    # relu'(0) = 0, as micrograd and PyTorch.
    Op("relu", 1, lambda x: x if x > 0.0 else 0.0, lambda out, x: 1.0 if x > 0.0 else 0.0,
       lambda m, x: m.max(x, 0), "{0}.relu()", (REAL,), kinks=(0.0,)),
    # abs'(0) = 0, as PyTorch's sign(0).
    Op("abs", 1, abs, lambda out, x: (x > 0.0) - (x < 0.0) + 0.0,
       lambda m, x: m.abs(x), "abs({0})", (REAL,), kinks=(0.0,)),
    Op("sqrt", 1, math.sqrt, lambda out, x: 0.5 / out,
       lambda m, x: m.sqrt(x), "{0}.sqrt()", (POSITIVE,),
       accepts=Accepts(
           values=(lambda m, x: x**0.5,),
           partials=((lambda m, out, x: 0.5 / out, lambda m, out, x: 0.5 * x**-0.5,
                      lambda m, out, x: 1 / (2 * m.sqrt(x)), lambda m, out, x: 0.5 * out / x),),
       )),
    # The library's sin and cos, value and partial: near their zeros at huge x, argument
    # reduction leaves an absolute error of thousands of ulps (the verifier's FL models it).
    Op("sin", 1, math.sin, lambda out, x: math.cos(x),
       lambda m, x: m.sin(x), "{0}.sin()", (REAL,),
       accepts=Accepts(values=(lambda m, x: m.sin(x),), partials=((lambda m, out, x: m.cos(x),),))),
    Op("cos", 1, math.cos, lambda out, x: -math.sin(x),
       lambda m, x: m.cos(x), "{0}.cos()", (REAL,),
       accepts=Accepts(values=(lambda m, x: m.cos(x),), partials=((lambda m, out, x: -m.sin(x),),))),
)

OPS: dict[str, Op] = {op.name: op for op in _ROWS}
"""Every primitive op by name."""
