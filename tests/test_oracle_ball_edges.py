"""The ball helpers at their edges: exact enclosures, ties of ``tight``, and the printed forms.

Every value here is what the verifier prints or decides on, so each is pinned exactly: a helper
that rounds the wrong way, drops a digit or misses a tie changes one of them.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import sympy
from flint import arb

from verify.oracle.ball import (
    ARB,
    UnknownFunction,
    _rounded,
    _short,
    compile_expr,
    enclosure,
    span_text,
    text,
    tight,
    to_float,
    workprec,
)

x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
NONE = arb(0)


def same(a: Any, b: Any) -> bool:
    """The same ball, end for end."""
    return bool(a.lower() == b.lower() and a.upper() == b.upper())


def at(expr: Any, *args: Any) -> Any:
    with workprec(128):
        return compile_expr([x, y][: len(args)], expr)(list(args))


# ---- tight: a radius against a floor or against the midpoint's size ----

def test_an_exact_ball_is_tight_and_a_non_finite_one_never() -> None:
    assert tight(arb(5), 1000, NONE)
    assert not tight(arb("inf"), 1, arb(1))
    assert not tight(arb("nan"), 1, arb(1))


def test_a_radius_of_exactly_one_is_judged_as_any_other() -> None:
    with workprec(2):
        ball = arb(7) / 3  # rounded to 2 bits: [2 +/- 1]
    assert ball.rad() == 1 and ball.mid() == 2
    assert not tight(ball, 1000, NONE)
    assert tight(ball, 1, NONE)


def test_a_radius_equal_to_the_floor_is_tight() -> None:
    ball = arb(3, 0.25)
    assert tight(ball, 1000, ball.rad())
    assert not tight(ball, 1000, ball.rad() / 2)


def test_a_radius_equal_to_the_relative_bound_is_tight_and_one_bit_more_is_not() -> None:
    radius = arb(0, 1e-6).rad()  # what arb makes of the radius (rounded up to 30 bits)
    ball = arb(radius * 2**20, 1e-6)
    assert ball.rad() == radius  # the midpoint is exactly 2**20 radii
    assert tight(ball, 20, NONE)
    assert not tight(ball, 21, NONE)


def test_the_relative_bound_is_a_power_of_two_of_the_midpoint() -> None:
    ball = arb(1, 1e-8)  # between 3**-20 (2.9e-10) and 2**-20 (9.5e-7) of its midpoint
    assert tight(ball, 20, NONE)
    assert not tight(ball, 30, NONE)
    assert not tight(arb(-1, 1e-3), 20, NONE)
    assert tight(arb(-1, 1e-8), 20, NONE)  # the midpoint's size, not its sign


# ---- text: certified digits, zeros with their bound, trailing zeros ----

@pytest.mark.parametrize(("ball", "digits", "shown"), [
    (arb(0), 5, "0"),
    (arb(2), 5, "2.0"),
    (arb(-2.5), 5, "-2.5"),
    (arb(100), 5, "100.0"),
    (arb(1.5e40), 5, "1.5e+40"),
    (arb(5), 1, "5e+0"),  # an integer mantissa with an exponent gets no ".0"
    (arb(1) / 3, 5, "0.33333"),
    (arb(1) / 3, 3, "0.333"),
    (arb(123456), 3, "1.23e+5"),
    (arb(1, 1e-3), 20, "1.0"),  # only what the ball proves
    (arb(0, 1e-300), 5, "0 (|x| < 1.1e-300)"),
    (arb(0, 0.04), 5, "0 (|x| < 0.044)"),
    (arb(0, 0.0123), 5, "0 (|x| < 0.014)"),  # the bound to 2 digits: 0.0123 * 1.1 = 0.01353 prints as 0.014
    (arb(-1e-310, 1e-300), 5, "0 (|x| < 1.1e-300)"),
    (arb("nan"), 5, "unknown"),
    (arb("inf"), 5, "unknown"),
])
def test_text_prints_the_certified_digits_only(ball: Any, digits: int, shown: str) -> None:
    assert text(ball, digits) == shown


# ---- span_text and enclosure: intervals read outward ----

@pytest.mark.parametrize(("ball", "shown"), [
    (arb(0.5, 0.5), "[0, 1]"),  # relu's kink: not its radius's rounding
    (arb(0.25, 0.125), "[0.125, 0.375]"),
    (arb(0.3, 0.0001), "[0.2999, 0.3001]"),
    (arb(-1.5, 0.5), "[-2, -1]"),
    (arb(2), "[1.9999999999999998, 2.0000000000000004]"),
    (arb(1, 1e300) * 1e10, "[-inf, inf]"),
])
def test_span_text_reads_a_ball_as_its_interval(ball: Any, shown: str) -> None:
    assert span_text(ball) == shown


def test_a_ball_finite_below_and_infinite_above_keeps_its_finite_end() -> None:
    ball = arb(1.5e308, 1e308)  # [5e307, 2.5e308]: its upper end is beyond float64
    lo, hi = enclosure(ball)
    assert math.isfinite(lo) and hi == math.inf
    assert span_text(ball) == f"[{lo!r}, inf]"


@pytest.mark.parametrize(("value", "slack", "rounded"), [
    (1e-5, 1e-5, 0.0),  # within the slack of 0, at a tie: 0 first
    (2e-5, 1e-5, 2e-5),
    (0.34, 0.05, 0.3),  # one digit is enough: not two
    (1.5, 0.5, 2.0),  # one digit moves it by exactly the slack: still enough
    (0.123456, 1e-3, 0.123),
    (0.1 + 0.2, 0.0, 0.1 + 0.2),  # no slack: every digit it has
])
def test_a_kink_end_is_rounded_to_the_fewest_digits_within_the_slack(
        value: float, slack: float, rounded: float) -> None:
    assert _rounded(value, slack) == rounded


@pytest.mark.parametrize(("value", "shown"),
                         [(-0.0, "0"), (0.0, "0"), (2.0, "2"), (-2.5, "-2.5"), (1e-07, "1e-07")])
def test_a_short_float_drops_a_whole_numbers_point_and_the_sign_of_zero(value: float, shown: str) -> None:
    assert _short(value) == shown


def test_an_enclosure_is_rounded_outward_past_both_ends() -> None:
    assert enclosure(arb(1)) == (math.nextafter(1.0, 0.0), math.nextafter(1.0, 2.0))
    lo, hi = enclosure(arb(1, 0.5))
    assert math.nextafter(lo, 1.0) >= 0.4999999990686774 and lo < 0.5 - 9e-10
    assert hi > 1.5 + 9e-10 and math.nextafter(hi, 1.0) <= 1.5000000009313228


def test_to_float_is_the_nearest_float_to_the_midpoint() -> None:
    assert to_float(arb(1) / 3) == 1 / 3
    assert to_float(arb(-2.5, 0.1)) == -2.5


# ---- the evaluator: every function, constant and power form ----

@pytest.mark.parametrize(("expr", "point", "want"), [
    (sympy.exp(x), 0.5, lambda b: b.exp()),
    (sympy.log(x), 3.0, lambda b: b.log()),
    (sympy.sin(x), 0.5, lambda b: b.sin()),
    (sympy.cos(x), 0.5, lambda b: b.cos()),
    (sympy.tan(x), 0.5, lambda b: b.tan()),
    (sympy.cot(x), 0.5, lambda b: b.cot()),
    (sympy.atan(x), 0.5, lambda b: b.atan()),
    (sympy.sinh(x), 0.5, lambda b: b.sinh()),
    (sympy.cosh(x), 0.5, lambda b: b.cosh()),
    (sympy.tanh(x), 0.5, lambda b: b.tanh()),
    (sympy.sech(x), 0.5, lambda b: b.sech()),
    (sympy.sqrt(x), 2.0, lambda b: b.sqrt()),
    (sympy.Abs(x), -1.5, lambda b: abs(b)),
    (x ** sympy.Rational(1, 3), 8.0, lambda b: b ** (arb(1) / 3)),
    (x ** 3, -2.0, lambda b: b * b * b),
    (x ** -3, -2.0, lambda b: 1 / (b * b * b)),
    (sympy.Pow(x, 0, evaluate=False), -2.0, lambda b: arb(1)),
    (x + 3, 0.5, lambda b: b + 3),
    (3 * x, 0.5, lambda b: 3 * b),
    (sympy.Rational(1, 3) * x, 1.0, lambda b: b / 3),
    (sympy.Float(0.1) * x, 1.0, lambda b: arb(0.1)),  # the float's exact binary value, not 1/10
    (sympy.E * x, 1.0, lambda b: arb.const_e()),
    (sympy.pi * x, 1.0, lambda b: arb.pi()),
])
def test_each_form_evaluates_to_arbs_own_ball(expr: Any, point: float, want: Any) -> None:
    with workprec(128):
        expected = want(arb(point))
    got = at(expr, arb(point))
    assert same(got, expected), (got, expected)


def test_sums_and_products_of_many_terms_fold_every_term() -> None:
    a, b, c = sympy.symbols("a b c", real=True)
    with workprec(128):
        got_sum = compile_expr([a, b, c], a + b + c)([arb(1), arb(10), arb(100)])
        got_product = compile_expr([a, b, c], a * b * c)([arb(2), arb(3), arb(5)])
    assert got_sum == arb(111) and got_product == arb(30)
    assert at(x + y, arb(7), arb(-2)) == arb(5)
    assert at(x * y, arb(7), arb(-2)) == arb(-14)


@pytest.mark.parametrize(("expr", "a", "b", "want"), [
    (sympy.Max(x, y), -1, 2, 2), (sympy.Max(x, y), 3, 2, 3), (sympy.Max(x, 0), -1, 0, 0),
    (sympy.Min(x, y), -1, 2, -1), (sympy.Min(x, y), 3, 2, 2),
])
def test_max_and_min_pick_the_right_operand(expr: Any, a: int, b: int, want: int) -> None:
    assert at(expr, arb(a), arb(b)) == arb(want)


def test_max_of_three_folds_every_operand() -> None:
    a, b, c = sympy.symbols("a b c", real=True)
    with workprec(128):
        got = compile_expr([a, b, c], sympy.Max(a, b, c))([arb(1), arb(7), arb(3)])
    assert got == arb(7)


def test_the_namespace_max_is_the_larger_ball() -> None:
    assert ARB.max(arb(-1), 0) == arb(0)
    assert ARB.max(2.5, arb(1)) == arb(2.5)
    assert ARB.max(arb(-1), 3) == arb(3)


def test_atan2_takes_y_first() -> None:
    with workprec(128):
        want = arb.atan2(arb(1), arb(-1))  # 3 pi / 4
    got = at(sympy.atan2(x, y), arb(1), arb(-1))
    assert same(got, want) and got > 2


def test_heaviside_and_sign_just_off_zero_take_their_side() -> None:
    assert at(sympy.Heaviside(x), arb(0.5)) == arb(1)
    assert at(sympy.Heaviside(x), arb(-0.5)) == arb(0)
    assert at(sympy.sign(x), arb(0.5)) == arb(1)
    assert at(sympy.sign(x), arb(-0.5)) == arb(-1)
    assert at(sympy.sign(x), arb(0)) == arb(0)


def test_an_odd_power_of_a_ball_around_zero_keeps_both_signs() -> None:
    got = at(x**3, arb(0, 0.5))
    assert got.contains(arb(-0.125)) and got.contains(arb(0.125))


def test_a_node_without_a_ball_form_names_it() -> None:
    with pytest.raises(UnknownFunction, match="no ball form for DiracDelta"):
        compile_expr([x], sympy.DiracDelta(x))
