"""The exact gradient as a formula, built only when the expression is small enough to print.

Whole-expression differentiation swells on shared subgraphs, so the tree
size (with sharing expanded) is counted first, in integers, and SymPy is
asked only when it is small.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

from micrograd.ops import OPS

from ..program import Const, Program
from .ns import SYMPY

MAX_TREE = 200
"""Largest expression tree (sharing expanded) whose gradient is printed."""


SHORT = 2**20
"""Constants print as fractions whose numerator and denominator stay below this."""


def formulas(program: Program, slots: list[int]) -> dict[int, tuple[str, Any]] | None:
    """For each input slot: its exact derivative as text and as a SymPy expression; None if too big.

    Only for readable formulas: a small tree, and constants that are short
    fractions (2.0, 0.5, 10). A long one such as 3.999999 (an exact binary
    fraction over 2**50) would not be read, and SymPy may spend minutes on it:
    a constant base b ** (x + c) is split into an exact b ** c.
    """
    first = len(program.inputs)
    cone = sorted(s for s in program.feeding_output() if s >= first)  # only steps the output needs
    tree = [1] * program.size
    for slot in cone:
        args = program.steps[slot - first].args
        tree[slot] = 1 + sum(1 if isinstance(a, Const) else tree[a] for a in args)
        if tree[slot] > MAX_TREE:
            return None
        if not all(_short(a.value) for a in args if isinstance(a, Const)):
            return None
    symbols = _symbols(program)
    exprs: list[Any] = [*symbols, *([None] * len(program.steps))]
    for slot in cone:
        step = program.steps[slot - first]
        operands = [sympy.Rational(a.value) if isinstance(a, Const) else exprs[a] for a in step.args]
        exprs[slot] = OPS[step.op].math(SYMPY, *operands)
    out = exprs[-1]
    result = {}
    for s in slots:
        d = sympy.diff(out, symbols[s])
        result[s] = (str(d), d)
    return result


def value_at(expr: Any, program: Program, digits: int) -> Any | None:
    """``expr`` at the program's exact inputs, to ``digits`` digits, in mpmath; None if not a finite real.

    Evaluated numerically: substituting exact rationals makes SymPy simplify
    Rational ** Rational and nested exponentials exactly, which can take minutes.
    The tree is walked directly (``_FUNCTIONS``): printing and compiling it with
    lambdify cost ~20 ms a call. A node the table does not know gives None:
    the formula is then not printed.
    """
    with mpmath.workdps(digits):
        values: dict[Any, Any] = {
            symbol: mpmath.mpf(x) for symbol, (_, x) in zip(_symbols(program), program.inputs, strict=True)
        }
        try:
            # A complex value (a negative base to a fractional power) fails in mpf().
            value = mpmath.mpf(_evaluate(expr, values))
        except (ArithmeticError, ValueError, TypeError, _Unknown):
            return None
    return value if mpmath.isfinite(value) else None


class _Unknown(Exception):
    """A node ``_FUNCTIONS`` has no entry for (zoo, nan, oo, DiracDelta, Piecewise, ...)."""


def _heaviside(x: Any, at_zero: Any = 0.5) -> Any:
    # SymPy's Heaviside(x, H0) is H0 at 0 (1/2 unless given); a complex x raises TypeError.
    return mpmath.mpf(0) if x < 0 else mpmath.mpf(at_zero) if x == 0 else mpmath.mpf(1)


_FUNCTIONS: dict[Any, Callable[..., Any]] = {
    sympy.Add: lambda *xs: functools.reduce(operator.add, xs),
    sympy.Mul: lambda *xs: functools.reduce(operator.mul, xs),
    sympy.Pow: operator.pow,  # mpmath takes x ** (1/2) as sqrt, and 0 ** -1 raises
    sympy.exp: mpmath.exp,
    sympy.log: mpmath.log,
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.cot: mpmath.cot,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.sech: mpmath.sech,
    # SymPy writes arg(x) of a real x as atan2(0, x). At x = 0 SymPy leaves atan2 and arg
    # undefined; mpmath gives 0, as it did under lambdify.
    sympy.atan2: mpmath.atan2,
    sympy.Abs: mpmath.fabs,
    sympy.sign: mpmath.sign,  # sign(0) = 0 in both
    sympy.Heaviside: _heaviside,
    sympy.Max: max,  # a complex operand raises TypeError, as lambdify's max did
    sympy.Min: min,
    sympy.re: mpmath.re,
    sympy.im: mpmath.im,
    sympy.arg: mpmath.arg,  # of a complex intermediate: x ** y with x < 0
}
"""Each SymPy function class's mpmath counterpart, applied to the evaluated arguments."""

_CONSTANTS: dict[Any, Any] = {sympy.pi: mpmath.pi, sympy.E: mpmath.e, sympy.I: mpmath.j}


def _evaluate(expr: Any, values: dict[Any, Any]) -> Any:
    """``expr`` in mpmath at the working precision; ``values`` maps the symbols and collects every node.

    An explicit stack, not recursion: a node is applied once its arguments
    are in ``values``, and a repeated subtree is evaluated once.
    """
    stack = [expr]
    while stack:
        node = stack[-1]
        if node in values:
            stack.pop()
            continue
        waiting = [a for a in node.args if a not in values]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        if node.is_Rational:
            values[node] = mpmath.mpf(node.p) / node.q  # rounded at the working precision
        elif node.is_Float:
            values[node] = mpmath.mpf(node)  # exact binary value, then rounded
        elif node in _CONSTANTS:
            values[node] = +_CONSTANTS[node]  # unary plus: the constant at the working precision
        elif node.func in _FUNCTIONS:
            values[node] = _FUNCTIONS[node.func](*(values[a] for a in node.args))
        else:
            raise _Unknown(node.func.__name__)
    return values[expr]


def _symbols(program: Program) -> list[Any]:
    """One real symbol per input, named as the input: formulas() and value_at() must agree on them."""
    return [sympy.Symbol(name, real=True) for name, _ in program.inputs]


def _short(x: float) -> bool:
    numerator, denominator = x.as_integer_ratio()
    return abs(numerator) < SHORT and denominator < SHORT
