"""Math namespaces for the op table's ``math(m, *xs)``: the same definition, read as SymPy or mpmath.

An op's SymPy form is ``row.math(SYMPY, ...)`` and its mpmath form is
``row.math(MPMATH, ...)``; ``oracle.ball.ARB`` reads it on balls and
``judge.floats.FL`` on float intervals. Adding a row to the table gives the
verifier every form with no second edit.
"""

from __future__ import annotations

from types import SimpleNamespace

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

SYMPY = SimpleNamespace(
    exp=sympy.exp, log=sympy.log, tanh=sympy.tanh, cosh=sympy.cosh, sin=sympy.sin, cos=sympy.cos,
    sqrt=sympy.sqrt, abs=sympy.Abs, max=sympy.Max, e=sympy.E,
)
"""Exact symbolic forms: ``row.math(SYMPY, x, y)`` is a SymPy expression."""

MPMATH = SimpleNamespace(
    exp=mpmath.exp, log=mpmath.log, tanh=mpmath.tanh, cosh=mpmath.cosh, sin=mpmath.sin, cos=mpmath.cos,
    sqrt=mpmath.sqrt, abs=mpmath.fabs, max=max, e=mpmath.e,
)
"""Arbitrary-precision forms: ``row.math(MPMATH, x, y)`` is an ``mpf`` at ``mpmath.mp``'s precision."""
