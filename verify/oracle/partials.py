"""Exact local derivatives of every op, from SymPy differentiating the op's own definition.

The engine's ``grad`` is never read: each partial is ``sympy.diff`` of
``row.math(SYMPY, ...)``, derived once per op (and per constant exponent),
cached, and evaluated in mpmath at whatever precision is current. At a kink
the partial is the interval between the one-sided derivatives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

from micrograd.ops import OPS, Op

from .ns import MPMATH, SYMPY


class Formula:
    """A compiled SymPy expression over the operands: a constant, one operand, or general.

    The first two kinds cost nothing to evaluate, which is most of the partials
    of a big graph (add, sub, mul): ``mp`` gives an mpf at the current
    precision, ``fl`` a float (general ones go through mpmath, then round once).
    """

    __slots__ = ("const", "float_const", "index", "function", "q")

    def __init__(self, symbols: tuple[Any, ...], expr: Any) -> None:
        self.const: Any = None
        self.float_const = 0.0
        self.index = -1
        self.function: Callable[..., Any] | None = None
        self.q = 1
        if expr.is_Rational:
            self.const, self.q = int(expr.p), int(expr.q)
            self.float_const = self.const / self.q
            if self.q == 1:
                self.const = mpmath.mpf(self.const)
        elif expr in symbols:
            self.index = symbols.index(expr)
        else:
            self.function = sympy.lambdify(symbols, expr, modules="mpmath")

    @property
    def trivial(self) -> bool:
        return self.function is None

    def mp(self, args: list[Any]) -> Any:
        if self.index >= 0:
            return args[self.index]
        if self.function is None:
            return self.const if self.q == 1 else mpmath.mpf(self.const) / self.q
        return self.function(*args)

    def fl(self, args: list[float]) -> float:
        if self.index >= 0:
            return args[self.index]
        if self.function is None:
            return self.float_const
        return float(real(self.function(*(mpmath.mpf(a) for a in args)), "a derivative"))



class Undefined(ArithmeticError):
    """The op, or one of its derivatives, has no real finite value here."""


@dataclass(frozen=True)
class Calculus:
    """One op's exact value and partials, ready to evaluate in mpmath.

    ``partials[i]`` is d op / d operand i (None for constant operands),
    ``curvature[i][j]`` is d partials[i] / d operand j (used only to size
    rounding allowances), ``formulas[i]`` the partial as text over the
    placeholders {0}, {1}, and ``sides`` maps each kink of operand 0 to the
    (left, right) one-sided derivatives there.
    """

    row: Op
    symbols: tuple[Any, ...]
    partials: tuple[Formula | None, ...]
    curvature: tuple[tuple[Formula, ...] | None, ...]
    formulas: tuple[str, ...]
    sides: dict[float, tuple[Any, Any]]
    one_rounding: bool = False
    """The op is one float operation (x + y, x / y, x ** 3): floats give it within an ulp."""
    monotonic: bool = False
    """A unary op whose derivative keeps one sign: its rule may be written over the output."""

    def value(self, args: list[Any]) -> Any:
        """The op at ``args`` (mpf), raising Undefined where it has no real finite value."""
        try:
            out = self.row.math(MPMATH, *args)
        except (ZeroDivisionError, ValueError, OverflowError) as error:
            raise Undefined(f"{self.row.name} is undefined here ({error})") from None
        return real(out, f"{self.row.name}'s value")

    def partial(self, i: int, args: list[Any]) -> Any:
        """d op / d operand i at ``args``, an mpf (ignores kinks: see ``kink``)."""
        evaluate = self.partials[i]
        assert evaluate is not None, "constant operands have no partial"
        if evaluate.trivial:
            return evaluate.mp(args)
        try:
            out = evaluate.mp(args)
        except (ZeroDivisionError, ValueError, OverflowError) as error:
            raise Undefined(f"{self.row.name}'s derivative is undefined here ({error})") from None
        return real(out, f"{self.row.name}'s derivative")

    def kink(self, args: list[Any]) -> tuple[Any, Any] | None:
        """The one-sided derivatives (left, right) when operand 0 sits exactly on a kink."""
        for point, sides in self.sides.items():
            if args[0] == point:
                return sides
        return None


def real(x: Any, what: str) -> Any:
    """``x`` as a finite real mpf, or Undefined."""
    if isinstance(x, mpmath.mpc):
        if x.imag != 0:
            raise Undefined(f"{what} is not real here")
        x = x.real
    if not isinstance(x, mpmath.mpf):
        if isinstance(x, complex):
            raise Undefined(f"{what} is not real here")
        x = mpmath.mpf(x)
    m = x._mpf_
    if not m[1] and m != _ZERO:  # inf and nan have a zero mantissa
        raise Undefined(f"{what} is {x} here")
    return x


_ZERO = mpmath.mpf(0)._mpf_


def calculus(op: str, constants: tuple[tuple[int, float], ...] = ()) -> Calculus:
    """The calculus of op ``op``; ``constants`` fixes the row's constant operands (an exponent)."""
    row = OPS[op]
    fixed = tuple((i, v) for i, v in constants if i in row.constant)
    return _derive(op, fixed)


@lru_cache(maxsize=512)
def _derive(op: str, fixed: tuple[tuple[int, float], ...]) -> Calculus:
    row = OPS[op]
    symbols = tuple(sympy.Symbol(f"x{i}", real=True) for i in range(row.arity))
    operands: list[Any] = list(symbols)
    for i, value in fixed:
        operands[i] = sympy.Rational(value)  # exact: never a 53-bit Float
    expr = row.math(SYMPY, *operands)
    names = {s: sympy.Symbol(f"__{i}__") for i, s in enumerate(symbols)}
    partials: list[Formula | None] = []
    curvature: list[tuple[Formula, ...] | None] = []
    formulas: list[str] = []
    exprs: list[Any] = []
    for i, s in enumerate(symbols):
        if i in row.constant:
            partials.append(None)
            curvature.append(None)
            formulas.append("0")
            exprs.append(sympy.Integer(0))
            continue
        d = sympy.diff(expr, s)
        exprs.append(d)
        partials.append(Formula(symbols, d))
        second = tuple(Formula(symbols, _smooth(sympy.diff(d, t))) for t in symbols)
        curvature.append(second)
        text = str(d.subs(names))
        for k in range(row.arity):
            text = text.replace(f"__{k}__", "{" + str(k) + "}")
        formulas.append(text)
    sides: dict[float, tuple[Any, Any]] = {}
    for point in row.kinks:
        d0 = exprs[0].subs({symbols[j]: operands[j] for j in range(1, row.arity)})
        left = sympy.limit(d0, symbols[0], sympy.Rational(point), "-")
        right = sympy.limit(d0, symbols[0], sympy.Rational(point), "+")
        sides[point] = (_number(left), _number(right))
    one = bool(expr.is_rational_function(*symbols)) and sympy.count_ops(expr) <= 1
    mono = row.arity == 1 and _keeps_sign(row, partials[0])
    return Calculus(row, symbols, tuple(partials), tuple(curvature), tuple(formulas), sides, one, mono)


def _keeps_sign(row: Op, partial: Formula | None) -> bool:
    """Whether the partial has one strict sign over a spread of points of the domain."""
    if partial is None:
        return False
    signs = set()
    for lo, hi in row.domain[0].intervals:
        for k in range(-4, 2):  # moderate points: saturation would round the sign to 0
            for x in (10.0**k, -(10.0**k), 0.5 * 10.0**k):
                if lo < x < hi:
                    try:
                        signs.add(mpmath.sign(partial.mp([mpmath.mpf(x)])))
                    except (ArithmeticError, ValueError):
                        continue
    return len(signs) == 1 and 0 not in signs


def _smooth(expr: Any) -> Any:
    # Away from a kink the derivative of Heaviside/sign is 0; kinks are handled apart.
    return expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))


def _number(x: Any) -> Any:
    p, q = sympy.Rational(x).p, sympy.Rational(x).q
    return mpmath.mpf(p) / q


def formula(op: str, constants: tuple[tuple[int, float], ...], i: int, operands: list[str]) -> str:
    """The partial d op / d operand i written over the operands' names."""
    shown = [f"({name})" if name.startswith("-") else name for name in operands]
    return calculus(op, constants).formulas[i].format(*shown)
