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

Evaluator = Callable[[list[Any]], Any]


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
    partials: tuple[Evaluator | None, ...]
    curvature: tuple[tuple[Evaluator, ...] | None, ...]
    formulas: tuple[str, ...]
    sides: dict[float, tuple[Any, Any]]

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
        try:
            out = evaluate(args)
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
        x = mpmath.mpf(x)
    if not mpmath.isfinite(x):
        raise Undefined(f"{what} is {x} here")
    return x


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
    partials: list[Evaluator | None] = []
    curvature: list[tuple[Evaluator, ...] | None] = []
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
        partials.append(_compile(symbols, d))
        second = tuple(_compile(symbols, _smooth(sympy.diff(d, t))) for t in symbols)
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
    return Calculus(row, symbols, tuple(partials), tuple(curvature), tuple(formulas), sides)


def _smooth(expr: Any) -> Any:
    # Away from a kink the derivative of Heaviside/sign is 0; kinks are handled apart.
    return expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))


def _number(x: Any) -> Any:
    p, q = sympy.Rational(x).p, sympy.Rational(x).q
    return mpmath.mpf(p) / q


def _compile(symbols: tuple[Any, ...], expr: Any) -> Evaluator:
    """A fast evaluator of ``expr`` on a list of mpf operands."""
    if expr.is_Rational:
        p, q = int(expr.p), int(expr.q)
        if q == 1:
            return lambda args: mpmath.mpf(p)
        return lambda args: mpmath.mpf(p) / q
    for i, s in enumerate(symbols):
        if expr == s:
            return lambda args: args[i]
    function = sympy.lambdify(symbols, expr, modules="mpmath")
    return lambda args: function(*args)


def formula(op: str, constants: tuple[tuple[int, float], ...], i: int, operands: list[str]) -> str:
    """The partial d op / d operand i written over the operands' names."""
    shown = [f"({name})" if name.startswith("-") else name for name in operands]
    return calculus(op, constants).formulas[i].format(*shown)
