"""Float intervals (``judge.floats``) at their edges: what a correct math library may return at an exact
tie of saturation, underflow and overflow, a library function built on balls at points and on intervals
(domain, nan, argument reduction near a zero of sin), powers of an interval by 0 and of 0 by an interval
of exponents, and products of 0 with an infinite point; each test asserts the interval's ends."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flint import arb

from verify.judge.floats import (
    FL,
    LIBM_ULPS,
    REDUCTION_CAP,
    SATURATED,
    UNDERFLOWED,
    Fl,
    Inapplicable,
    Outward,
    _Function,
    _library,
    product,
)
from verify.oracle.ball import MAX_FLOAT, workprec

_U = math.ulp(1.0)
_K = math.floor(LIBM_ULPS + 0.5)  # floats a library may be off from the nearest one, each way


def _exp(reduces: bool = False) -> Any:
    if reduces:
        return _Function("exp", lambda v: v.exp(), 1, reduces=True)
    return _Function("exp", lambda v: v.exp(), 1)


def _ends(x: Fl) -> tuple[float, float]:
    return x.lo, x.hi


def test_sums_and_differences_of_intervals_take_the_matching_ends() -> None:
    assert _ends(Fl(1.0, 2.0) + Fl(10.0, 20.0)) == (11.0, 22.0)
    assert _ends(Fl(1.0, 2.0) - Fl(10.0, 20.0)) == (-19.0, -8.0)
    assert _ends(Fl(0.1) + Fl(0.2)) == (0.1 + 0.2, 0.1 + 0.2)  # rounded to nearest, as an engine does
    out = Outward(1.0, 2.0) + Outward(10.0, 20.0)
    assert _ends(out) == (math.nextafter(11.0, 0.0), math.nextafter(22.0, math.inf))


def test_inf_minus_inf_is_inapplicable_and_says_nan() -> None:
    with pytest.raises(Inapplicable, match="nan"):
        Fl(math.inf) - Fl(math.inf)
    with pytest.raises(Inapplicable, match="nan"):
        Fl(math.inf) * Fl(0.0)


def test_a_true_value_an_exact_saturation_away_from_a_float_is_not_yet_that_float() -> None:
    with workprec(192):
        at_tie = arb(1) + arb(2) ** -152  # exactly SATURATED ulps of 1.0 above it
        inside = arb(1) + arb(2) ** -153
    assert _U * SATURATED == 2.0**-152
    assert _ends(_library(at_tie)) == (1.0 - _K * _U, 1.0 + _K * _U)
    assert _ends(_library(inside)) == (1.0, 1.0)


def test_a_true_value_an_exact_underflow_fraction_of_a_subnormal_may_be_a_few_subnormals() -> None:
    # 2**-1094 is exactly UNDERFLOWED of the smallest subnormal, 2**-1074
    assert UNDERFLOWED == 2.0**-20
    assert _ends(_library(arb(2) ** -1094)) == (-_K * 5e-324, _K * 5e-324)
    assert _ends(_library(arb(2) ** -1095)) == (0.0, 0.0)


def test_the_largest_float_is_returned_and_anything_past_it_overflows() -> None:
    assert _ends(_library(MAX_FLOAT)) == (1.7976931348623157e308, 1.7976931348623157e308)
    with pytest.raises(Inapplicable, match="overflows"):
        _library(MAX_FLOAT * 2)
    for bad in (arb("inf"), arb("nan")):
        with pytest.raises(Inapplicable, match="no finite value"):
            _library(bad)


def test_a_library_function_at_points_and_on_intervals() -> None:
    exp = _exp()
    assert exp.name == "exp"
    assert _ends(exp(0.0)) == (1.0, 1.0)  # exact: a correct library returns it
    e = exp(1.0)
    assert _ends(e) == (math.e - _K * math.ulp(math.e), math.e + _K * math.ulp(math.e))
    assert _ends(exp(Fl(0.0, 1.0))) == (1.0, e.hi)  # increasing: the ends' values
    assert _ends(exp(Fl(-1.0, 0.0))) == (exp(-1.0).lo, 1.0)
    assert _ends(exp(-(2.0**40))) == (0.0, 0.0)  # underflows, and exp has no argument reduction


def test_sqrt_and_log_at_and_below_the_edge_of_their_domain() -> None:
    sqrt = _Function("sqrt", lambda v: v.sqrt(), 1, domain=0.0)
    log = _Function("log", lambda v: v.log(), 1, domain=0.0)
    assert _ends(sqrt(0.0)) == (0.0, 0.0)  # 0 is inside sqrt's domain
    assert _ends(sqrt(Fl(0.0, 4.0))) == (0.0, 2.0)
    with pytest.raises(Inapplicable, match="no finite value"):
        log(0.0)  # inside the domain, but a pole
    for name, f in (("sqrt", sqrt), ("log", log)):
        for x in (-1.0, Fl(-1.0, 4.0)):
            with pytest.raises(Inapplicable, match=f"{name} outside its domain"):
                f(x)
    with pytest.raises(Inapplicable, match="exp outside its domain"):
        _exp()(math.nan)


def test_sin_on_an_interval_is_at_most_its_range_and_at_a_point_its_reduction_shows() -> None:
    sin = _Function("sin", lambda v: v.sin(), 0, reduces=True)
    assert _ends(sin(Fl(0.0, 1.0))) == (-1.0, 1.0)
    assert _ends(sin(0.0)) == (0.0, 0.0)
    # cos of this float is 4.7e-19 (Kahan and McDonald): a reduction error of REDUCTION_CAP dwarfs its ulps
    x = 6381956970095103 * 2.0**797
    cos = _Function("cos", lambda v: v.cos(), 0, reduces=True)
    with workprec(192):
        true = float(arb(x).cos())
    got = cos(x)
    assert got.lo <= true - REDUCTION_CAP * 0.99 and got.hi >= true + REDUCTION_CAP * 0.99
    assert got.lo >= true - REDUCTION_CAP * 1.01 and got.hi <= true + REDUCTION_CAP * 1.01
    # without reduction the same function is only a few ulps wide
    plain = _Function("cos", lambda v: v.cos(), 0)(x)
    assert plain.hi - plain.lo <= 2 * _K * math.ulp(true)


def test_only_a_reducing_function_is_widened_by_the_reduction_error() -> None:
    # exp(-2**40) is 0.0 exactly in a library; reduction would add 2**40 * 2**-142
    assert _ends(_exp()(-(2.0**40))) == (0.0, 0.0)
    widened = _exp(reduces=True)(-(2.0**40))
    assert widened.lo < 0.0 < widened.hi


def test_0_to_an_interval_of_exponents_from_0_is_inapplicable() -> None:
    for x in (Fl(0.0), Fl(0.0, 1.0)):
        with pytest.raises(Inapplicable, match="non-integer"):
            x ** Fl(0.0, 0.5)


def test_an_interval_around_0_to_the_power_0_is_1() -> None:
    assert _ends(Fl(-1.0, 2.0) ** 0) == (1.0, 1.0)
    assert _ends(Fl(-1.0, 2.0) ** 1) == (-1.0, 2.0)


def test_a_point_0_times_an_infinite_point_is_0_not_nan() -> None:
    for a, b in ((Fl(0.0), Fl(math.inf)), (Fl(math.inf), Fl(0.0)), (Fl(0.0), Fl(-math.inf))):
        p = product(a, b)
        assert _ends(p) == (0.0, 0.0)


def test_cosh_on_either_side_of_0_and_around_it_spans_the_library_values_at_its_ends() -> None:
    with workprec(192):
        near, far = _library(arb(0.5).cosh()), _library(arb(3.0).cosh())
    for x in (Fl(0.5, 3.0), Fl(-3.0, -0.5)):
        assert _ends(FL.cosh(x)) == (near.lo, far.hi)
    assert _ends(FL.cosh(-3.0)) == _ends(far)
    assert _ends(FL.cosh(Fl(-3.0, 0.5))) == (1.0, far.hi)
    assert _ends(FL.cosh(Fl(-0.5, 3.0))) == (1.0, far.hi)


def test_a_product_of_two_points_is_the_one_float_an_engine_gets() -> None:
    assert _ends(product(Fl(3.0), Fl(-0.5))) == (-1.5, -1.5)
    assert _ends(product(Fl(0.1), Fl(3.0))) == (0.1 * 3.0, 0.1 * 3.0)  # rounded to nearest
    assert _ends(product(Fl(1e300), Fl(1e300))) == (math.inf, math.inf)  # overflow is inf, not an error
