"""The exact gradient as a formula, for reading only: built when the expression is small, within a time limit.

Whole-expression differentiation swells on shared subgraphs and SymPy
recurses on deep trees, so the tree is measured first, in integers (size
with sharing expanded, nesting depth, constants that print as short
fractions), SymPy is asked only when all are small, and a clock stops it.
The verdict never waits on this: a formula that is not ready is not shown.
"""

from __future__ import annotations

from typing import Any

import sympy  # type: ignore[import-untyped]

from micrograd.ops import OPS

from ..clock import time_limit
from ..program import Const, Program
from .ball import Ball, ball, compile_expr, workprec
from .ns import SYMPY

MAX_TREE = 200
"""Largest expression tree (sharing expanded) whose gradient is printed."""
MAX_DEPTH = 24
"""Deepest nesting printed: SymPy walks trees recursively."""
SECONDS = 1.0
"""Time SymPy may take for all of a program's formulas."""
SHORT = 2**20
"""Constants print as fractions whose numerator and denominator stay below this."""


class _OutOfTime(Exception):
    pass


def formulas(program: Program, slots: list[int]) -> dict[int, tuple[str, Any]]:
    """For each input slot: its exact derivative as text and as a SymPy expression, when small enough.

    Only readable formulas: a small, shallow tree whose constants are short
    fractions (2.0, 0.5, 10). Without a clock (not the main thread) the size
    limits are quartered.
    """
    first = len(program.inputs)
    cone = sorted(s for s in program.feeding_output() if s >= first)  # only steps the output needs
    tree = [1] * program.size
    depth = [0] * program.size
    for slot in cone:
        args = program.steps[slot - first].args
        tree[slot] = 1 + sum(1 if isinstance(a, Const) else tree[a] for a in args)
        depth[slot] = 1 + max((depth[a] for a in args if not isinstance(a, Const)), default=0)
        if not all(_short(a.value) for a in args if isinstance(a, Const)):
            return {}
    if not cone or tree[cone[-1]] > MAX_TREE or depth[cone[-1]] > MAX_DEPTH:
        return {}
    symbols = input_symbols(program)
    result: dict[int, tuple[str, Any]] = {}
    try:
        with time_limit(SECONDS, _OutOfTime) as timed:
            if not timed and (tree[cone[-1]] > MAX_TREE // 4 or depth[cone[-1]] > MAX_DEPTH // 4):
                return {}
            exprs: list[Any] = [*symbols, *([None] * len(program.steps))]
            for slot in cone:
                step = program.steps[slot - first]
                operands = [sympy.Rational(a.value) if isinstance(a, Const) else exprs[a] for a in step.args]
                exprs[slot] = OPS[step.op].math(SYMPY, *operands)
            for s in slots:
                d = sympy.diff(exprs[-1], symbols[s])
                result[s] = (str(d), d)
    except (_OutOfTime, RecursionError):
        return {}
    return result


def value_at(expr: Any, program: Program, bits: int) -> Ball | None:
    """``expr`` at the program's exact inputs, as a ball; None if it has no finite real value there.

    Evaluated by ``ball.compile_expr``, the oracle's one evaluator of SymPy forms on balls (no
    recursion, a repeated subtree once). A node it does not know gives None: the formula is
    then not printed.
    """
    with workprec(bits):
        try:
            f = compile_expr(input_symbols(program), expr)
            value = f([ball(x) for _, x in program.inputs])
        except (ArithmeticError, ValueError, TypeError):
            return None
    return value if value.is_finite() else None


def input_symbols(program: Program) -> list[Any]:
    """One real symbol per input, named as the input, with the sign it has here: formulas() and
    value_at() must agree on them. Knowing x > 0 lets SymPy write abs(x) as x and x**-1.5 without
    the atan2 and sign it needs for a real x of either sign."""
    return [sympy.Symbol(name, positive=True) if x > 0 else sympy.Symbol(name, negative=True) if x < 0
            else sympy.Symbol(name, real=True) for name, x in program.inputs]


def _short(x: float) -> bool:
    numerator, denominator = x.as_integer_ratio()
    return abs(numerator) < SHORT and denominator < SHORT
