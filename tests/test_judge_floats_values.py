"""Float intervals (``judge.floats``) at inputs where each end, corner and branch decides the answer:
the corners of * and /, abs, distance, widening, Outward rounding, pow's domain and its 0, cosh around
0, the clamp of sin and cos to [-1, 1], and a library value widened from a wide ball."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from flint import arb

from verify.judge.floats import (
    FL,
    LIBM_ULPS,
    Fl,
    Inapplicable,
    Outward,
    _reduced,
    around,
    product,
    reduction_error,
)
from verify.oracle.ball import ball

# Each pair puts the least and the greatest corner product (and quotient) at a different corner.
SIGNS = [((2.0, 3.0), (5.0, 7.0)), ((-3.0, -2.0), (5.0, 7.0)), ((2.0, 3.0), (-7.0, -5.0)),
         ((-3.0, -2.0), (-7.0, -5.0)), ((-2.0, 3.0), (-5.0, 7.0))]


def _corners(a: tuple[float, float], b: tuple[float, float], op: str) -> list[Fraction]:
    xs = [Fraction(x) for x in a]
    ys = [Fraction(y) for y in b]
    return [x * y if op == "*" else x / y for x in xs for y in ys]


@pytest.mark.parametrize(("a", "b"), SIGNS)
def test_a_product_of_intervals_spans_its_least_and_greatest_corner(a: tuple[float, float],
                                                                    b: tuple[float, float]) -> None:
    got = Fl(*a) * Fl(*b)
    corners = _corners(a, b, "*")
    assert (Fraction(got.lo), Fraction(got.hi)) == (min(corners), max(corners))
    assert product(Fl(*a), Fl(*b)).lo == got.lo and product(Fl(*a), Fl(*b)).hi == got.hi


@pytest.mark.parametrize(("a", "b"), SIGNS[:4])
def test_a_quotient_of_intervals_holds_every_corner_rounded_to_nearest(a: tuple[float, float],
                                                                       b: tuple[float, float]) -> None:
    got = Fl(*a) / Fl(*b)
    corners = _corners(a, b, "/")
    assert got.lo == float(min(corners)) and got.hi == float(max(corners))


def test_an_interval_times_or_over_a_point_is_not_taken_for_a_point() -> None:
    assert (Fl(2.0, 3.0) * Fl(5.0)).hi == 15.0
    assert (Fl(2.0, 3.0) / Fl(4.0)).hi == 0.75
    assert product(Fl(1.0, 2.0), Fl(3.0)).hi == 6.0 and product(Fl(3.0), Fl(1.0, 2.0)).hi == 6.0
    point = product(Fl(0.1), Fl(3.0))
    assert (point.lo, point.hi) == (0.1 * 3.0, 0.1 * 3.0)  # rounded to nearest, as an engine does


def test_a_nan_at_either_end_makes_the_formula_inapplicable() -> None:
    with pytest.raises(Inapplicable):
        Fl(-math.inf, 1.0) + Fl(math.inf)  # lo is -inf + inf; hi is inf
    with pytest.raises(Inapplicable):
        Fl(1.0, math.inf) - Fl(math.inf)  # hi is inf - inf


def test_outward_arithmetic_holds_the_exact_real_result() -> None:
    F = Fraction
    for got, lo, hi in [(Outward(0.1) + Outward(0.2), F(0.1) + F(0.2), F(0.1) + F(0.2)),
                        (Outward(0.1) - Outward(0.3), F(0.1) - F(0.3), F(0.1) - F(0.3)),
                        (Outward(0.1) * Outward(3.0), F(0.1) * 3, F(0.1) * 3),
                        (Outward(1.0) / Outward(3.0), F(1, 3), F(1, 3)),
                        (Outward(0.1, 0.2) * Outward(3.0, 7.0), F(0.1) * 3, F(0.2) * 7),
                        (Outward(1.0, 2.0) / Outward(3.0, 7.0), F(1, 7), F(2, 3))]:
        assert F(got.lo) < lo and hi < F(got.hi)  # even where the nearest float is exact: outward
        assert lo - F(got.lo) <= 2 * F(math.ulp(float(lo))) and F(got.hi) - hi <= 2 * F(math.ulp(float(hi)))


def test_abs_of_an_interval_on_each_side_of_0() -> None:
    assert (abs(Fl(-3.0, -2.0)).lo, abs(Fl(-3.0, -2.0)).hi) == (2.0, 3.0)
    assert (abs(Fl(-2.0, 0.5)).lo, abs(Fl(-2.0, 0.5)).hi) == (0.0, 2.0)
    assert (abs(Fl(-2.0, 3.0)).lo, abs(Fl(-2.0, 3.0)).hi) == (0.0, 3.0)
    assert (abs(Fl(-5.0, 3.0)).lo, abs(Fl(-5.0, 3.0)).hi) == (0.0, 5.0)
    assert (abs(Fl(0.5, 3.0)).lo, abs(Fl(0.5, 3.0)).hi) == (0.5, 3.0)


def test_distance_outside_an_interval_on_either_side() -> None:
    assert Fl(1.0, 2.0).distance(0.25) == 0.75
    assert Fl(1.0, 2.0).distance(3.5) == 1.5
    assert Fl(1.0, 2.0).distance(1.5) == 0.0


def test_widening_keeps_an_infinite_end_infinite_even_by_0_ulps() -> None:
    w = Fl(-math.inf, math.inf).widened(0.0)
    assert (w.lo, w.hi) == (-math.inf, math.inf)
    w = Fl(1.0, 2.0).widened(2.0)
    assert (w.lo, w.hi) == (1.0 - 2 * math.ulp(1.0), 2.0 + 2 * math.ulp(2.0))


def test_max_of_intervals_is_taken_end_by_end() -> None:
    m = FL.max(Fl(1.0, 2.0), Fl(0.0, 3.0))
    assert (m.lo, m.hi) == (1.0, 3.0)


def test_product_of_0_with_anything_is_0_and_an_infinite_end_is_a_bound() -> None:
    for z in (product(Fl(0.0), Fl(-math.inf, math.inf)), product(Fl(0.0), Fl(math.inf)),
              product(Fl(-math.inf), Fl(0.0))):
        assert (z.lo, z.hi) == (0.0, 0.0)
    assert (product(Fl(0.0), Fl(2.0, 3.0)).lo, product(Fl(2.0, 3.0), Fl(0.0)).hi) == (0.0, 0.0)
    # an interval that only ends at 0 is not 0
    assert (product(Fl(-1.0, 0.0), Fl(2.0, 3.0)).lo, product(Fl(2.0, 3.0), Fl(-1.0, 0.0)).lo) == (-3.0, -3.0)
    # 0 x inf at a corner counts as 0: the least is 0, the greatest inf
    p = product(Fl(0.0, 1.0), Fl(math.inf))
    assert (p.lo, p.hi) == (0.0, math.inf)
    p = product(Fl(math.inf), Fl(0.0, 1.0))
    assert (p.lo, p.hi) == (0.0, math.inf)


def test_powers_to_0_and_1_are_exact() -> None:
    for x in (5.0, 0.0, -3.0):
        one = Fl(x) ** 0
        assert (one.lo, one.hi) == (1.0, 1.0)
    three = Fl(3.0) ** 1
    assert (three.lo, three.hi) == (3.0, 3.0)


@pytest.mark.parametrize(("x", "y", "why"), [
    (Fl(-2.0), 0.5, "non-integer"), (Fl(0.0), -0.5, "non-integer"),
    (Fl(-1.0, 1.0), Fl(2.0, 3.0), "non-integer"),
    (Fl(0.0), -2.0, "negative power"), (Fl(0.0, 1.0), -2.0, "negative power"),
    (Fl(-1.0, 0.0), -2.0, "negative power"),
])
def test_a_power_outside_its_domain_is_inapplicable_and_says_why(x: Fl, y: float | Fl, why: str) -> None:
    with pytest.raises(Inapplicable, match=why):
        x ** y


@pytest.mark.parametrize(("x", "y", "lo", "hi"), [
    (Fl(0.0), 0.5, 0.0, 0.0), (Fl(0.25), 0.5, 0.5, 0.5), (Fl(1.0), -0.5, 1.0, 1.0), (Fl(4.0), -0.5, 0.5, 0.5),
    (Fl(-2.0), 2.0, 4.0, 4.0), (Fl(0.5, 2.0), -2.0, 0.25, 4.0), (Fl(0.0, 1.0), 0.5, 0.0, 1.0),
    (Fl(-1.0, 2.0), 2.0, 0.0, 4.0), (Fl(0.5, 2.0), 2.0, 0.25, 4.0),
])
def test_a_power_inside_its_domain_spans_its_true_range(x: Fl, y: float, lo: float, hi: float) -> None:
    got = x ** y
    # exact results: a correct library returns them exactly
    assert (got.lo, got.hi) == (lo, hi)


def test_cosh_of_an_interval_around_0_is_1_at_least_and_the_larger_end_at_most() -> None:
    for x, far in [(Fl(-1.0, 2.0), 2.0), (Fl(-3.0, 2.0), -3.0)]:
        got = FL.cosh(x)
        assert got.lo == 1.0
        assert got.hi >= math.cosh(far) and got.hi <= math.cosh(far) * (1 + 8 * 2.0**-53)
    # away from 0 the least is at the end nearer 0, not 1
    got = FL.cosh(Fl(0.5, 2.0))
    assert got.lo <= math.cosh(0.5) and got.lo > 1.12
    got = FL.cosh(Fl(-2.0, -0.5))
    assert got.lo <= math.cosh(0.5) and got.lo > 1.12 and got.hi >= math.cosh(2.0)


def test_reduction_error_never_takes_sin_or_cos_past_1() -> None:
    far = 2.0**80  # its reduction error is the cap, 2**-90: more than the distance to +-1
    for end in (-1.0, 1.0):
        got = _reduced(ball(end), Fl(end), far)
        assert -1.0 <= got.lo <= got.hi <= 1.0


def test_a_wide_true_value_is_widened_from_its_ends() -> None:
    # a true value known only to within 1 ulp of 1.0: a library may return any float within
    # LIBM_ULPS ulps of any point of it, 1 + 5 ulps included
    exact = arb(1.0, math.ulp(1.0))
    got = around(exact, 1.0, LIBM_ULPS)
    assert got.hi >= 1.0 + (LIBM_ULPS + 1) * math.ulp(1.0)
    assert got.lo <= 1.0 - (LIBM_ULPS + 1) * math.ulp(0.5)
    assert got.hi - got.lo <= 16 * math.ulp(1.0)


def test_a_library_value_that_leaves_float64_or_has_no_value_is_inapplicable_and_says_why() -> None:
    with pytest.raises(Inapplicable, match="overflows float64"):
        FL.exp(Fl(1000.0))
    with pytest.raises(Inapplicable, match="no finite value"):
        FL.log(Fl(0.0))
    with pytest.raises(Inapplicable, match="nan"):
        Fl(-math.inf, 1.0) + Fl(math.inf)
    with pytest.raises(Inapplicable, match="log outside its domain"):
        FL.log(Fl(-1.0))
    with pytest.raises(Inapplicable, match="sqrt outside its domain"):
        FL.sqrt(Fl(-1.0, 4.0))
    with pytest.raises(Inapplicable, match="exp outside its domain"):
        FL.exp(Fl(math.nan))


def test_a_true_value_all_but_a_float_is_that_float_and_one_far_below_the_subnormals_is_0() -> None:
    for got, value in [(FL.tanh(Fl(300.0)), 1.0), (FL.exp(Fl(-800.0)), 0.0), (FL.exp(Fl(0.0)), 1.0),
                       (FL.sqrt(Fl(4.0)), 2.0), (FL.log(Fl(1.0)), 0.0)]:
        assert (got.lo, got.hi) == (value, value)
    # a correctly rounded value that is not exact may be off by LIBM_ULPS ulps either way
    got = FL.exp(Fl(1.0))
    assert (got.lo, got.hi) == (math.e - LIBM_ULPS * math.ulp(math.e), math.e + LIBM_ULPS * math.ulp(math.e))


def test_a_library_function_of_an_interval_spans_its_ends() -> None:
    got = FL.exp(Fl(0.0, 1.0))
    assert got.lo == 1.0 and got.hi == math.e + LIBM_ULPS * math.ulp(math.e)
    got = FL.log(Fl(1.0, math.e))
    assert got.lo == 0.0 and 1.0 <= got.hi <= 1.0 + 2 * LIBM_ULPS * math.ulp(1.0)
    # sin and cos of an interval: anything in [-1, 1]
    for f in (FL.sin, FL.cos):
        got = f(Fl(0.0, 0.5))
        assert (got.lo, got.hi) == (-1.0, 1.0)


def test_sin_and_cos_of_a_huge_argument_allow_the_reduction_error() -> None:
    # cos at the double nearest a multiple of pi/2: a value of 4.7e-19 whose reduction may be off by
    # |x| * REDUCTION_SLOPE, thousands of its ulps
    x = 1426668733016935.2
    got = FL.cos(Fl(x))
    error = reduction_error(x)
    # glibc's cos here is 4,764 of its ulps from the true value, and is allowed
    assert math.cos(x) in got
    assert 2 * error <= got.hi - got.lo <= 2 * error + 16 * math.ulp(got.hi)
    small = FL.sin(Fl(0.5))
    assert small.hi - small.lo <= (2 * LIBM_ULPS + 2) * math.ulp(math.sin(0.5))
