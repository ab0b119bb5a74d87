"""The exact gradient as a formula, built only when the expression is small enough to print.

Whole-expression differentiation swells on shared subgraphs, so the tree
size (with sharing expanded) is counted first, in integers, and SymPy is
asked only when it is small.
"""

from __future__ import annotations

from typing import Any

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

from micrograd.ops import OPS

from .ns import SYMPY
from .program import Const, Program

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
    symbols = [sympy.Symbol(name, real=True) for name, _ in program.inputs]
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
    """
    symbols = [sympy.Symbol(name, real=True) for name, _ in program.inputs]
    try:
        # dummify: the generated code never spells the inputs' (possibly user-chosen) names.
        function = sympy.lambdify(symbols, expr, modules="mpmath", dummify=True)
    except (TypeError, ValueError, KeyError, NotImplementedError):
        # SymPy's printer cannot write some expressions (zoo, a Heaviside of zoo):
        # such a formula is then not printed.
        return None
    with mpmath.workdps(digits):
        try:
            # A constant formula (0, 2) comes back as a Python number; a complex one fails here.
            value = mpmath.mpf(function(*(mpmath.mpf(x) for _, x in program.inputs)))
        except (ArithmeticError, ValueError, TypeError):
            return None
    return value if mpmath.isfinite(value) else None


def _short(x: float) -> bool:
    numerator, denominator = x.as_integer_ratio()
    return abs(numerator) < SHORT and denominator < SHORT
