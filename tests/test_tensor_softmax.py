"""Softmax and log-softmax allowances, guarded both ways.

Tightened 10x, a correct formulation would fail (the rows below make one
use much of the allowance: a flat row near 600, where logsumexp's rounding
is half an ulp of 600; and a dot product whose small terms a left-to-right
sum drops); loosened 10x, a planted error at 3x the allowance would pass.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from verify.tensor import softmax as sm

ROW = [600.342, 599.815, 600.255, 599.827]
"""Large and flat: log(sum(exp(x))) is about 601, rounded to a float spaced 2**-43 apart."""


def naive_log_softmax(xs: list[float]) -> list[float]:
    lse = math.log(sum(math.exp(x) for x in xs))
    return [x - lse for x in xs]


def shifted_log_softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    lse = m + math.log(sum(math.exp(x - m) for x in xs))
    return [x - lse for x in xs]


def shifted_softmax(xs: list[float]) -> list[float]:
    m = max(xs)
    e = [math.exp(x - m) for x in xs]
    total = sum(e)
    return [v / total for v in e]


def softmax_via_log(xs: list[float]) -> list[float]:
    return [math.exp(y) for y in naive_log_softmax(xs)]


def used(value: float, exact_and_error: tuple[float, float]) -> float:
    exact, error = exact_and_error
    return abs(value - exact) / error


@pytest.mark.parametrize("formula", [naive_log_softmax, shifted_log_softmax])
def test_every_log_softmax_formulation_passes(formula):
    ys = formula(ROW)
    assert all(used(y, sm.log_softmax_error(ROW, i)) <= 1 for i, y in enumerate(ys))


@pytest.mark.parametrize("formula", [shifted_softmax, softmax_via_log])
def test_every_softmax_formulation_passes(formula):
    ss = formula(ROW)
    assert all(used(s, sm.softmax_error(ROW, i)) <= 1 for i, s in enumerate(ss))


def test_a_10x_tighter_forward_allowance_would_refuse_a_correct_formulation():
    y = naive_log_softmax(ROW)[0]
    assert used(y, sm.log_softmax_error(ROW, 0)) > 0.1
    assert used(y, sm.log_softmax_error(ROW, 0, scale=0.1)) > 1
    s = softmax_via_log(ROW)[0]
    assert used(s, sm.softmax_error(ROW, 0)) > 0.1
    assert used(s, sm.softmax_error(ROW, 0, scale=0.1)) > 1


def test_a_forward_error_planted_at_3x_is_caught_and_would_pass_10x_looser():
    for error_of in (sm.log_softmax_error, sm.softmax_error):
        exact, error = error_of(ROW, 1)
        planted = exact + 3 * error
        assert used(planted, error_of(ROW, 1)) > 1
        assert used(planted, error_of(ROW, 1, scale=10)) <= 1


def left_to_right(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


N = 64
S_ROW = [1.0] + [2.0**-53] * (N - 1)
"""A dominant output: s_1 + s_i rounds back to s_1, so a left-to-right dot product drops every s_i."""
ONES = [(1.0, 1.0)] * N


def softmax_input_gradient(s: list[float], g: list[float], j: int) -> float:
    return s[j] * (g[j] - left_to_right([gi * si for gi, si in zip(g, s, strict=True)]))


def exact_softmax_input_gradient(s: list[float], g: list[float], j: int) -> Fraction:
    dot = sum(Fraction(gi) * Fraction(si) for gi, si in zip(g, s, strict=True))
    return Fraction(s[j]) * (Fraction(g[j]) - dot)


def test_softmax_backward_summed_left_to_right_passes_and_would_fail_10x_tighter():
    g = [1.0] * N
    j = N - 1
    got = softmax_input_gradient(S_ROW, g, j)
    lo, hi = sm.backward_rows(S_ROW, ONES, log=False)[j]
    assert lo <= got <= hi
    exact = exact_softmax_input_gradient(S_ROW, g, j)
    assert abs(Fraction(got) - exact) > Fraction(hi - lo) / 2 / 10
    lo, hi = sm.backward_rows(S_ROW, ONES, log=False, scale=0.1)[j]
    assert not lo <= got <= hi


def test_log_softmax_backward_summed_left_to_right_passes_and_would_fail_10x_tighter():
    g = [1.0] + [2.0**-54] * (N - 1)
    y = [0.0] + [-40.0] * (N - 1)  # exp(0) = 1: the first output holds the row
    got = g[0] - math.exp(y[0]) * left_to_right(g)
    rows = [(x, x) for x in g]
    lo, hi = sm.backward_rows(y, rows, log=True)[0]
    assert lo <= got <= hi
    exact = Fraction(g[0]) - sum(Fraction(x) for x in g)
    assert abs(Fraction(got) - exact) > Fraction(hi - lo) / 2 / 10
    lo, hi = sm.backward_rows(y, rows, log=True, scale=0.1)[0]
    assert not lo <= got <= hi


@pytest.mark.parametrize("log", [False, True])
def test_a_backward_error_planted_at_3x_is_caught_and_would_pass_10x_looser(log):
    s = [0.25, 0.5, 0.125, 0.125]
    y = [math.log(v) for v in s]
    g = [0.5, -1.0, 2.0, 0.75]
    rows = [(x, x) for x in g]
    lo, hi = sm.backward_rows(y if log else s, rows, log=log)[2]
    planted = hi + 2 * (hi - lo) / 2  # 3x the half-width from the centre
    assert not lo <= planted <= hi
    lo, hi = sm.backward_rows(y if log else s, rows, log=log, scale=10)[2]
    assert lo <= planted <= hi
