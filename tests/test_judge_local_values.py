"""The per-node sweep's float helpers (``judge.local``) at inputs where each bound, end and branch decides
the answer: the summation slack against Higham's bound, products that land among the subnormals,
0 x inf, sums past float64, grad-first products below the subnormals, and the sweep's slot tables."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from micrograd import Value
from verify import check
from verify.judge.allowance import BASE_ULPS, Allowed
from verify.judge.floats import Fl
from verify.judge.local import (
    REROUNDED,
    Allowances,
    Ends,
    Sweep,
    U,
    _finish,
    _plus,
    _scaled_sum,
    _times,
    _total,
    summation,
    tiny_times,
)
from verify.judge.verdict import check_run, judge_runs
from verify.program import Const, Program, Step

M = 1.7976931348623157e308
TINY = 5e-324


def _gamma_bound(terms: int, magnitude: float | Fraction) -> Fraction:
    """Higham's gamma(terms - 2) * magnitude, with the (1 + 2 * terms * U) for the summed sizes, exactly."""
    n, u = terms - 2, Fraction(U)
    return n * u / (1 - n * u) * Fraction(magnitude) * (1 + 2 * terms * u)


def test_one_or_two_terms_need_no_slack() -> None:
    assert summation(1, 1.0) == 0.0 and summation(2, 1.0) == 0.0


@pytest.mark.parametrize("terms", [3, 1000, 10**6])
def test_the_summation_slack_covers_highams_bound_and_little_more(terms: int) -> None:
    got = Fraction(summation(terms, 1.0))
    bound = _gamma_bound(terms, 1.0)
    assert bound <= got <= bound * (1 + 8 * Fraction(U))


def test_allowances_read_as_a_mapping() -> None:
    a = Allowances(5)
    assert 3 not in a and "3" not in a and 7 not in a
    first = Allowed(Fl(1.0), Fl(1.0), [None], [None], Fl(1.0))
    last = Allowed(Fl(2.0), Fl(2.0), [None], [None], Fl(2.0))
    a[0], a[4] = first, last
    assert a.get(0) is first and a[4] is last and 0 in a and list(a.values()) == [first, last]
    assert a.get(5) is None and a.get(-1) is None and -1 not in a  # no wrapping around either end
    with pytest.raises(KeyError) as error:
        a[3]
    assert error.value.args == (3,)


def test_an_unknown_slot_has_no_interval_and_no_expected_adjoint() -> None:
    ends = Ends(3)
    ends.lo[1], ends.hi[1] = 1.0, 2.0
    assert ends[1] == (1.0, 2.0)
    ends.unknown = bytearray([0, 1, 0])
    assert ends[1] is None and ends[2] == (0.0, 0.0)
    sweep = Sweep(expected_ends=ends)
    assert sweep.expected(1) is None
    known = sweep.expected(0)
    assert known is not None and (known.lo, known.hi) == (0.0, 0.0)


def test_a_product_with_0_is_exactly_0() -> None:
    assert _times(0.0, 0.0, 1.0, 2.0) == (0.0, 0.0)
    assert _times(1.0, 2.0, 0.0, 0.0) == (0.0, 0.0)
    assert _times(0.0, 0.0, 0.0, 0.0) == (0.0, 0.0)


def test_a_subnormal_product_may_land_one_spacing_either_side() -> None:
    r = -1e-310 * 1.0
    assert _times(-1e-310, -1e-310, 1.0, 1.0) == (r - REROUNDED, r + REROUNDED)
    assert _times(1e-310, 1e-310, 1.0, 1.0) == (1e-310 - REROUNDED, 1e-310 + REROUNDED)
    assert _times(-2e-310, -1e-310, 1.0, 1.0) == (-2e-310 - REROUNDED, -1e-310 + REROUNDED)
    assert _times(1e-310, 2e-310, 1.0, 1.0) == (1e-310 - REROUNDED, 2e-310 + REROUNDED)
    # normal products are rounded once, to nearest: their ends are exact
    assert _times(2.0, 2.0, 3.0, 3.0) == (6.0, 6.0)
    assert _times(-3.0, 2.0, 1.0, 5.0) == (-15.0, 10.0)


def test_0_times_inf_at_a_corner_counts_as_0() -> None:
    assert _times(0.0, 1.0, math.inf, math.inf) == (-REROUNDED, math.inf)
    assert _times(math.inf, math.inf, 0.0, 1.0) == (-REROUNDED, math.inf)


def test_inf_minus_inf_in_a_sum_of_two_is_unbounded_that_way() -> None:
    assert _plus(math.inf, -math.inf, -math.inf) == -math.inf
    assert _plus(1.0, 2.0, math.inf) == 3.0
    assert _finish([(-math.inf, 0.0), (math.inf, math.inf)]) == (-math.inf, math.inf)


def test_a_scaled_sum_takes_each_number_once_and_scales_the_small_ones_after_summing() -> None:
    k = 2
    # four subnormals scaled one by one would each round to 0; summed first they are one
    assert _scaled_sum([TINY] * 4, k) == TINY
    # at the split between the two ways of summing, a number is counted once
    assert _scaled_sum([2.0 ** (k - 1021)], k) == 2.0**-1021
    # just below the split each scaled alone would lose its last bit: four of them keep it
    x = 2.0 ** (k - 1022) + TINY
    assert _scaled_sum([x] * 4, k) == 2.0**-1020 + TINY
    assert _scaled_sum([M, M, -M], 3) == M / 8


def test_a_total_past_float64_on_the_way_but_not_at_the_end_is_finite() -> None:
    assert _total([M, M, -M], math.inf) == M
    assert _total([M, M], math.inf) == math.inf
    assert _total([-math.inf, 1.0], math.inf) == -math.inf
    assert _total([math.inf, -math.inf, 1.0], -math.inf) == -math.inf


def test_a_sum_whose_sizes_pass_float64_is_unbounded_only_on_the_side_that_can_overflow() -> None:
    # 0.75M + 0.5M overflows in some order; the low ends add up to 0.75M + 6, with Higham's slack for
    # nine terms (about 12 ulps of 0.75M) below it; the negative ones can not overflow
    terms = [(0.75 * M, 0.75 * M), (0.5 * M, 0.5 * M), (-0.5 * M, -0.5 * M)] + [(1.0, 1.0)] * 6
    lo, hi = _finish(terms)
    assert hi == math.inf
    sizes = Fraction(0.75 * M) + 2 * Fraction(0.5 * M) + 6
    exact = Fraction(0.75 * M) + 6 - _gamma_bound(len(terms), sizes)
    assert Fraction(lo) <= exact and Fraction(lo) >= exact - 4 * Fraction(math.ulp(0.75 * M))
    lo, hi = _finish([(-b, -a) for a, b in terms])
    assert lo == -math.inf
    assert Fraction(hi) >= -exact and Fraction(hi) <= -exact + 4 * Fraction(math.ulp(0.75 * M))


def test_a_grad_first_product_below_the_subnormals_is_the_exact_one_to_a_few_ulps() -> None:
    # partials in [2**-974, 2**-973], scaled by 2**1074: the adjoint 1 times them, on both sides
    lo, hi = tiny_times(1.0, 1.0, (2.0**100, 2.0**101))
    assert lo == 2.0**-974 - BASE_ULPS * math.ulp(2.0**-974)
    assert hi == 2.0**-973 + BASE_ULPS * math.ulp(2.0**-973)
    lo, hi = tiny_times(-3.0, 2.0, (2.0**100, 2.0**101))
    assert lo < -3 * 2.0**-973 < lo + 8 * math.ulp(lo) and hi > 2.0**-972 > hi - 8 * math.ulp(hi)


@pytest.mark.parametrize(("planted", "faulty"), [(0.0, False), (0.75 * 1e300 * TINY, False), (1e-22, True)])
def test_a_partial_below_the_subnormals_allows_both_orders_of_the_product_and_no_more(planted: float,
                                                                                     faulty: bool) -> None:
    # d(x**3)/dx at x = 2**-538 is 0.75 * 2**-1074: partial-first engines round it to 0 (3 * (x * x))
    # or to 2**-1074 ((3 * x) * x); grad-first ones get 1e300 * 0.75 * 2**-1074 (the exact product)
    x = Value(2.0**-538)
    y = (x**3) * 1e300
    y.backward()
    x.grad = planted
    report = check(y, inputs={"x": x})
    assert [(f.kind, f.op) for f in report.faults] == ([("wrong-rule", "powi")] if faulty else [])
    assert (report.verdict == "fail") == faulty


def test_runs_judged_together_share_allowances_yet_each_gets_its_own_verdict() -> None:
    # the allowances kept by operands and value tell -0.0 from 0.0 (equal as floats)
    mul = Program((("x", -0.0), ("y", 0.43)), (Step("mul", (0, 1)),))
    relu = Program((("x", -0.0),), (Step("relu", (0,)),))
    runs = [(mul, [-0.0, 0.43, -0.0], [0.43, -0.0, 1.0], "pass"),
            (mul, [0.0, 0.43, 0.0], [0.43, 0.0, 1.0], "pass"),
            (mul, [-0.0, 0.43, -0.0], [0.43, 0.43, 1.0], "fail"),
            (relu, [-0.0, -0.0], [0.0, 1.0], "pass"), (relu, [0.0, 0.0], [-0.0, 1.0], "pass"),
            (relu, [-0.0, 0.5], [0.0, 1.0], "fail")]
    together = {id(mul): judge_runs(mul), id(relu): judge_runs(relu)}
    for program, data, grad, verdict in runs:
        report = together[id(program)](data, grad)
        assert report.verdict == check_run(program, data, grad).verdict == verdict


def test_a_sum_of_few_terms_is_their_float_sum_and_of_more_widened_by_highams_slack() -> None:
    assert _finish([]) == (0.0, 0.0)
    assert _finish([(1.0, 2.0)]) == (1.0, 2.0)
    assert _finish([(1.0, 2.0), (0.1, 0.2)]) == (1.0 + 0.1, 2.0 + 0.2)
    terms = [(1.0, 2.0), (-100.0, 1.0), (5.0, 6.0)]  # sizes 2 + 100 + 6: the larger end of each
    lo, hi = _finish(terms)
    slack = _gamma_bound(3, 108.0)
    assert -94 - slack - 2 * Fraction(math.ulp(94.0)) <= Fraction(lo) <= -94 - slack
    assert 9 + slack <= Fraction(hi) <= 9 + slack + 2 * Fraction(math.ulp(9.0))


def test_a_sum_with_an_infinite_end_is_unbounded_on_that_side_only() -> None:
    lo, hi = _finish([(-math.inf, 1.0), (1.0, 2.0), (1.0, 2.0)])
    assert lo == -math.inf and 5.0 <= hi <= 5.0 + 8 * math.ulp(5.0)
    lo, hi = _finish([(1.0, 2.0), (1.0, math.inf), (1.0, 2.0)])
    assert hi == math.inf and 3.0 - 8 * math.ulp(3.0) <= lo <= 3.0
    # inf - inf on one side: unbounded that way
    lo, hi = _finish([(1.0, math.inf), (-math.inf, 2.0), (1.0, 2.0)])
    assert (lo, hi) == (-math.inf, math.inf)
    lo, hi = _finish([(math.inf, math.inf), (-math.inf, -math.inf), (1.0, 2.0)])
    assert (lo, hi) == (-math.inf, math.inf)
    assert _finish([(0.0, math.inf), (-math.inf, -math.inf)]) == (-math.inf, math.inf)
    # an infinite end beside finite ones that overflow on the way: still unbounded that way
    assert _finish([(M, M), (M, M), (-math.inf, 0.0)]) == (-math.inf, math.inf)
    assert _finish([(-M, -M), (-M, -M), (0.0, math.inf)]) == (-math.inf, math.inf)


def test_an_op_undefined_at_the_engines_own_operands_is_noted_only_where_it_feeds_the_output() -> None:
    # v1 = x - 2 given as -1.0 by the engine: log(v1) is undefined at the engine's own value
    feeds = Program((("x", 3.0),),
                    (Step("sub", (0, Const(2.0))), Step("log", (1,)), Step("mul", (2, Const(2.0)))))
    report = check_run(feeds, [3.0, -1.0, 0.0, 0.0], [1.0, 1.0, 2.0, 1.0])
    assert [(f.kind, f.op) for f in report.faults] == [("forward", "sub")]
    domain = [n for n in report.notes if "domain" in n]
    assert len(domain) == 1 and "log" in domain[0] and "-1.0" in domain[0] and "undefined" in domain[0]
    # the same log off the output's path spoils nothing
    dead = Program((("x", 3.0),),
                   (Step("sub", (0, Const(2.0))), Step("log", (1,)), Step("mul", (1, Const(2.0)))))
    report = check_run(dead, [3.0, -1.0, 0.0, -2.0], [2.0, 2.0, 0.0, 1.0])
    assert [(f.kind, f.op) for f in report.faults] == [("forward", "sub")]
    assert not [n for n in report.notes if "domain" in n]


def test_a_value_the_engine_did_not_give_is_taken_exact_and_the_sweep_goes_on() -> None:
    feeds = Program((("x", 3.0),),
                    (Step("sub", (0, Const(2.0))), Step("log", (1,)), Step("mul", (2, Const(2.0)))))
    assert check_run(feeds, [3.0, None, 0.0, 0.0], [2.0, 2.0, 2.0, 1.0]).verdict == "pass"
    report = check_run(feeds, [3.0, None, 0.5, 1.0], [2.0, 2.0, 2.0, 1.0])  # log(1) given as 0.5
    assert [(f.kind, f.op) for f in report.faults] == [("forward", "log")]


def test_steps_with_the_same_operands_and_value_keep_their_own_allowances_when_runs_share_them() -> None:
    # relu(0) and abs(0): both 0 at 0, with one-sided derivatives [0, 1] and [-1, 1]
    kinks = Program((("x", 0.0),), (Step("relu", (0,)), Step("abs", (0,)), Step("add", (1, 2))))
    check = judge_runs(kinks)
    for g, verdict in [(-1.0, "pass"), (2.0, "pass"), (-1.5, "fail"), (2.5, "fail")]:
        assert check([0.0, 0.0, 0.0, 0.0], [g, 1.0, 1.0, 1.0]).verdict == verdict
