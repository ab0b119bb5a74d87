"""``allowance.allowed`` at a node: what a correct float64 engine may give for its value and partials, its
nearest-float partials, the kink interval, the accepted formulas' hull, and where it refuses.

Ulps are counted with ``math.nextafter``, apart from the code under test.
"""

from __future__ import annotations

import math

import pytest
from flint import arb

from verify.judge.allowance import AMPLIFIED, BASE_ULPS, UndefinedHere, allowed
from verify.judge.floats import Fl
from verify.oracle.ball import workprec
from verify.oracle.calculus import calculus


def steps(x: float, n: int) -> float:
    """``x`` moved by ``n`` floats (down when n < 0)."""
    for _ in range(abs(n)):
        x = math.nextafter(x, math.inf if n > 0 else -math.inf)
    return x


def holds_within(interval: Fl, x: float, inside: int, outside: int) -> bool:
    """``interval`` holds x +- ``inside`` floats and not x +- ``outside`` floats."""
    return (steps(x, -inside) in interval and steps(x, inside) in interval
            and steps(x, -outside) not in interval and steps(x, outside) not in interval)


def nearest(f: object, *xs: float) -> float:
    with workprec(256):
        return float(f(*(arb(x) for x in xs)).mid())  # type: ignore[operator]


def same(a: Fl | None, b: Fl | None) -> bool:
    return a is b is None or (a is not None and b is not None and (a.lo, a.hi) == (b.lo, b.hi))


def test_one_float_operation_with_exact_partials() -> None:
    got = allowed(calculus("add"), [1.0, 2.0], 3.0, [True, True])
    assert holds_within(got.value, 3.0, int(BASE_ULPS), int(BASE_ULPS) + 2)
    assert (got.exact_value.lo, got.exact_value.hi) == (steps(3.0, -1), steps(3.0, 1))  # one rounding
    assert same(got.precise, got.value) and not got.kink and got.close is None and got.tiny is None
    assert all(same(p, Fl(1.0)) for p in got.partials) and all(same(b, Fl(1.0)) for b in got.best)


def test_a_constant_operand_gets_no_partial() -> None:
    got = allowed(calculus("mul"), [3.0, 0.1], 3.0 * 0.1, [True, False])
    assert same(got.partials[0], Fl(0.1)) and got.partials[1] is None and got.best[1] is None
    got = allowed(calculus("sub"), [3.0, 0.5], 2.5, [False, True])
    assert got.partials[0] is None and same(got.partials[1], Fl(-1.0))


@pytest.mark.parametrize(("op", "x", "slope"), [("relu", 2.0, 1.0), ("relu", -2.0, 0.0), ("abs", -2.0, -1.0)])
def test_off_a_kink_the_partial_is_its_side_exactly(op: str, x: float, slope: float) -> None:
    got = allowed(calculus(op), [x], abs(x) if op == "abs" else max(x, 0.0), [True])
    assert same(got.partials[0], Fl(slope)) and same(got.best[0], Fl(slope)) and not got.kink


@pytest.mark.parametrize(("op", "lo", "hi"), [("relu", 0.0, 1.0), ("abs", -1.0, 1.0)])
def test_at_a_kink_the_partial_is_every_slope_between_the_sides(op: str, lo: float, hi: float) -> None:
    got = allowed(calculus(op), [0.0], 0.0, [True])
    assert got.kink and all(same(p, Fl(lo, hi)) for p in (got.partials[0], got.best[0], got.close[0]))  # type: ignore[index]
    assert 0.0 in got.value and got.exact_value.lo == got.exact_value.hi == 0.0


def test_a_partial_by_formula_is_its_nearest_float_widened() -> None:
    got = allowed(calculus("sin"), [0.5], math.sin(0.5), [True])
    slope = nearest(lambda x: x.cos(), 0.5)
    assert same(got.best[0], Fl(slope))
    assert holds_within(got.partials[0], slope, int(BASE_ULPS), int(BASE_ULPS) + 2)  # type: ignore[arg-type]
    assert same(got.close[0], got.partials[0])  # type: ignore[index]
    assert holds_within(got.value, nearest(lambda x: x.sin(), 0.5), int(BASE_ULPS), int(BASE_ULPS) + 2)


def test_div_partials_are_each_operands_own() -> None:
    got = allowed(calculus("div"), [1.0, 3.0], 1 / 3, [True, True])
    assert same(got.best[0], Fl(1 / 3)) and same(got.best[1], Fl(-1 / 9))
    assert -1 / 9 in got.partials[1] and 1 / 3 not in got.partials[1]  # type: ignore[operator]


def test_accepted_formulas_widen_the_allowance_past_the_exact_one() -> None:
    out = math.tanh(0.5)
    got = allowed(calculus("tanh"), [0.5], out, [True])
    close, partial = got.close[0], got.partials[0]  # type: ignore[index]
    assert close is not None and partial is not None
    assert partial.lo < close.lo and partial.hi > close.hi  # 1 - out**2 and the rest, rounded their way
    assert got.value.lo < got.precise.lo and got.value.hi > got.precise.hi  # the accepted value formulas
    assert holds_within(got.precise, nearest(lambda x: x.tanh(), 0.5), int(BASE_ULPS), int(BASE_ULPS) + 2)


def test_accepted_partials_are_taken_at_the_engines_own_output() -> None:
    # 1 - out**2 at an output of 0.9 (not tanh(0.5) = 0.46) allows 0.19: the engine's out is what it used
    far = allowed(calculus("tanh"), [0.5], 0.9, [True]).partials[0]
    assert far is not None and 1 - 0.9 * 0.9 in far
    own = allowed(calculus("tanh"), [0.5], None, [True]).partials[0]  # at the exact value's midpoint
    assert own is not None and 1 - 0.9 * 0.9 not in own and 1 - math.tanh(0.5) ** 2 in own
    assert own.hi - own.lo < 1e-14


def test_a_constant_exponent_is_fixed_in_the_partial() -> None:
    got = allowed(calculus("powi", ((1, 3.0),)), [2.0, 3.0], 8.0, [True, False])
    assert same(got.best[0], Fl(12.0)) and got.partials[1] is None
    assert (got.exact_value.lo, got.exact_value.hi) == (8.0, 8.0)
    assert holds_within(got.partials[0], 12.0, int(BASE_ULPS), 40)  # type: ignore[arg-type]


@pytest.mark.parametrize(("op", "xs", "message"), [
    ("log", [0.0], "log's value is undefined here"),
    ("log", [-1.0], "log's value is undefined here"),
    ("div", [1.0, 0.0], "div is undefined here (division by an interval holding 0)"),
    ("sqrt", [0.0], "sqrt's derivative is undefined here"),
])
def test_no_finite_value_or_partial_is_refused_saying_what(op: str, xs: list[float], message: str) -> None:
    with pytest.raises(UndefinedHere) as raised:
        allowed(calculus(op), xs, None, [True] * len(xs))
    assert str(raised.value) == message


def test_a_partial_below_the_subnormals_is_carried_scaled_with_its_spread() -> None:
    # exp'(-800) = e**-800, about 1e-348: rounds to 0, and is carried as e**-800 * 2**1074
    got = allowed(calculus("exp"), [-800.0], 0.0, [True])
    assert same(got.partials[0], Fl(0.0)) and same(got.best[0], Fl(0.0)) and got.tiny is not None
    with workprec(256):
        scaled = float((arb(-800).exp() * arb(2) ** 1074).mid())
    lo, hi = got.tiny[0]  # type: ignore[misc]
    spread = (BASE_ULPS + AMPLIFIED * 800) * 2.0**-53  # ln p = -800
    assert lo < scaled < hi
    assert (hi - lo) / scaled == pytest.approx(2 * spread, rel=1e-3)


def test_a_partial_far_below_the_subnormals_spreads_by_its_whole_size_at_most() -> None:
    # exp'(-1e300): ln p = -1e300, so the spread is capped at 100%: the scaled ends (+-1 subnormal,
    # rounded outward from 0) move out by themselves once
    got = allowed(calculus("exp"), [-1e300], 0.0, [True])
    assert got.tiny == [(-1e-323, 1e-323)]


def test_an_overflowing_product_still_has_its_operands_as_partials() -> None:
    # 1e300 * 1e300 overflows, so the quick path gives up; the partials are still the operands, exactly
    got = allowed(calculus("mul"), [1e300, 1e300], math.inf, [True, True])
    assert all(same(p, Fl(1e300)) for p in (*got.partials, *got.best, *got.close))  # type: ignore[misc]
    assert math.inf in got.value and 1.7976931348623157e308 in got.value


def test_a_constant_operand_of_a_formula_op_gets_no_partial_and_the_other_still_does() -> None:
    got = allowed(calculus("div"), [1.0, 3.0], 1 / 3, [True, False])  # x / 3.0
    assert got.partials[1] is None and got.best[1] is None and same(got.best[0], Fl(1 / 3))
    got = allowed(calculus("div"), [1.0, 4.0], 0.25, [False, True])  # 1.0 / y
    assert len(got.partials) == 2 and got.partials[0] is None and same(got.best[1], Fl(-0.0625))
