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


def formulas(program: Program, slots: list[int]) -> dict[int, tuple[str, Any]] | None:
    """For each input slot: its exact derivative as text and as a SymPy expression; None if too big."""
    first = len(program.inputs)
    tree = [1] * first
    for step in program.steps:
        tree.append(1 + sum(1 if isinstance(a, Const) else tree[a] for a in step.args))
        if tree[-1] > MAX_TREE:
            return None
    symbols = [sympy.Symbol(name, real=True) for name, _ in program.inputs]
    exprs: list[Any] = list(symbols)
    for step in program.steps:
        args = [sympy.Rational(a.value) if isinstance(a, Const) else exprs[a] for a in step.args]
        exprs.append(OPS[step.op].math(SYMPY, *args))
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
    # dummify: the generated code never spells the inputs' (possibly user-chosen) names.
    function = sympy.lambdify(symbols, expr, modules="mpmath", dummify=True)
    with mpmath.workdps(digits):
        try:
            # A constant formula (0, 2) comes back as a Python number; a complex one fails here.
            value = mpmath.mpf(function(*(mpmath.mpf(x) for _, x in program.inputs)))
        except (ArithmeticError, ValueError, TypeError):
            return None
    return value if mpmath.isfinite(value) else None
