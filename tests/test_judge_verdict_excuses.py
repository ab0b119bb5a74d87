"""The verdict's excuses and its handling of nan and inf (``judge.verdict``), at the inputs where they decide.

Each test puts a number on one side of an excuse's edge (an overflow or underflow in a rule taken
in steps, a value the engine's own operands took out of an op's domain, a gradient no float64
engine resolves) and checks the verdict, the excused slots or the note: what a user reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import verify
from micrograd import Value
from verify.judge import verdict
from verify.judge.blame import show
from verify.judge.floats import Fl
from verify.judge.local import Sweep, sweep
from verify.judge.verdict import (
    MIN_NORMAL,
    OVERFLOW,
    RULE_ROUNDING,
    UNDERFLOW,
    certified,
    overflowing,
    underflowing,
)
from verify.oracle.ball import Ball, ball, tight, workprec
from verify.oracle.exact import plan
from verify.program import Const, Program, Step

INF = math.inf
MAX = 1.7976931348623157e308


def _swept(program: Program, data: Sequence[float | None], grad: Sequence[float | None]) -> Sweep:
    """The sweep a check makes of an engine's run (its non-finite numbers left out, as the check does)."""
    nodes = plan(program)
    ex, _ = certified(program, nodes, list(range(len(program.inputs))))
    finite_data = [d if d is None or math.isfinite(d) else None for d in data]
    finite_grad = [g if g is None or math.isfinite(g) else None for g in grad]
    return sweep(program, nodes, finite_data, finite_grad, ex.values)


# ---- _non_finite_row: the verdict on an inf or nan gradient ----

def test_an_inf_gradient_fails_where_a_correct_engine_is_finite() -> None:
    said, note = verdict._non_finite_row(INF, False, True)
    assert said == "fail" and "inf" in note


def test_an_inf_gradient_is_inconclusive_where_every_engine_overflows() -> None:
    said, note = verdict._non_finite_row(-INF, False, False)
    assert said == "inconclusive"
    assert note.startswith("the gradient overflows float64") and note.endswith("on its way here")


def test_an_inf_gradient_through_an_overflowing_hidden_step_is_inconclusive() -> None:
    said, note = verdict._non_finite_row(math.nan, True, True)
    assert said == "inconclusive"
    assert note.startswith("the engine's gradient is nan: a rule computed in steps (x * y**-1) overflows")
    assert note.endswith("though the exact gradient is finite")


def test_an_inf_gradient_where_the_exact_one_is_beyond_float64_says_so_not_that_it_is_finite() -> None:
    # x * 1e200 * 1e200 at x = 1e-300: the gradient 1e400 overflows in every engine, and the
    # adjoint 1e200 times 1 / x also passes for an overflow in a rule taken in steps
    program = Program((("x", 1e-300),), (Step("mul", (0, Const(1e200))), Step("mul", (1, Const(1e200)))))
    data, grad = [1e-300, 1e-100, 1e100], [INF, 1e200, 1.0]
    assert overflowing(program, data, grad, _swept(program, data, grad)) == {0}
    row = verify.check_run(program, data, grad).inputs[0]
    assert row.verdict == "inconclusive" and row.note == verdict._non_finite_row(INF, False, False)[1]
    assert "exact gradient is finite" not in row.note


# ---- _left_domain and _non_finite: a value the engine's own operands took out of an op's domain ----

# log(v2) where v2 = (x + 1) - 1 rounds to 0.0 (exactly 1e-17): -inf is what a correct engine gives
# at its own operands, and so is every value that uses it (v5), but not a parallel branch (v4)
PAST_DOMAIN = Program((("x", 1e-17), ("y", 2.0)),
                      (Step("add", (0, Const(1.0))), Step("sub", (2, Const(1.0))), Step("log", (3,)),
                       Step("mul", (1, Const(3.0))), Step("mul", (4, 5))))
PAST_DATA = [1e-17, 2.0, 1.0, 0.0, -INF, 6.0, -INF]
PAST_GRAD = [None, None, None, None, 6.0, None, 1.0]


def test_the_steps_past_a_domain_left_by_the_engines_values_are_those_that_use_it() -> None:
    found = _swept(PAST_DOMAIN, PAST_DATA, PAST_GRAD)
    assert set(found.undefined) == {4}
    assert verdict._left_domain(PAST_DOMAIN, found) == {4, 6}


def test_an_inf_gradient_read_from_values_past_a_left_domain_is_not_a_fault() -> None:
    """log((x + 1) - 1) * (y * 3) at x = 1e-17: a correct engine's own values give log(0) = -inf (numpy
    does), and its rules read that -inf into y's gradient and 1/0 into x's: no fault, never a pass."""
    grad = [INF, -INF, INF, INF, 6.0, -INF, 1.0]
    report = verify.check_run(PAST_DOMAIN, PAST_DATA, grad)
    assert report.verdict == "inconclusive" and not report.faults, report.render()
    assert [r.verdict for r in report.inputs] == ["inconclusive", "inconclusive"]
    assert "leave an op's domain on the way here" in report.inputs[1].note
    assert "-inf" in report.inputs[1].note
    wrong = verify.check_run(PAST_DOMAIN, PAST_DATA, [INF, -5.0, INF, INF, 6.0, -INF, 1.0])
    assert wrong.verdict == "fail" and wrong.inputs[1].verdict == "fail"  # finite and wrong: still a fault


def test_the_adjoints_read_through_a_left_domain_are_every_operand_back_from_it() -> None:
    assert verdict._through_left(PAST_DOMAIN, {4, 6}) == {0, 1, 2, 3, 4, 5}
    assert verdict._through_left(PAST_DOMAIN, set()) == set()
    # a left step's operands, and on back only through adjoints so reached: y * 3 (slot 5) is not in it
    assert verdict._through_left(PAST_DOMAIN, {4}) == {3, 2, 0}


def test_nothing_is_past_a_domain_when_the_engines_values_stay_inside() -> None:
    data = [1e-17, 2.0, 1.0 + 2**-52, 2**-52, math.log(2**-52), 6.0, 6 * math.log(2**-52)]
    assert verdict._left_domain(PAST_DOMAIN, _swept(PAST_DOMAIN, data, PAST_GRAD)) == set()


def test_a_non_finite_value_past_a_left_domain_is_not_a_fault_but_the_verdict_is_not_a_pass() -> None:
    report = verify.check_run(PAST_DOMAIN, PAST_DATA, [None, None, None, None, 6.0, None, 1.0],
                              inputs=[])
    assert not [f for f in report.faults if f.kind == "non-finite"]
    assert report.verdict == "inconclusive"


def test_a_non_finite_value_is_a_fault_that_names_its_slot_and_value() -> None:
    program = Program((("x", 1.0),), (Step("mul", (0, Const(2.0))), Step("add", (1, Const(1.0)))))
    report = verify.check_run(program, [1.0, math.nan, 3.0], [2.0, 1.0, 1.0])
    assert report.verdict == "fail"
    [fault] = [f for f in report.faults if f.kind == "non-finite"]
    assert (fault.slot, fault.name, fault.op, fault.culprit, fault.operands) == (1, "v1", "", 1, ())
    assert fault.expected == "a finite number" and math.isnan(fault.actual or 0.0)
    assert "v1" in fault.message and "nan" in fault.message


def test_an_inf_gradient_is_a_fault_that_names_its_slot_and_what_a_correct_engine_gives() -> None:
    program = Program((("x", 1.5),), (Step("mul", (0, Const(2.0))),))
    report = verify.check_run(program, [1.5, 3.0], [INF, 1.0])
    assert report.verdict == "fail"
    [fault] = report.faults
    assert (fault.kind, fault.slot, fault.name, fault.op, fault.culprit, fault.operands) == (
        "non-finite", 0, "x", "", None, ())
    assert fault.expected == "2.0" and fault.actual == INF
    assert "x" in fault.message and "inf" in fault.message and "2.0" in fault.message


def test_an_allowed_inf_gradient_is_not_a_fault() -> None:
    program = Program((("x", 1.5),), (Step("mul", (0, Const(2.0))),))
    data, grad = [1.5, 3.0], [INF, 1.0]
    found = _swept(program, data, grad)
    names = program.slot_names()
    assert [f.slot for f in verdict._non_finite(names, data, grad, found, set(), set())] == [0]
    assert verdict._non_finite(names, data, grad, found, {0}, set()) == []


# ---- overflowing: an inf gradient a rule in steps (x * y**-1) may give ----

# (x / (w * 1)) * 1e10 at x = w = 1e300: y's hidden product 1e10 * x overflows, y's gradient is -inf,
# and so is w's through the mul; x's gradient 1e10 / w is finite
CHAINED = Program((("x", 1e300), ("w", 1e300)),
                  (Step("mul", (1, Const(1.0))), Step("div", (0, 2)), Step("mul", (3, Const(1e10)))))
CHAINED_DATA = [1e300, 1e300, 1e300, 1.0, 1e10]
CHAINED_GRAD = [1e-290, -INF, -INF, 1e10, 1.0]


def test_an_overflow_in_a_hidden_step_excuses_its_slot_and_every_slot_it_flows_into() -> None:
    found = _swept(CHAINED, CHAINED_DATA, CHAINED_GRAD)
    assert overflowing(CHAINED, CHAINED_DATA, CHAINED_GRAD, found) == {1, 2}
    report = verify.check_run(CHAINED, CHAINED_DATA, CHAINED_GRAD)
    assert report.verdict == "inconclusive" and not report.faults
    w = report.inputs[1]
    assert w.verdict == "inconclusive" and "a rule computed in steps" in w.note


def test_no_overflow_where_the_adjoint_times_the_operands_stays_in_range() -> None:
    # the same program with the adjoint 1e-10: 1e-10 * 1e300 is far from overflowing; -inf is a fault
    program = Program(CHAINED.inputs, (*CHAINED.steps[:2], Step("mul", (3, Const(1e-10)))))
    data, grad = [1e300, 1e300, 1e300, 1.0, 1e-10], [1e-310, -INF, -INF, 1e-10, 1.0]
    assert overflowing(program, data, grad, _swept(program, data, grad)) == set()
    assert verify.check_run(program, data, grad).verdict == "fail"


def test_a_consumer_without_a_finite_adjoint_does_not_stop_the_search_for_one_that_overflows() -> None:
    # w feeds w * 1e-300 first (its adjoint not given, or inf with nothing to excuse it), then x / w,
    # whose hidden product 1e10 * x overflows
    program = Program((("x", 1e300), ("w", 1e300)),
                      (Step("mul", (1, Const(1e-300))), Step("div", (0, 1)), Step("mul", (3, Const(1e10))),
                       Step("add", (2, 4))))
    data = [1e300, 1e300, 1.0, 1.0, 1e10, 1e10 + 1]
    for first in (None, INF):
        grad = [1e-290, -INF, first, 1e10, 1.0, 1.0]
        found = _swept(program, data, grad)
        assert found.uses[1] == [(2, 0), (3, 1)]
        assert overflowing(program, data, grad, found) == {1}


def _at_overflow_edge(x: float) -> set[int]:
    # x / 1.0 with an inf gradient for y: the adjoint 1 times x, the largest operand, against OVERFLOW
    program = Program((("x", x), ("y", 1.0)), (Step("div", (0, 1)),))
    data, grad = [x, 1.0, x], [1.0, -INF, 1.0]
    return overflowing(program, data, grad, _swept(program, data, grad))


def test_the_overflow_excuse_starts_just_above_its_threshold() -> None:
    assert _at_overflow_edge(OVERFLOW) == set()
    assert _at_overflow_edge(math.nextafter(OVERFLOW, INF)) == {1}


# ---- underflowing: a gradient a rule in steps may get wrong, its hidden product subnormal ----

def _division(x0: float, x1: float) -> tuple[Program, list[float], list[float]]:
    program = Program((("x0", x0), ("x1", x1)), (Step("div", (0, 1)),))
    return program, [x0, x1, x0 / x1], [1 / x1, -x0 / x1**2, 1.0]


def test_a_subnormal_hidden_product_excuses_the_divisor_in_a_program_of_divisions_only() -> None:
    program, data, grad = _division(1e-310, 0.5)  # y's hidden product 1 * x0 = 1e-310
    assert underflowing(program, data, grad, _swept(program, data, grad)) == {1}


def test_every_slot_below_an_excused_divisor_is_excused_too() -> None:
    # x0 / (w * 1): the divisor v1's hidden product 1 * x0 = 1e-310 is subnormal, and w feeds only v1
    program = Program((("x0", 1e-310), ("w", 0.5)), (Step("mul", (1, Const(1.0))), Step("div", (0, 2))))
    data, grad = [1e-310, 0.5, 0.5, 2e-310], [2.0, -4e-310, -4e-310, 1.0]
    assert underflowing(program, data, grad, _swept(program, data, grad)) == {1, 2}


def test_a_consumer_that_takes_no_hidden_step_does_not_stop_the_search_for_one_that_does() -> None:
    # x1 feeds x1 * 3 first (no hidden step), then x0 / x1 (hidden product 1 * x0 = 1e-310)
    program = Program((("x0", 1e-310), ("x1", 0.5)),
                      (Step("mul", (1, Const(3.0))), Step("div", (0, 1)), Step("add", (2, 3))))
    data, grad = [1e-310, 0.5, 1.5, 2e-310, 1.5], [2.0, 3.0 - 4e-310, 1.0, 1.0, 1.0]
    found = _swept(program, data, grad)
    assert found.uses[1] == [(2, 0), (3, 1)]
    assert underflowing(program, data, grad, found) == {1}
    # x divided first (x / 3: its adjoint is one product, no hidden step), then divisor of t / x
    program = Program((("x", 0.5), ("t", 1e-310)),
                      (Step("div", (0, Const(3.0))), Step("div", (1, 0)), Step("add", (2, 3))))
    data, grad = [0.5, 1e-310, 0.5 / 3, 2e-310, 0.5 / 3 + 2e-310], [1 / 3 - 4e-310, 2.0, 1.0, 1.0, 1.0]
    found = _swept(program, data, grad)
    assert found.uses[0] == [(2, 0), (3, 1)]
    assert underflowing(program, data, grad, found) == {0}


def test_the_underflow_excuse_starts_just_below_its_threshold() -> None:
    program, data, grad = _division(UNDERFLOW, 0.5)  # the hidden product 1 * x0 at UNDERFLOW itself
    assert underflowing(program, data, grad, _swept(program, data, grad)) == set()
    program, data, grad = _division(math.nextafter(UNDERFLOW, 0.0), 0.5)
    assert underflowing(program, data, grad, _swept(program, data, grad)) == {1}


def test_a_zero_adjoint_loses_no_digits() -> None:
    # (x0 / x1) * 0: the adjoint reaching the division is 0, its products are 0 exactly
    program = Program((("x0", 1e-310), ("x1", 0.5)), (Step("div", (0, 1)), Step("mul", (2, Const(0.0)))))
    data, grad = [1e-310, 0.5, 2e-310, 0.0], [0.0, 0.0, 0.0, 1.0]
    assert underflowing(program, data, grad, _swept(program, data, grad)) == set()


def test_a_sign_flip_through_a_plain_mul_with_a_tiny_operand_fails_even_beside_a_division() -> None:
    # y / 2 + x * 1e-310: the adjoint 1 times 1e-310 is subnormal, but mul takes no hidden step
    program = Program((("x", 0.5), ("y", 3.0)),
                      (Step("div", (1, Const(2.0))), Step("mul", (0, Const(1e-310))), Step("add", (2, 3))))
    data, grad = [0.5, 3.0, 1.5, 0.5e-310, 1.5], [-1e-310, 0.5, 1.0, 1.0, 1.0]
    assert underflowing(program, data, grad, _swept(program, data, grad)) == set()
    report = verify.check_run(program, data, grad)
    assert report.verdict == "fail" and report.inputs[0].verdict == "fail"


# ---- _rule_underflows: what div's hidden power rule loses where y**-2 is subnormal ----

RULE_Y = 5.4922214906567575e+156
RULE = Program((("x0", 1e-100), ("x1", RULE_Y)), (Step("div", (0, 1)), Step("log", (2,))))


def _run(program: Program) -> tuple[list[float], list[float]]:
    slots = program.run(Value, catch=())
    return [float(s.data) for s in slots], [float(s.grad) for s in slots]


def test_the_rule_rounding_excuse_reaches_its_slack_past_either_end_of_what_rules_keep() -> None:
    data, grad = _run(RULE)
    found = _swept(RULE, data, grad)
    close = found.close(1)
    slack = abs(grad[2]) * RULE_ROUNDING * abs(data[0])  # |g * x| * 2**-1073

    def excused(g: float) -> bool:
        return verdict._rule_underflows(RULE, data, [*grad[:1], g, *grad[2:]], found, 1, 2, 1)

    assert excused(grad[1])  # our engine takes y**-2 first: it rounds to 0
    assert excused(close.lo - slack / 2) and excused(close.hi + slack / 2)
    assert excused(close.lo - slack) and excused(close.hi + slack)  # its ends included
    assert not excused(close.lo - 2 * slack) and not excused(close.hi + 2 * slack)
    assert underflowing(RULE, data, grad, found) == {1}


def test_the_rule_rounding_excuse_is_only_the_divisors_of_a_division() -> None:
    data, grad = _run(RULE)
    assert not verdict._rule_underflows(RULE, data, grad, _swept(RULE, data, grad), 0, 2, 0)
    product = Program((("x0", 1e-100), ("x1", 1e160)), (Step("mul", (0, 1)), Step("log", (2,))))
    data, grad = _run(product)
    assert not verdict._rule_underflows(product, data, grad, _swept(product, data, grad), 1, 2, 1)


def test_the_rule_rounding_excuse_holds_for_a_constant_numerator() -> None:
    program = Program((("x1", RULE_Y),), (Step("div", (Const(1e-100), 0)), Step("log", (1,))))
    data, grad = _run(program)
    assert verdict._rule_underflows(program, data, grad, _swept(program, data, grad), 0, 1, 1)


def test_the_rule_rounding_excuse_needs_every_number_it_reads() -> None:
    data, grad = _run(RULE)
    found = _swept(RULE, data, grad)
    for at, gone in ((0, "data"), (1, "data"), (1, "grad"), (2, "grad")):
        d: list[float | None] = [*data]
        g: list[float | None] = [*grad]
        (d if gone == "data" else g)[at] = None
        assert not verdict._rule_underflows(RULE, d, g, found, 1, 2, 1)
    for x in (INF, math.nan):
        assert not verdict._rule_underflows(RULE, [x, *data[1:]], grad, found, 1, 2, 1)
    for y in (0.0, INF):
        assert not verdict._rule_underflows(RULE, [data[0], y, *data[2:]], grad, found, 1, 2, 1)


def test_the_rule_rounding_excuse_starts_where_y_squared_leaves_the_normal_floats() -> None:
    # at y = 2**512, y**-2 = 2**-1024 = UNDERFLOW: nothing is lost yet; a little beyond, it is
    for y, excused in ((2.0**512, False), (2.0**512 * 1.000001, True)):
        program = Program((("x0", 1e-100), ("x1", y)), (Step("div", (0, 1)), Step("log", (2,))))
        data, grad = _run(program)
        found = _swept(program, data, grad)
        grad[1] = found.close(1).lo
        assert verdict._rule_underflows(program, data, grad, found, 1, 2, 1) == excused


# ---- _unresolved: why no float64 engine resolves the exact gradient ----

def test_a_careful_engine_that_drifts_more_than_half_the_value_is_ill_conditioned() -> None:
    best = Fl(0.4, 1.2345678901)
    note = verdict._unresolved(ball(1.2345678901), best, best)
    assert note.startswith("ill-conditioned") and show(best) in note
    assert "exact value of 1.23457" in note and "1.234568" not in note  # 6 digits of the exact value


def test_a_drift_of_exactly_half_the_value_still_decides() -> None:
    best = Fl(1.0 - verdict.WIDE, 1.0)
    assert verdict._unresolved(ball(1.0), best, best) == ""


def test_an_envelope_holding_the_sign_flipped_or_doubled_value_loses_the_digits() -> None:
    for envelope in (Fl(-1.0, 1.0), Fl(1.0, 2.0)):
        note = verdict._unresolved(ball(1.0), Fl(1.0), envelope)
        assert "lose the digits" in note and show(envelope) in note
    assert verdict._unresolved(ball(1.0), Fl(1.0), Fl(0.75, 1.5)) == ""


def test_a_huge_exact_value_whose_double_is_finite_is_checked_against_its_double() -> None:
    exact = 0.4 * MAX  # 2 * exact is finite, 3 * exact is not
    envelope = Fl(exact, 2 * exact)
    assert "lose the digits" in verdict._unresolved(ball(exact), Fl(exact), envelope)


def test_the_smallest_normal_exact_value_is_judged_as_normal() -> None:
    envelope = Fl(-MIN_NORMAL, MIN_NORMAL)
    assert "lose the digits" in verdict._unresolved(ball(MIN_NORMAL), Fl(MIN_NORMAL), envelope)


def test_a_subnormal_exact_value_far_from_the_careful_engines_is_ill_conditioned_by_the_forward() -> None:
    exact = 1.2345678901e-310
    best = Fl(1e-300, 2e-300)
    note = verdict._unresolved(ball(exact), best, best)
    assert note.startswith("ill-conditioned: the engine's forward values put")
    assert show(best) in note and "1.23457e-310" in note and "1.234568e-310" not in note


def test_a_subnormal_exact_value_inside_a_wide_careful_result_is_cancelling_rounding() -> None:
    best = Fl(-1e-300, 1e-300)
    note = verdict._unresolved(ball(1.2345678901e-310), best, best)
    assert note.startswith("ill-conditioned: rounding that cancels leaves") and show(best) in note
    # on the edge: the careful engines drift past, though only by a normal float's size from the value
    best = Fl(MIN_NORMAL, 2 * MIN_NORMAL)
    note = verdict._unresolved(ball(0.0), best, best)
    assert note.startswith("ill-conditioned: rounding that cancels leaves")


def test_a_subnormal_exact_value_with_a_wide_envelope_is_cancellation() -> None:
    envelope = Fl(-1e-300, 1e-300)
    note = verdict._unresolved(ball(1.2345678901e-310), Fl(1.2345678901e-310), envelope)
    assert note.startswith("cancellation") and show(envelope) in note
    assert "1.23457e-310" in note and "1.234568e-310" not in note


def test_a_subnormal_exact_value_spread_by_at_most_a_normal_float_decides() -> None:
    spread = Fl(-verdict.SUBNORMAL_SPREAD, verdict.SUBNORMAL_SPREAD)
    assert verdict._unresolved(ball(0.0), spread, spread) == ""


# ---- certified: the exact witness at rising precision ----

def _certified(program: Program) -> tuple[int, Ball, set[int]]:
    ex, open_slots = certified(program, plan(program), list(range(len(program.inputs))))
    assert ex.partials == {}  # a big graph's partials are not kept
    with workprec(ex.bits):
        assert tight(ex.values[-1], verdict.CERTIFIED_BITS, verdict.FLOOR)
    return ex.bits, ex.values[-1], open_slots


def test_the_witness_stops_at_the_first_precision_that_certifies() -> None:
    bits, _, open_slots = _certified(Program((("x", 2.0),), (Step("sqrt", (0,)),)))
    assert bits == verdict.PRECISIONS[0] and open_slots == set()


def test_the_witness_rises_until_a_cancelling_output_is_certified() -> None:
    # (x + 1e-30) - 1 at x = 1: the sum is tight at 128 bits, the output only later
    program = Program((("x", 1.0),), (Step("add", (0, Const(1e-30))), Step("sub", (1, Const(1.0)))))
    bits, _, open_slots = _certified(program)
    assert bits > verdict.PRECISIONS[0] and open_slots == set()


def test_a_kinks_adjoint_is_settled_once_its_radius_stops_shrinking() -> None:
    # relu at x = 0: x's adjoint is every slope in [0, 1], a ball that no precision makes tight
    program = Program((("x", 0.0),), (Step("relu", (0,)),))
    ex, open_slots = certified(program, plan(program), [0])
    assert ex.kinks == [1] and open_slots == set() and ex.bits == verdict.PRECISIONS[1]


def test_an_undecidable_kink_side_leaves_every_slot_uncertified() -> None:
    # relu(sqrt(t) * sqrt(t) - 2) + x at t = 2: no precision tells which side of the kink it is on,
    # so even x's adjoint, exactly 1, is not certified
    program = Program((("x", 1.0), ("t", 2.0)),
                      (Step("sqrt", (1,)), Step("mul", (2, 2)), Step("sub", (3, Const(2.0))),
                       Step("relu", (4,)), Step("add", (5, 0))))
    ex, open_slots = certified(program, plan(program), [0, 1])
    assert ex.unsure and open_slots == {0, 1}


# ---- _imprecise: a forward value beyond rounding but what a correct engine may give ----

def _lecture_tanh() -> float:
    e = math.exp(2 * 0.001)
    return (e - 1) / (e + 1)  # cancels near 0: off by about 1e-14, beyond rounding


def test_one_imprecise_forward_is_noted_with_its_node_operands_and_why() -> None:
    t = _lecture_tanh()
    program = Program((("x", 0.001), ("y", 0.001)),
                      (Step("tanh", (0,)), Step("tanh", (1,)), Step("add", (2, 3))))
    report = verify.check_run(program, [0.001, 0.001, t, t, 2 * t], [1 - t * t, 1 - t * t, 1.0, 1.0, 1.0])
    assert report.verdict == "pass"
    [note] = [n for n in report.notes if n.startswith("imprecise forward")]
    assert "v1 = x.tanh() at x = 0.001" in note and repr(t) in note
    assert "more than rounding, but what a formula the op accepts" in note and "math library" not in note
    assert "exactly 0.0009999996666" in note and note.endswith("its gradient is still checked")


def test_an_imprecise_forward_at_an_operand_the_engine_did_not_give_names_no_operand_value() -> None:
    t = _lecture_tanh()
    report = verify.check_run(Program((("x", 0.001),), (Step("tanh", (0,)),)), [None, t], [1 - t * t, 1.0])
    [note] = [n for n in report.notes if n.startswith("imprecise forward")]
    assert f"v1 = x.tanh() is {t!r}" in note


def test_an_imprecise_cos_near_its_zero_is_blamed_on_the_librarys_reduction() -> None:
    x = 6381956970095103 * 2.0**797  # cos(x) = -4.7e-19, a reduction's error is thousands of its ulps
    program = Program((("x", x),), (Step("cos", (0,)),))
    report = verify.check_run(program, [x, math.cos(x) + 1e-29], [-math.sin(x), 1.0])
    assert report.verdict == "pass"
    [note] = [n for n in report.notes if n.startswith("imprecise forward")]
    assert f"v1 = x.cos() at x = {x!r}" in note and "its cos reduces the argument modulo pi/2" in note
