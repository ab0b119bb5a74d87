"""The reduction allowance: every summation order a correct engine may use passes, a planted error fails.

Each guard works both ways: tightened 10x, a correct order (left to right,
on numbers chosen so that order loses half of what the bound allows) would
fail; loosened 10x, a planted error at 3x the allowance would pass.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from verify.tensor import allowance
from verify.tensor.check import check
from verify.tensor.elements import Sum
from verify.tensor.program import build
from verify.tensor.run import Run

N = 64
TINY = 2.0**-54
"""Half an ulp of 1.0: added to 1.0 it rounds away (ties to even), added to itself it is exact."""
TERMS = [1.0] + [TINY] * (N - 1)


def left_to_right(xs: list[float]) -> float:
    total = 0.0
    for x in xs:
        total += x
    return total


def pairwise(xs: list[float]) -> float:
    if len(xs) <= 2:
        return left_to_right(xs)
    half = len(xs) // 2
    return pairwise(xs[:half]) + pairwise(xs[half:])


def right_to_left(xs: list[float]) -> float:
    return left_to_right(list(reversed(xs)))


SUM = Sum(tuple(((0, i),) for i in range(N)))
FACTORS = [[x] for x in TERMS]


@pytest.mark.parametrize("order", [left_to_right, pairwise, right_to_left])
def test_every_summation_order_passes(order):
    assert allowance.within(order(TERMS), SUM, FACTORS)


def test_left_to_right_uses_much_of_the_allowance_so_a_10x_tighter_one_would_refuse_it():
    got = left_to_right(TERMS)
    exact, slack = allowance.bound(SUM, FACTORS)
    assert got == 1.0 and abs(Fraction(got) - exact) > slack / 10
    assert not allowance.within(got, SUM, FACTORS, scale=0.1)


def test_a_planted_error_just_outside_is_caught_and_would_pass_10x_looser():
    exact, slack = allowance.bound(SUM, FACTORS)
    planted = float(exact + 3 * slack)
    assert not allowance.within(planted, SUM, FACTORS)
    assert allowance.within(planted, SUM, FACTORS, scale=10)


def test_dot_products_count_their_product_roundings():
    e = Sum((((0, 0), (1, 0)), ((0, 1), (1, 1))))
    assert allowance.roundings(e) == 2
    assert allowance.roundings(Sum((((0, 0),), ((0, 1),)), divide=2)) == 3
    third = 1.0 / 3.0
    factors = [[third, 3.0], [1.0, 1.0]]
    assert allowance.within(third * 3.0 + 1.0, e, factors)


def _broadcast_run(w: list[float], x_grad: float) -> tuple:
    """sum((x + z) * w) with x of shape (1,) broadcast over z of shape (n,): x's gradient is sum(w)."""
    n = len(w)
    program = build({"x": ((1,), [0.5]), "z": ((n,), [0.0] * n), "w": ((n,), w)},
                    [("add", [0, 1], {}), ("mul", [3, 2], {}), ("sum", [4], {})])
    t1 = [0.5] * n
    t2 = [0.5 * v for v in w]
    data = [[0.5], [0.0] * n, w, t1, t2, [pairwise(t2)]]
    grads = [[x_grad], list(w), t1, list(w), [1.0] * n, [1.0]]
    shapes = [s for s in program.shapes]
    return program, Run(data, shapes, grads, shapes)


def test_a_gradient_summed_back_in_the_worst_order_passes_and_would_fail_10x_tighter():
    program, run = _broadcast_run(TERMS, left_to_right(TERMS))
    assert check(program, run).faults == []
    assert [f.kind for f in check(program, run, scale=0.1).faults] == ["gradient"]


def test_a_gradient_planted_just_outside_the_accumulation_slack_is_caught():
    exact = Fraction(1) + (N - 1) * Fraction(TINY)
    slack = allowance.accumulation(N + 1, 1.0 + (N - 1) * TINY)
    program, run = _broadcast_run(TERMS, float(exact + 3 * Fraction(slack)))
    found = check(program, run).faults
    assert [(f.kind, f.op, f.pattern) for f in found] == [("gradient", "add", "(1,) with (64,)")]
    assert check(program, run, scale=10).faults == []
