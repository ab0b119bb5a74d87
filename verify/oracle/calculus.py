"""Each op's exact partial derivatives: SymPy's derivative of the op table's mathematical definition.

The engine's ``grad`` is never read: each partial is ``sympy.diff`` of
``row.math(SYMPY, ...)``, derived once per op (and per constant exponent),
compiled to a function on balls (``ball.compile_expr``) and cached. At a kink
the partial is the interval between the one-sided derivatives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy  # type: ignore[import-untyped]

from micrograd.ops import OPS, Op

from .ball import ARB, Ball, ball, compile_expr, workprec
from .ns import SYMPY


@dataclass(frozen=True)
class Partial:
    """One partial derivative: a constant, one of the operands, or a general expression.

    The first two cost nothing to evaluate and are exact in floats, which is
    most partials of a big graph (add, sub, mul).
    """

    constant: float | None
    operand: int | None
    on_balls: Callable[[Sequence[Ball]], Ball]
    step: int | None = None
    """The partial is sign(operand) (or Heaviside(operand) = its positive part): exact in floats."""

    @property
    def trivial(self) -> bool:
        return self.constant is not None or self.operand is not None

    def on_floats(self, xs: Sequence[float]) -> float | None:
        """The exact partial at float operands, where it is exactly a float for any operands; else None."""
        if self.constant is not None:
            return self.constant
        if self.operand is not None:
            return xs[self.operand]
        if self.step is not None:
            x = xs[abs(self.step) - 1]
            if self.step > 0:
                return 1.0 if x > 0 else 0.0
            return 1.0 if x > 0 else -1.0 if x < 0 else 0.0
        return None


@dataclass(frozen=True)
class Calculus:
    """One op's exact value and partials.

    ``partials[i]`` is d op / d operand i (None for constant operands),
    ``formulas[i]`` the same as text over the placeholders {0}, {1}, and
    ``sides`` maps each kink of operand 0 to the (left, right) one-sided
    derivatives there.
    """

    row: Op
    partials: tuple[Partial | None, ...]
    formulas: tuple[str, ...]
    sides: dict[float, tuple[float, float]]
    one_operation: bool = False
    """The op is a single float operation (+ - * / neg max abs): floats give it to within half an ulp."""
    diagonal: tuple[Callable[[Sequence[Ball]], Ball], Callable[[Sequence[Ball]], Ball]] | None = None
    """For a binary op applied to one node twice (x - x, x / x): its value and total derivative
    as functions of that node alone. Balls forget that both operands are the same number, so
    x - x of an inexact ball is not exactly 0; SymPy's simplified f(x, x) is."""

    def value(self, args: Sequence[Ball]) -> Ball:
        """The op on balls (not finite where undefined or where the balls straddle a boundary)."""
        try:
            out = self.row.math(ARB, *args)
            if out.is_finite():
                return out
        except (ZeroDivisionError, ValueError, OverflowError):
            pass
        return _robust(lambda: self.row.math(ARB, *args), args)

    def partial(self, i: int, args: Sequence[Ball]) -> Ball:
        """d op / d operand i on balls (ignores kinks: see ``kink``)."""
        p = self.partials[i]
        assert p is not None, "constant operands have no partial"
        if p.constant is not None:
            return ball(p.constant)
        if p.operand is not None:
            return args[p.operand]
        return _robust(lambda: p.on_balls(args), args)

    def same_value(self, x: Ball) -> Ball:
        """The op applied to one operand twice."""
        assert self.diagonal is not None
        value = self.diagonal[0]
        return _robust(lambda: value([x]), [x])

    def same_partial(self, x: Ball) -> Ball:
        """d op(x, x) / dx."""
        assert self.diagonal is not None
        derivative = self.diagonal[1]
        return _robust(lambda: derivative([x]), [x])

    def kink(self, x: Any) -> tuple[float, float] | None:
        """The one-sided derivatives (left, right) when operand 0 is exactly a kink."""
        for point, sides in self.sides.items():
            if x == point:
                return sides
        return None


_RETRY_BITS = (1200, 4800)
"""Exact operands that give no finite ball are tried again this precisely: exp(1e300) needs
1,000 bits just to reduce its argument. Only then is the op undefined there."""


def _robust(f: Callable[[], Ball], args: Sequence[Ball]) -> Ball:
    try:
        out = f()
    except (ZeroDivisionError, ValueError, OverflowError):
        out = ball(float("nan"))
    if out.is_finite() or not all(a.is_exact() for a in args):
        return out
    for bits in _RETRY_BITS:
        with workprec(bits):
            try:
                out = f()
            except (ZeroDivisionError, ValueError, OverflowError):
                continue
        if out.is_finite():
            return out
    return out


def calculus(op: str, constants: tuple[tuple[int, float], ...] = ()) -> Calculus:
    """The calculus of op ``op``; ``constants`` fixes the row's constant operands (an exponent)."""
    row = OPS[op]
    fixed = tuple((i, v) for i, v in constants if i in row.constant)
    return _derive(op, fixed)


@lru_cache(maxsize=1024)
def _derive(op: str, fixed: tuple[tuple[int, float], ...]) -> Calculus:
    row = OPS[op]
    symbols = tuple(sympy.Symbol(f"x{i}", real=True) for i in range(row.arity))
    operands: list[Any] = list(symbols)
    for i, value in fixed:
        operands[i] = sympy.Rational(value)  # exact: never a 53-bit Float
    expr = row.math(SYMPY, *operands)
    names = {s: sympy.Symbol(f"__{i}__") for i, s in enumerate(symbols)}
    partials: list[Partial | None] = []
    formulas: list[str] = []
    derivatives: list[Any] = []
    for i, s in enumerate(symbols):
        if i in row.constant:
            partials.append(None)
            formulas.append("0")
            derivatives.append(sympy.Integer(0))
            continue
        d = sympy.diff(expr, s)
        derivatives.append(d)
        partials.append(_partial(symbols, d))
        text = str(d.subs(names))
        for k in range(row.arity):
            text = text.replace(f"__{k}__", "{" + str(k) + "}")
        formulas.append(text)
    sides: dict[float, tuple[float, float]] = {}
    for point in row.kinks:
        d0 = derivatives[0].subs({symbols[j]: operands[j] for j in range(1, row.arity)})
        left = sympy.limit(d0, symbols[0], sympy.Rational(point), "-")
        right = sympy.limit(d0, symbols[0], sympy.Rational(point), "+")
        sides[point] = (float(left), float(right))
    # One float operation (x + y, -x, max(x, 0)): floats give it within half an ulp.
    single = sympy.count_ops(expr) <= 1
    one = single and (expr.func in (sympy.Max, sympy.Abs)
                      or not expr.has(sympy.Pow, sympy.exp, sympy.log, sympy.Function))
    diagonal = None
    if row.arity == 2 and not row.constant:
        same = sympy.simplify(row.math(SYMPY, symbols[0], symbols[0]))
        slope = _smooth(sympy.diff(same, symbols[0]))
        diagonal = (compile_expr(symbols[:1], same), compile_expr(symbols[:1], slope))
    return Calculus(row, tuple(partials), tuple(formulas), sides, one, diagonal)


def _partial(symbols: tuple[Any, ...], d: Any) -> Partial:
    compiled = compile_expr(symbols, _smooth(d))
    if d.is_Rational:
        value = float(d)
        if sympy.Rational(value) == d:  # exactly representable: 1, -1, 1/2
            return Partial(value, None, compiled)
    if d in symbols:
        return Partial(None, symbols.index(d), compiled)
    if d.func in (sympy.Heaviside, sympy.sign) and d.args[0] in symbols:
        k = symbols.index(d.args[0]) + 1
        return Partial(None, None, compiled, k if d.func is sympy.Heaviside else -k)
    return Partial(None, None, compiled)


def _smooth(expr: Any) -> Any:
    # Away from a kink the derivative of Heaviside/sign is 0; kinks are handled apart.
    return expr.replace(sympy.DiracDelta, lambda *args: sympy.Integer(0))


def formula(op: str, constants: tuple[tuple[int, float], ...], i: int, operands: list[str]) -> str:
    """The partial d op / d operand i written over the operands' names."""
    shown = [f"({name})" if name.startswith("-") else name for name in operands]
    return calculus(op, constants).formulas[i].format(*shown)
