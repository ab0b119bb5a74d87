"""The one evaluator of SymPy forms on balls (``ball.compile_expr``) at its delicate points.

Each answer must hold every value the expression takes on the argument balls
(soundness), and at an exact point be SymPy's own value.
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy
from flint import arb

from verify.oracle.ball import SIGNS, UNIT, UnknownFunction, compile_expr, workprec

x, h = sympy.Symbol("x", real=True), sympy.Symbol("h", real=True)
AROUND_ZERO = arb(0, 1e-30)
"""A ball holding 0 and points on both sides of it."""


def same(a: Any, b: Any) -> bool:
    """The same ball (``==`` on balls is "certainly equal", false for any ball with a radius)."""
    return bool(a.lower() == b.lower() and a.upper() == b.upper())


def at(expr: Any, *args: Any) -> Any:
    with workprec(128):
        return compile_expr([x, h][: len(args)], expr)(list(args))


@pytest.mark.parametrize(("expr", "point", "want"), [
    (sympy.Heaviside(x), 0, 0.5),  # SymPy's default H0
    (sympy.Heaviside(x, 0), 0, 0.0),
    (sympy.Heaviside(x, 1), 0, 1.0),
    (sympy.Heaviside(x), 2, 1.0),
    (sympy.Heaviside(x), -2, 0.0),
    (sympy.sign(x), 0, 0.0),
    (sympy.sign(x), -3, -1.0),
])
def test_an_exact_point_gives_sympys_own_value_exactly(expr: Any, point: int, want: float) -> None:
    got = at(expr, arb(point))
    assert got.is_exact() and float(got.mid()) == want
    assert float(expr.subs(x, point)) == want  # the same as SymPy's


def test_a_ball_around_a_jump_holds_both_sides() -> None:
    heaviside = at(sympy.Heaviside(x), AROUND_ZERO)
    assert heaviside.contains(arb(0)) and heaviside.contains(arb(1)) and same(heaviside, UNIT)
    sign = at(sympy.sign(x), AROUND_ZERO)
    assert sign.contains(arb(-1)) and sign.contains(arb(1)) and sign.contains(arb(0)) and same(sign, SIGNS)


def test_a_given_h0_is_a_value_at_zero_only() -> None:
    assert at(sympy.Heaviside(x, h), arb(0), arb(0.25)) == arb(0.25)
    assert same(at(sympy.Heaviside(x, h), AROUND_ZERO, arb(0.25)), UNIT)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 7])
def test_an_integer_power_of_a_ball_holding_zero_is_a_finite_enclosure(n: int) -> None:
    base = arb(0, 0.5)  # [-0.5, 0.5]
    got = at(x**n, base)
    assert got.is_finite()
    for point in (-0.5, -0.25, 0.0, 0.25, 0.5):
        assert got.contains(arb(point) ** n)
    with workprec(128):
        assert not (base ** arb(n)).is_finite() or n == 1  # what flint's own ** gives (or an exact 1)


def test_negative_bases_stay_real_and_exact() -> None:
    assert at(x**3, arb(-2)) == arb(-8)
    assert at(x**-2, arb(-2)) == arb(0.25)


def test_a_negative_power_of_a_ball_holding_zero_is_not_finite() -> None:
    assert not at(x**-1, arb(0, 0.5)).is_finite()
    assert not at(x**-2, arb(0)).is_finite()


def test_a_fractional_power_of_a_negative_base_is_not_finite() -> None:
    assert not at(x ** sympy.Rational(1, 2), arb(-4)).is_finite()


@pytest.mark.parametrize("expr", [sympy.DiracDelta(x), sympy.Symbol("y") + x, sympy.zoo * x])
def test_a_node_without_a_ball_form_is_refused_when_compiled(expr: Any) -> None:
    with pytest.raises(UnknownFunction):
        compile_expr([x], expr)
