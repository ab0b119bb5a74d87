"""Math namespaces for the op table's ``math(m, *xs)``: the same definition, read as SymPy or mpmath.

An op's SymPy form is ``row.math(SYMPY, ...)`` and its mpmath form is
``row.math(MPMATH, ...)``, so adding a row to the table gives the verifier
both forms with no second edit.
"""

from __future__ import annotations

from types import SimpleNamespace

import mpmath  # type: ignore[import-untyped]
import sympy  # type: ignore[import-untyped]

SYMPY = SimpleNamespace(
    exp=sympy.exp, log=sympy.log, tanh=sympy.tanh, sin=sympy.sin, cos=sympy.cos,
    sqrt=sympy.sqrt, abs=sympy.Abs, max=sympy.Max,
)
"""Exact symbolic forms: ``row.math(SYMPY, x, y)`` is a SymPy expression."""

MPMATH = SimpleNamespace(
    exp=mpmath.exp, log=mpmath.log, tanh=mpmath.tanh, sin=mpmath.sin, cos=mpmath.cos,
    sqrt=mpmath.sqrt, abs=mpmath.fabs, max=max,
)
"""Arbitrary-precision forms: ``row.math(MPMATH, x, y)`` is an ``mpf`` at ``mpmath.mp``'s precision."""
