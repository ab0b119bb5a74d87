"""The finite-difference witness (``oracle.fd``) on small programs: each way a difference agrees,
disagrees or is skipped, with the reason the report prints, and its helpers at their edges."""

from __future__ import annotations

from typing import Any

import pytest
from flint import arb

from verify.oracle.ball import workprec
from verify.oracle.exact import exact, plan
from verify.oracle.fd import (
    DIRECTIONS,
    MAX_BITS,
    Difference,
    _converged,
    _exponent,
    _fast_bits,
    _gap,
    _kink_sides_values,
    _resolved,
    _settled,
    differences,
)
from verify.program import Const, Program, Step

NEAR_ONE = 1.0000000000000002  # 1 + 2**-52: x - 1 is tiny, and a step of 2**-32 crosses 1
CUBE = (Step("mul", (0, 0)), Step("mul", (1, 0)))  # x**3 of one input: slots 1 (x*x) and 2 (x**3)


def diffs(inputs: dict[str, float], *steps: Step, wrong: float = 1.0,
          seed: int = 0) -> tuple[list[Difference], bool]:
    """The differences of the program at its inputs, against its exact gradient times ``wrong``."""
    program = Program(tuple(inputs.items()), steps)
    nodes = plan(program)
    ex = exact(program, nodes, 256)
    with workprec(256):
        gradient = [a * wrong for a in ex.adjoints[: len(program.inputs)]]
    return differences(program, nodes, ex.values, gradient, seed)


def near(a: Any, b: Any, bits: int = 40) -> bool:
    with workprec(256):
        return bool(abs(arb(a) - arb(b)) <= abs(arb(b)) * arb(2) ** -bits)


@pytest.mark.parametrize(("x", "scale"), [(0.5, 0.5), (-0.25, 0.25), (3.0, 1.0), (0.0, 1.0)])
def test_one_input_gets_its_own_difference_scaled_by_its_size(x: float, scale: float) -> None:
    found, per_input = diffs({"x": x}, Step("sin", (0,)))
    assert per_input and len(found) == 1
    d = found[0]
    assert (d.direction, d.agrees, d.why, d.scale) == ([1], True, "", scale)
    with workprec(256):
        slope = arb(x).cos()
        assert d.fd is not None and near(d.fd, slope * scale) and near(d.exact, slope * scale)
    assert float(d.shown()) == pytest.approx(float(slope.mid()), rel=1e-15)
    assert float(d.shown_exact()) == pytest.approx(float(slope.mid()), rel=1e-15)
    if x:  # cos(0) = 1 prints as "1.0"; the others to 20 certified digits by default
        digits = d.shown_exact().lstrip("-0.")
        five = d.shown_exact(5).lstrip("-0.")
        assert len(digits.replace(".", "")) == 20 and len(five.replace(".", "")) == 5
        assert len(d.shown().lstrip("-0.").replace(".", "")) == 20


def test_each_of_a_few_inputs_moves_alone() -> None:
    found, per_input = diffs({"x": 0.5, "y": 2.0}, Step("mul", (0, 1)), Step("exp", (2,)))
    assert per_input and [d.direction for d in found] == [[1, 0], [0, 1]]
    assert [d.scale for d in found] == [0.5, 1.0]
    with workprec(256):
        e = arb(1).exp()
        assert near(found[0].exact, 2 * e * 0.5) and near(found[1].exact, 0.5 * e)
    assert all(d.agrees and d.why == "" and d.fd is not None for d in found)


def test_a_wrong_gradient_is_a_difference_that_disagrees() -> None:
    found, _ = diffs({"x": 0.5}, Step("sin", (0,)), wrong=2.0)
    d = found[0]
    assert (d.direction, d.agrees, d.why) == ([1], False, "") and d.fd is not None
    with workprec(256):
        assert near(d.fd, arb(0.5).cos() * 0.5) and near(d.exact, arb(0.5).cos())
    found, _ = diffs({"x": 0.5}, Step("sin", (0,)), wrong=-1.0)
    assert not found[0].agrees


def test_many_inputs_are_checked_along_random_directions_of_the_seed() -> None:
    inputs = {f"x{i}": 0.5 + i for i in range(9)}
    steps = [Step("mul", (0, 1))] + [Step("add", (8 + i, i + 1)) for i in range(1, 8)]
    found, per_input = diffs(inputs, *steps)
    assert not per_input and len(found) == DIRECTIONS
    for d in found:
        assert len(d.direction) == 9 and set(d.direction) <= {-1, 1} and d.scale == 1.0
        # d/dx0 = x1 = 1.5, d/dx1 = x0 = 0.5, the rest 1; each input moves by min(|x|, 1): x0 by 0.5
        want = d.direction[0] * 1.5 * 0.5 + d.direction[1] * 0.5 + sum(d.direction[2:])
        assert d.agrees and d.why == "" and near(d.exact, want) and d.fd is not None and near(d.fd, want, 30)
    again, _ = diffs(inputs, *steps)
    other, _ = diffs(inputs, *steps, seed=1)
    assert [d.direction for d in again] == [d.direction for d in found] != [d.direction for d in other]
    wrong, _ = diffs(inputs, *steps, wrong=-1.0)
    assert not all(d.agrees for d in wrong)


def test_a_kink_within_the_step_skips_the_difference() -> None:
    found, _ = diffs({"x": NEAR_ONE}, Step("sub", (0, Const(1.0))), Step("relu", (1,)),
                     Step("add", (2, Const(10.0))))
    d = found[0]
    why = "difference skipped: a kink lies within the step"
    assert (d.direction, d.fd, d.agrees, d.why) == ([1], None, True, why)
    assert d.shown() == "" and d.shown_exact() == "1.0"


@pytest.mark.parametrize("op", ["sqrt", "log"])
def test_a_step_out_of_the_domain_skips_the_difference_and_says_where(op: str) -> None:
    # op(x - 1) * 0 + 10: a zero derivative, so the step is not shrunk, and x - h < 1
    found, _ = diffs({"x": NEAR_ONE}, Step("sub", (0, Const(1.0))), Step(op, (1,)),
                     Step("mul", (2, Const(0.0))), Step("add", (3, Const(10.0))))
    d = found[0]
    assert (d.direction, d.fd, d.agrees) == ([1], None, True) and d.exact == arb(0)
    assert d.why == f"difference skipped: the step leaves the domain ({op} is undefined here)"


def test_a_derivative_tiny_against_the_value_would_need_too_many_bits() -> None:
    # x**32 + 1 at the smallest subnormal: the derivative is 2**-33000 against a value of 1
    steps = [Step("mul", (0, 0)), *[Step("mul", (i, i)) for i in range(1, 5)], Step("add", (5, Const(1.0)))]
    d = diffs({"x": 5e-324}, *steps)[0][0]
    assert (d.fd, d.agrees, d.scale) == (None, True, 5e-324)
    # 2 * STEP_BITS + (ln2 of f over the derivative's terms: 1074 * 32 - 5) + RESOLVE_BITS + 64
    assert d.why == f"difference skipped: it would need {2 * 32 + 1074 * 32 - 5 + 48 + 64} bits"
    assert d.direction == [1] and d.exact.is_finite() and 0 < d.exact < 2.0**-1000


def test_a_zero_derivative_is_checked_against_a_steps_worth_of_the_value() -> None:
    zero = Step("mul", (0, Const(0.0)))
    for steps in [(zero, Step("add", (1, Const(10.0)))), (zero,)]:
        d = diffs({"x": 0.5}, *steps)[0][0]
        assert d.agrees and d.why == "" and d.exact == arb(0) and d.fd is not None and d.shown() == "0"


def test_exponent_is_the_floor_of_log2_of_the_midpoint() -> None:
    assert [_exponent(arb(v)) for v in (1, 2, 3, 4, 0.75, -8, 1e-300)] == [0, 1, 1, 2, -1, 3, -997]
    with workprec(128):
        assert _exponent(arb(2) ** -30000) == -30000
    assert _exponent(arb(0)) == 0 and _exponent(arb("inf")) == 0 and _exponent(arb(0, 1)) == 0


def test_gap_is_the_distance_from_the_midpoint_to_the_ball() -> None:
    exact_ball = arb(1, 0.5)  # about [0.5, 1.5]
    assert _gap(arb(1.25), exact_ball) == 0
    assert near(_gap(arb(2), exact_ball), arb(0.5), 20) and _gap(arb(2), exact_ball) < 0.5
    assert near(_gap(arb(-1), exact_ball), arb(1.5), 20) and _gap(arb(-1), exact_ball) < 1.5


def test_resolved_settled_and_converged_at_their_edges() -> None:
    with workprec(256):
        one, zero, tiny = arb(1), arb(0), arb(2) ** -60
        assert _resolved(arb(1, 2.0**-50), one, one) and not _resolved(arb(1, 2.0**-40), one, one)
        assert _resolved(arb(5, 2.0**-60), zero, one) and not _resolved(arb(5, 2.0**-40), zero, one)
        assert _resolved(arb(5, 2.0**-60), zero, arb(4)) and not _resolved(arb(5, 2.0**-60), zero, tiny)
        q = arb(5, 1e-20)  # ties: the radius exactly 2**-RESOLVE_BITS of the scale, or of the midpoint
        assert _resolved(q, zero, q.rad() * arb(2) ** 48)
        r = arb(0, 1e-20).rad()
        assert _resolved(arb(r * arb(2) ** 48, 1e-20), one, one)
        assert _settled(one, one + 2.0**-25, one, one) and not _settled(one, one + 2.0**-15, one, one)
        assert _settled(one, one + 2.0**-52, zero, one) and not _settled(one, one + 2.0**-40, zero, one)
        assert not _settled(one, one + 2.0**-52, zero, tiny)
        assert _settled(one, one + arb(2) ** -20, one, one)  # exactly CONVERGED_BITS apart: a tie settles
        h2 = [arb(1) + arb(c) * 2.0**-12 for c in (1, 4, 16)]  # 1 + c h**2 at h, 2h, 4h: extrapolates to 1
        assert _converged(*h2)
        assert not _converged(*h2[::-1]) and not _converged(arb(1), arb(1.5), arb(0.25))
        # extrapolated: 1 and 1 + 2**-20, exactly CONVERGED_BITS apart (a tie), or 1e-8 apart
        assert _converged(arb(1), arb(1), 1 - 3 * arb(2) ** -20)
        assert _converged(arb(1), arb(1), 1 - 3 * arb(1e-8))
        assert not _converged(arb(1), arb(1), 1 - 3 * arb(2) ** -19)


def test_kink_sides_count_each_op_with_a_kink() -> None:
    program = Program((("x", 1.0), ("y", -2.0)), (Step("relu", (0,)), Step("abs", (1,)), Step("relu", (3,)),
                                                  Step("sin", (0,))))
    nodes = plan(program)
    with workprec(128):
        values = [arb(2), arb(-2), arb(2), arb(0), arb(0, 1), arb(0)]
        assert _kink_sides_values(nodes, values) == [1, -1, 0]  # sin has no kink: not listed
        values = [arb(-1), arb(0), arb(0), arb(3), arb(3), arb(0)]
        assert _kink_sides_values(nodes, values) == [-1, 0, 1]


def test_a_longer_step_out_of_the_domain_skips_the_difference() -> None:
    # sqrt(x - 1) + 1e6, x - 1 = 1.5 steps: h stays in the domain, 2h (to estimate truncation) does not
    x = 1 + 1.5 * 2.0**-32
    found, _ = diffs({"x": x}, Step("sub", (0, Const(1.0))), Step("sqrt", (1,)), Step("add", (2, Const(1e6))))
    d = found[0]
    why = "difference skipped: the step leaves the domain"
    assert (d.direction, d.fd, d.agrees, d.why) == ([1], None, True, why)
    with workprec(256):
        assert near(d.exact, 1 / (2 * (arb(x) - 1).sqrt()))


def test_a_need_of_a_billion_bits_or_more_is_said_as_a_power_of_two() -> None:
    # x ** 2**20 + 1 at the smallest subnormal: 1074 * 2**20 - 20 + 176 bits, between 1e9 and 2**31
    steps = [Step("mul", (0, 0)), *[Step("mul", (i, i)) for i in range(1, 20)], Step("add", (20, Const(1.0)))]
    d = diffs({"x": 5e-324}, *steps)[0][0]
    assert 10**9 < 1074 * 2**20 - 20 + 176 < 2**31
    assert (d.fd, d.why) == (None, "difference skipped: it would need about 2**30 bits")


def test_up_to_eight_inputs_each_get_their_own_difference() -> None:
    inputs = {f"x{i}": 0.5 + i for i in range(8)}
    steps = [Step("add", (0, 1))] + [Step("add", (7 + i, i + 1)) for i in range(1, 7)]
    found, per_input = diffs(inputs, *steps)
    assert per_input and [d.direction for d in found] == [[int(i == k) for i in range(8)] for k in range(8)]
    assert [d.scale for d in found] == [0.5] + [1.0] * 7 and all(d.agrees and d.fd is not None for d in found)


def test_many_inputs_take_the_finer_step_and_seed_0_by_default() -> None:
    inputs = {f"x{i}": 0.5 + i / 16 for i in range(9)}
    steps = [Step("sin", (0,))] + [Step("add", (8 + i, i)) for i in range(1, 9)]  # sin(x0) + x1 + ... + x8
    program = Program(tuple(inputs.items()), tuple(steps))
    nodes = plan(program)
    ex = exact(program, nodes, 256)
    found, _ = differences(program, nodes, ex.values, ex.adjoints[:9])
    assert [d.direction for d in found] == [d.direction for d in diffs(inputs, *steps, seed=0)[0]]
    for d in found:  # a step of 2**-60: truncation about 2**-120, far below 2**-100 of the derivative
        assert d.agrees and d.fd is not None and near(d.fd, d.exact, 100)


def test_a_zero_derivative_with_curvature_settles_at_the_second_step() -> None:
    # x**3 at 0: the derivative is exactly 0 and so is f, so "small" is a step's worth of 1 (2**-32 * 2**-48).
    # At h = 2**-32 the differences are h**2 = 2**-64 and 4h**2: 3 * 2**-64 apart, not settled; at
    # h = 2**-64 they are 2**-128 and 2**-126, settled, and the Richardson allowance covers 2**-128.
    d = diffs({"x": 0.0}, *CUBE)[0][0]
    assert (d.direction, d.agrees, d.why, d.scale) == ([1], True, "", 1.0)
    assert d.exact == arb(0) and d.fd is not None and d.fd.mid() == arb(2) ** -128


def test_eight_inputs_still_take_the_coarser_step() -> None:
    # x0**3 + x1 + ... + x7 at 0: eight inputs each get their own difference, at steps of 2**-32
    # (the finer 2**-60 of random directions would give 2**-120 at once)
    steps = [Step("mul", (0, 0)), Step("mul", (8, 0)), *[Step("add", (8 + i, i)) for i in range(1, 8)]]
    found, per_input = diffs({f"x{i}": 0.0 for i in range(8)}, *steps)
    assert per_input and found[0].fd is not None and found[0].fd.mid() == arb(2) ** -128
    assert all(d.fd is not None and d.fd.mid() == 1 and d.agrees for d in found[1:])


def test_a_derivative_where_f_is_0_keeps_the_first_step() -> None:
    # x**3 + 1024 x at 0: f is 0, so the step is not shrunk by |f| / |D| (h = 2**-32), and the
    # difference is 1024 + h**2; a step shrunk by log2 1024 would give 1024 + 2**-84
    d = diffs({"x": 0.0}, *CUBE, Step("mul", (0, Const(1024.0))), Step("add", (2, 3)))[0][0]
    assert (d.agrees, d.why) == (True, "") and d.exact == 1024
    with workprec(256):
        assert d.fd is not None and d.fd.mid() == 1024 + arb(2) ** -64


def test_a_cancellation_the_bit_count_does_not_see_takes_more_bits() -> None:
    # (x + 1e300) - 1e300 = x at 0.5: need counts 176 bits, x + h + 1e300 needs over 1,000; each step
    # tries 1, 2 and 4 times its bits, and the steps add bits, until the difference is tight
    d = diffs({"x": 0.5}, Step("add", (0, Const(1e300))), Step("sub", (1, Const(1e300))))[0][0]
    assert (d.direction, d.agrees, d.why, d.scale) == ([1], True, "", 0.5)
    assert d.fd is not None and near(d.fd, 0.5, 100) and d.exact == 0.5


def test_a_function_too_fast_for_every_step_is_skipped_with_its_exact_derivative() -> None:
    # 1 + 1e-300 sin(1e300 x) at 0.5: a derivative of about 1, a value of about 1, so no shrinking;
    # even the eighth step (2**-256) spans 1e222 periods, so the differences are noise and never settle
    d = diffs({"x": 0.5}, Step("mul", (0, Const(1e300))), Step("sin", (1,)), Step("mul", (2, Const(1e-300))),
              Step("add", (3, Const(1.0))))[0][0]
    why = "difference skipped: the function varies too fast for the step"
    assert (d.direction, d.fd, d.agrees, d.why) == ([1], None, True, why)
    with workprec(4096):
        slope = arb(1e-300) * arb(1e300) * (arb(1e300) * 0.5).cos() * 0.5
        assert near(d.exact, slope, 40)


def test_a_derivative_large_against_f_shrinks_the_step_and_adds_its_bits() -> None:
    # sin(1e300 x) + 2 at 0.5: |D| / |f| is about 2**996, so h = 2**-(32 + 996) (a step of 2**-32
    # would span 1e290 periods) and the bits grow by as many, else x + h rounds to x
    steps = (Step("mul", (0, Const(1e300))), Step("sin", (1,)), Step("add", (2, Const(2.0))))
    d = diffs({"x": 0.5}, *steps)[0][0]
    assert (d.direction, d.agrees, d.why) == ([1], True, "") and d.fd is not None
    with workprec(4096):
        assert near(d.fd, arb(1e300) * (arb(1e300) * 0.5).cos() * 0.5, 40)


@pytest.mark.parametrize(("j", "need"), [(12, 19_999), (11, 20_000), (10, 20_001)])
def test_a_difference_is_taken_up_to_max_bits_exactly(j: int, need: int) -> None:
    # 2**j x**32 + 1 at x = 2**-620: need = 2 * 32 + (32 * 620 - 5 - j) + 48 + 64 bits
    assert 2 * 32 + (32 * 620 - 5 - j) + 48 + 64 == need
    steps = [Step("mul", (0, 0)), *[Step("mul", (i, i)) for i in range(1, 5)],
             Step("mul", (5, Const(2.0**j))), Step("add", (6, Const(1.0)))]
    d = diffs({"x": 2.0**-620}, *steps)[0][0]
    if need <= MAX_BITS:
        assert (d.agrees, d.why) == (True, "") and d.fd is not None and near(d.fd, d.exact, 40)
    else:
        assert (d.fd, d.agrees, d.why) == (None, True, f"difference skipped: it would need {need} bits")


FAST_UNDER_SMOOTH = (Step("mul", (0, Const(1e300))), Step("sin", (1,)), Step("add", (1, 2)))
"""1e300 x + sin(1e300 x): |D| / |f| is about 3, so the first step (2**-33) spans 1e289 periods of the
sine and its differences settle on the smooth term's 1e300 alone."""


def _true_slope() -> Any:
    with workprec(4096):
        return (arb(1e300) + arb(1e300) * (arb(1e300) * 0.5).cos()) * 0.5


def test_a_fast_term_under_a_large_smooth_one_is_resolved_by_a_step_from_the_tangents() -> None:
    d = diffs({"x": 0.5}, *FAST_UNDER_SMOOTH)[0][0]
    assert (d.direction, d.agrees, d.why) == ([1], True, "") and d.fd is not None
    assert near(d.fd, _true_slope(), 40) and not near(d.fd, arb(1e300) * 0.5, 10)


def test_a_wrong_gradient_beside_a_fast_term_still_disagrees_at_the_finer_step() -> None:
    d = diffs({"x": 0.5}, *FAST_UNDER_SMOOTH, wrong=1.5)[0][0]
    assert (d.agrees, d.why) == (False, "") and d.fd is not None
    assert near(d.fd, _true_slope(), 40)  # the finer step's difference, not the smooth term's


def test_a_wrong_gradient_with_no_fast_term_is_not_tried_again() -> None:
    d = diffs({"x": 0.5}, Step("mul", (0, Const(3.0))), wrong=2.0)[0][0]  # every node moves slower than 1
    assert (d.agrees, d.why) == (False, "") and d.fd is not None and near(d.fd, 1.5, 40)


@pytest.mark.parametrize(("x", "steps", "bits"), [
    (0.5, (Step("mul", (0, Const(2.0**100))),), 99),  # moves 2**99 per step unit, its size above 1
    (0.5, (Step("mul", (0, Const(2.0**-100))),), 0),  # 2**-101 per unit against its size 2**-101
    (2.0**-40, (Step("mul", (0, 0)),), 1),  # x scaled by 2**-40: x*x moves 2**-79 against 2**-80
    (0.5, (Step("mul", (0, Const(3.0))), Step("sin", (1,))), 0),  # slower than 2 everywhere: no shrinking
])
def test_fast_bits_is_log2_of_the_fastest_tangent_against_min_1_and_its_size(
        x: float, steps: tuple[Step, ...], bits: int) -> None:
    program = Program((("x", x),), steps)
    nodes = plan(program)
    ex = exact(program, nodes, 256)
    assert _fast_bits(nodes, ex.values, [1], [min(abs(x), 1.0)]) == bits
