"""The verdict's list of faults at its cap (``judge.verdict.MAX_FAULTS``): every fault up to it is
listed with no note; one more and the first MAX_FAULTS are listed, with a note that says so."""

from __future__ import annotations

import inspect
import math

import pytest

from micrograd import Value
from verify import check
from verify.judge import verdict
from verify.judge.verdict import MAX_FAULTS, check_run, judge_runs
from verify.program import Const, Program, Step


@pytest.mark.parametrize("n", [MAX_FAULTS, MAX_FAULTS + 1])
def test_faults_are_listed_up_to_the_cap_and_a_note_says_when_more_were_found(n: int) -> None:
    # x0 * 1 + ... + x{n-1} * 1 with every input's gradient doubled: one wrong rule per input
    xs = [Value(0.5 + i) for i in range(n)]
    y = xs[0] * 1.0
    for x in xs[1:]:
        y = y + x * 1.0
    y.backward()
    for x in xs:
        x.grad = 2.0
    report = check(y, inputs={f"x{i}": x for i, x in enumerate(xs)})
    assert report.verdict == "fail" and len(report.faults) == MAX_FAULTS == 50
    assert all(f.kind == "wrong-rule" and f.op == "mul" and f.actual == 2.0 for f in report.faults)
    capped = [m for m in report.notes if "faults" in m]
    assert capped == ([] if n == MAX_FAULTS else ["more than 50 faults: only the first 50 are listed"])


# Programs built by hand (slots: inputs first, then steps), judged through ``check_run`` and ``judge_runs``.
MUL = Program((("x", 0.5), ("y", 2.0)), (Step("mul", (0, 1)),))  # v1 = x * y, slot 2


def test_a_run_of_correct_numbers_passes_with_every_row_exact_and_no_note() -> None:
    report = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.5, 1.0])
    assert report.verdict == "pass" and report.faults == [] and report.notes == []
    assert report.value == 1.0 and report.exact_value == "1.0" and report.program is MUL
    assert [(r.name, r.slot, r.autograd, r.exact, r.fd, r.verdict, r.note) for r in report.inputs] == [
        ("x", 0, 2.0, "2.0", "2.0", "pass", ""), ("y", 1, 0.5, "0.5", "0.5", "pass", "")]
    assert all(r.rel_error == 0.0 and r.ulps == 0.0 for r in report.inputs)


def test_the_reported_value_is_the_engines_output_not_another_slots() -> None:
    three = Program((("x", 0.5),), (Step("mul", (0, Const(3.0))), Step("add", (1, Const(1.0)))))
    report = check_run(three, [0.5, 1.5, 2.5], [3.0, 1.0, 1.0])
    assert report.verdict == "pass" and report.value == 2.5


def test_a_missing_gradient_is_an_inconclusive_row_with_the_exact_and_difference_witnesses() -> None:
    given = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.5, 1.0]).inputs[0]
    report = check_run(MUL, [0.5, 2.0, None], [None, 0.5, 1.0])
    row = report.inputs[0]
    assert (row.name, row.slot, row.autograd, row.rel_error, row.ulps) == ("x", 0, None, None, None)
    assert (row.exact, row.fd) == (given.exact, given.fd) == ("2.0", "2.0")
    assert row.verdict == "inconclusive" and "no gradient" in row.note
    assert row.formula == given.formula  # the formulas are still built on demand
    assert report.verdict == "inconclusive" and report.value is None


def test_an_output_slot_can_be_reported_beside_the_inputs_and_has_no_difference_witness() -> None:
    report = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.5, 1.0], inputs=[2, 0])
    assert [(r.name, r.slot, r.exact, r.fd, r.verdict) for r in report.inputs] == [
        ("v1", 2, "1.0", "", "pass"), ("x", 0, "2.0", "2.0", "pass")]


def test_an_undefined_program_reports_where_and_why_with_the_engines_output() -> None:
    logged = Program((("x", -1.0),), (Step("log", (0,)), Step("mul", (1, Const(2.0)))))
    report = check_run(logged, [-1.0, 7.0, 9.0], [1.0, 1.0, 1.0])
    assert report.verdict == "undefined" and report.value == 9.0 and report.exact_value == ""
    assert report.inputs == [] and report.faults == [] and report.program is logged
    [why] = report.notes
    assert why.startswith("undefined at v1: ") and "log" in why


def test_an_input_gradient_off_without_node_gradients_is_a_gradient_fault_naming_the_input() -> None:
    report = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.6, None])
    assert report.verdict == "fail"
    [fault] = report.faults
    row = report.inputs[1]
    assert (fault.kind, fault.slot, fault.name, fault.op, fault.culprit, fault.operands) == (
        "gradient", 1, "y", "", None, ())
    assert (fault.expected, fault.actual) == (row.exact, 0.6) == ("0.5", 0.6)
    assert "the gradient of y" in fault.message and "no per-node gradients" in fault.message
    assert row.verdict == "fail" and "0.5" in row.note
    assert row.rel_error == pytest.approx(0.1 / 0.5) and row.ulps == pytest.approx(0.1 / math.ulp(0.5))
    below = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.4, None]).inputs[1]  # the distance, from below too
    assert below.rel_error == pytest.approx(0.1 / 0.5) and below.ulps == pytest.approx(0.1 / math.ulp(0.5))


def test_nodes_without_an_adjoint_are_counted_in_a_note() -> None:
    one = check_run(MUL, [0.5, 2.0, None], [None, 0.5, 1.0]).notes
    assert next(n for n in one if "no engine adjoint" in n).startswith("1 node had ")
    three = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.6, None]).notes
    assert next(n for n in three if "no engine adjoint" in n).startswith("3 nodes had ")


def test_an_exact_zero_gradient_has_no_relative_error_or_ulps_unless_met_exactly() -> None:
    zero = Program((("x", 0.5), ("y", 0.0)), (Step("mul", (0, 1)),))  # d/dx = y = 0
    met = check_run(zero, [0.5, 0.0, 0.0], [0.0, 0.5, 1.0]).inputs[0]
    assert (met.exact, met.verdict, met.rel_error, met.ulps) == ("0", "pass", 0.0, 0.0)
    missed = check_run(zero, [0.5, 0.0, 0.0], [1e-3, 0.5, 1.0]).inputs[0]
    assert (missed.exact, missed.verdict, missed.rel_error, missed.ulps) == ("0", "fail", None, None)


def test_a_wrong_value_at_a_step_with_a_constant_is_a_forward_fault_naming_op_operands_and_error() -> None:
    three = Program((("x", 0.5),), (Step("mul", (0, Const(3.0))), Step("add", (1, Const(1.0)))))
    report = check_run(three, [0.5, 1.6, 2.6], [3.0, 1.0, 1.0])  # x * 3 given as 1.6, exactly 1.5
    assert report.verdict == "fail" and report.value == 2.6
    [fault] = report.faults
    assert (fault.kind, fault.slot, fault.name, fault.op, fault.culprit) == ("forward", 1, "v1", "mul", 1)
    assert fault.operands == (0.5, 3.0) and fault.expected == "1.5" and fault.actual == 1.6
    assert "relative error 0.0667" in fault.message and "1.6" in fault.message and "1.5" in fault.message
    assert not any("ill-conditioned" in n for n in report.notes)  # a fault explains the output already


def test_a_forward_fault_at_an_exact_zero_has_an_infinite_relative_error() -> None:
    cancel = Program((("x", 0.5),), (Step("sub", (0, Const(0.5))), Step("add", (1, Const(1.0)))))
    [fault] = check_run(cancel, [0.5, 1e-3, 1.001], [1.0, 1.0, 1.0]).faults
    assert (fault.kind, fault.slot, fault.operands, fault.actual) == ("forward", 1, (0.5, 0.5), 1e-3)
    assert "relative error inf" in fault.message


def test_an_accurate_output_of_an_ill_conditioned_forward_gets_a_note_and_one_not_given_does_not() -> None:
    cancel = Program((("x", 1e-20),), (Step("add", (0, Const(1.0))), Step("sub", (1, Const(1.0)))))
    report = check_run(cancel, [1e-20, 1.0, 0.0], [1.0, 1.0, 1.0])  # (x + 1) - 1 is 0.0, exactly 1e-20
    assert report.verdict == "pass" and report.faults == []
    [note] = [n for n in report.notes if "ill-conditioned" in n]
    assert "0.0" in note and "off from the exact one by 1 " in note
    quiet = check_run(cancel, [1e-20, 1.0, None], [1.0, 1.0, 1.0])
    assert quiet.verdict == "pass" and quiet.value is None and quiet.notes == []
    exact = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.5, 1.0])
    assert not any("ill-conditioned" in n for n in exact.notes)


# x / y then * k: div's adjoint is k; a rule in steps (x * y**-1) may multiply it by 1/x = 1e300 first.
def _divided(k: float) -> tuple[Program, list[float | None], list[float | None]]:
    program = Program((("x", 1e-300), ("y", 1.0)), (Step("div", (0, 1)), Step("mul", (2, Const(k)))))
    return program, [1e-300, 1.0, 1e-300, 1e-300 * k], [math.inf, -1e-300 * k, k, 1.0]


def test_an_inf_gradient_is_excused_only_where_the_adjoint_times_a_reciprocal_may_overflow() -> None:
    # 1e8 * 1e300 is past MAX / 16 (a step may overflow); 1e7 * 1e300 = 1e307 is not, nor 1e7 * 1e-300
    excused = check_run(*_divided(1e8))
    assert excused.verdict == "inconclusive" and excused.faults == []
    row = excused.inputs[0]
    assert row.verdict == "inconclusive" and "inf" in row.note and "x * y**-1" in row.note
    assert (row.rel_error, row.ulps) == (None, None)
    caught = check_run(*_divided(1e7))
    assert caught.verdict == "fail" and caught.inputs[0].verdict == "fail" and "inf" in caught.inputs[0].note
    assert [(f.kind, f.slot, f.actual) for f in caught.faults] == [("non-finite", 0, math.inf)]


def test_values_right_to_rounding_that_leave_an_ops_domain_are_noted_and_inconclusive_not_a_fault() -> None:
    # x * y = 1e-400 rounds to 0.0 and log(0.0) is -inf: the engine is right, yet log is undefined there
    logged = Program((("x", 1e-200), ("y", 1e-200)), (Step("mul", (0, 1)), Step("log", (2,))))
    report = check_run(logged, [1e-200, 1e-200, 0.0, -math.inf], [1.0e200, 1.0e200, None, 1.0])
    assert report.verdict == "inconclusive" and report.faults == [] and report.value == -math.inf
    [left] = [n for n in report.notes if "leave an op's domain" in n]
    assert "v2 = v1.log() at v1 = 0.0" in left
    assert next(n for n in report.notes if "no engine adjoint" in n).startswith("3 nodes had ")


def test_judge_runs_gives_each_run_the_report_check_run_gives() -> None:
    check = judge_runs(MUL)
    runs: list[tuple[list[float | None], list[float | None]]] = [
        ([0.5, 2.0, 1.0], [2.0, 0.5, 1.0]), ([0.5, 2.0, 1.0], [2.0, 0.6, None]),
        ([0.5, 2.0, None], [None, 0.5, 1.0]), ([0.5, 2.0, 1.0], [2.0, 0.6, None])]
    for data, grad in runs:
        alone, shared = check_run(MUL, data, grad), check(data, grad)
        parts = ("verdict", "value", "exact_value", "inputs", "faults", "notes")
        assert [getattr(shared, p) for p in parts] == [getattr(alone, p) for p in parts]
        assert shared.program is MUL
    assert [check(d, g).verdict for d, g in runs] == ["pass", "fail", "inconclusive", "fail"]
    only = judge_runs(MUL, inputs=[1])
    assert [r.slot for r in only([0.5, 2.0, 1.0], [2.0, 0.5, 1.0]).inputs] == [1]


def test_judge_runs_makes_the_witness_once_and_keeps_each_nodes_allowance_for_later_runs() -> None:
    check = judge_runs(MUL)
    check([0.5, 2.0, 1.0], [2.0, 0.5, 1.0])
    [(slots, witness)] = inspect.getclosurevars(check).nonlocals["shared"].items()
    assert slots == (0, 1) and witness.program is MUL and witness.ex is not None
    assert witness.allowances  # filled by the first run, read by the next
    kept = dict(witness.allowances)
    check([0.5, 2.0, 1.0], [2.0, 0.6, 1.0])
    assert inspect.getclosurevars(check).nonlocals["shared"] == {(0, 1): witness}
    assert witness.allowances == kept  # the same operands and values: nothing new to keep


def test_a_witness_is_made_once_per_set_of_slots_with_a_memo_only_where_runs_share_it() -> None:
    shared: dict[tuple[int, ...], verdict._Witness] = {}
    made = verdict._witness(MUL, [0, 1], shared, True)
    assert shared == {(0, 1): made} and verdict._witness(MUL, [0, 1], shared, False) is made
    assert made.program is MUL and made.undefined is None and made.ex is not None and made.allowances == {}
    assert [n.slot for n in made.nodes] == [2] and made.uncertified == set()
    alone = verdict._witness(MUL, [1], {}, False)
    assert alone.allowances is None and alone is not made
    logged = Program((("x", -1.0),), (Step("log", (0,)),))
    undefined = verdict._witness(logged, [0], shared, True)
    assert shared[(0,)] is undefined and undefined.undefined is not None and undefined.undefined.slot == 1
    assert undefined.program is logged and [n.slot for n in undefined.nodes] == [1]
    assert undefined.ex is None and undefined.uncertified == set() and undefined.allowances is None


def test_an_inf_gradient_is_excused_where_the_adjoint_times_a_large_operand_may_overflow() -> None:
    # x / y at x = y = 1e300 is 1: only the operands' sizes (not the output's) reach past MAX / 16 with 1e8
    program = Program((("x", 1e300), ("y", 1e300)), (Step("div", (0, 1)), Step("mul", (2, Const(1e8)))))
    report = check_run(program, [1e300, 1e300, 1.0, 1e8], [math.inf, -1e-292, 1e8, 1.0])
    assert report.verdict == "inconclusive" and report.faults == []
    assert [r.verdict for r in report.inputs] == ["inconclusive", "pass"]


RELU = Program((("x", 0.0),), (Step("relu", (0,)),))  # on its kink: the exact gradient is all of [0, 1]


@pytest.mark.parametrize("g", [2.0, -1.0])
def test_a_gradient_outside_a_kinks_interval_is_off_by_its_distance_to_the_nearer_end(g: float) -> None:
    report = check_run(RELU, [0.0, 0.0], [g, 1.0])
    row = report.inputs[0]
    assert report.verdict == "fail" and row.verdict == "fail" and row.exact == "[0, 1]"
    assert row.rel_error == pytest.approx(1.0) and row.ulps == pytest.approx(1.0 / math.ulp(1.0), rel=1e-6)


def test_a_gradient_inside_a_kinks_interval_passes_at_no_distance() -> None:
    row = check_run(RELU, [0.0, 0.0], [0.5, 1.0]).inputs[0]
    assert (row.exact, row.verdict, row.note, row.rel_error, row.ulps) == ("[0, 1]", "pass", "", 0.0, 0.0)


def _tanh_then(k: float) -> Program:
    return Program((("x", 10.0),), (Step("tanh", (0,)), Step("mul", (1, Const(k)))))


def test_a_pass_through_a_lossy_rule_quotes_careful_rules_and_names_the_textbook_formula() -> None:
    # tanh at 10 by 1 - t*t loses 8 digits, yet a correct engine may use that rule
    t = math.tanh(10.0)
    report = check_run(_tanh_then(1.0), [10.0, t, t], [1 - t * t, 1.0, None])
    row = report.inputs[0]
    assert report.verdict == "pass" and row.verdict == "pass" and row.autograd == 1 - t * t
    assert "lose digits" in row.note and "give 8.24461445576739" in row.note  # the careful value, not g
    fragile = [n for n in report.notes if n.startswith("fragile: ")]
    assert len(fragile) == 1 and "v1 = x.tanh() at x = 10.0" in fragile[0] and "1 - t*t" in fragile[0]
    assert any("no engine adjoint" in n for n in report.notes)  # a note before the fragile one is kept
    careful = check_run(_tanh_then(1.0), [10.0, t, t], [8.2446144557673968e-09, 1.0, 1.0])
    assert careful.verdict == "pass" and careful.inputs[0].note == "" and careful.notes == []


def test_an_uncertifiable_kink_side_makes_every_row_inconclusive_and_says_why() -> None:
    # relu(sqrt(t) * sqrt(t) - 2) + x at t = 2: the exact operand of relu is 0, its float 4.4e-16
    program = Program((("x", 0.5), ("t", 2.0)), (Step("sqrt", (1,)), Step("mul", (2, 2)),
                                                  Step("sub", (3, Const(2.0))), Step("relu", (4,)),
                                                  Step("add", (5, 0))))
    r2 = math.sqrt(2.0)
    data: list[float | None] = [0.5, 2.0, r2, r2 * r2, r2 * r2 - 2, r2 * r2 - 2, r2 * r2 - 2 + 0.5]
    report = check_run(program, data, [1.0, 1.0, 2 * r2, 1.0, 1.0, 1.0, 1.0])
    assert report.verdict == "inconclusive" and report.faults == []
    assert [(r.name, r.verdict) for r in report.inputs] == [("x", "inconclusive"), ("t", "inconclusive")]
    for row in report.inputs:
        assert "could not be certified" in row.note and "relu's kink" in row.note


def test_what_is_not_a_program_or_not_numbers_is_refused_by_name() -> None:
    with pytest.raises(TypeError) as raised:
        check_run("x * y", [0.5, 2.0, 1.0], [2.0, 0.5, 1.0])  # type: ignore[arg-type]
    assert "needs a Program" in str(raised.value) and "str" in str(raised.value)
    with pytest.raises(TypeError) as raised:
        check_run(MUL, [0.5, True, 1.0], [2.0, 0.5, 1.0])
    assert "slot 1's value is a bool" in str(raised.value)
    with pytest.raises(TypeError) as raised:
        check_run(MUL, [0.5, 2.0, 1.0], [2.0, "0.5", 1.0])  # type: ignore[list-item]
    assert "slot 1's gradient is a str" in str(raised.value)


def test_past_eight_inputs_rows_have_no_difference_of_their_own_and_a_note_counts_directions() -> None:
    n = 9  # one more than the difference oracle checks input by input
    program = Program(tuple((f"x{i}", 1.0 + i) for i in range(n)),
                      tuple(Step("add", (0, 1) if j == 0 else (n + j - 1, j + 1)) for j in range(n - 1)))
    data: list[float | None] = [1.0 + i for i in range(n)]
    for j in range(n - 1):
        data.append((data[-1] if j else data[0]) + data[j + 1])  # type: ignore[operator]
    report = check_run(program, data, [1.0] * len(data))
    assert report.verdict == "pass" and report.value == 45.0
    assert [(r.exact, r.fd, r.verdict) for r in report.inputs] == [("1.0", "", "pass")] * n
    assert [n for n in report.notes if "random directions" in n] == report.notes != []


def test_an_inf_value_or_gradient_is_one_non_finite_fault_not_also_a_wrong_value_or_rule() -> None:
    value = check_run(MUL, [0.5, 2.0, math.inf], [2.0, 0.5, 1.0])
    assert value.verdict == "fail" and [(f.kind, f.slot) for f in value.faults] == [("non-finite", 2)]
    for bad in (math.inf, math.nan):
        gradient = check_run(MUL, [0.5, 2.0, 1.0], [bad, 0.5, 1.0])
        assert gradient.verdict == "fail"
        assert [(f.kind, f.slot) for f in gradient.faults] == [("non-finite", 0)]
        assert gradient.inputs[0].verdict == "fail" and str(bad) in gradient.inputs[0].note


def test_where_an_adjoint_overflows_on_the_way_even_a_sign_flipped_gradient_is_inconclusive() -> None:
    # log(x * y) with x * y rounded to 0.0: log's derivative there is inf, so no float64 engine resolves it
    logged = Program((("x", 1e-200), ("y", 1e-200)), (Step("mul", (0, 1)), Step("log", (2,))))
    report = check_run(logged, [1e-200, 1e-200, 0.0, -math.inf], [-1.0e200, 1.0e200, None, 1.0])
    assert report.verdict == "inconclusive" and report.faults == []
    for row in report.inputs:
        assert row.verdict == "inconclusive" and "overflows float64" in row.note


def test_a_program_with_a_kink_away_from_it_prints_its_gradients_as_numbers() -> None:
    program = Program((("x", 1.5), ("y", 2.0)), (Step("relu", (0,)), Step("mul", (2, 1))))
    report = check_run(program, [1.5, 2.0, 1.5, 3.0], [2.0, 1.5, 2.0, 1.0])
    assert report.verdict == "pass" and [(r.exact, r.verdict) for r in report.inputs] == [
        ("2.0", "pass"), ("1.5", "pass")]


def test_a_pass_within_what_careful_rules_give_has_no_note() -> None:
    t = math.tanh(10.0)
    program = Program((("x", 10.0),), (Step("tanh", (0,)), Step("add", (1, 0))))
    report = check_run(program, [10.0, t, t + 10.0], [1 - t * t + 1, 1.0, 1.0])
    row = report.inputs[0]
    assert row.ulps is not None and 0 < row.ulps < 1  # not the correctly rounded float, yet a careful one
    assert report.verdict == "pass" and row.verdict == "pass" and row.note == "" and report.notes == []


def test_a_fault_beside_values_that_leave_an_ops_domain_still_fails() -> None:
    # log(x * y) + x * 2 with x * y rounded to 0.0 (log leaves its domain) and x * 2 given wrong
    program = Program((("x", 1e-200), ("y", 1e-200)), (Step("mul", (0, 1)), Step("mul", (0, Const(2.0))),
                                                        Step("log", (2,)), Step("add", (4, 3))))
    report = check_run(program, [1e-200, 1e-200, 0.0, 3e-200, -math.inf, -math.inf], [None] * 6)
    assert report.verdict == "fail" and [(f.kind, f.slot) for f in report.faults] == [("forward", 3)]
    assert any("leave an op's domain" in n for n in report.notes)


def test_a_forward_fault_quotes_its_operands_as_the_engine_gave_them_or_exact_where_not_finite() -> None:
    # v1 = x * 2 given inf, v2 = v1 + 1 given 5.0; v3 = x * 3 given 4.0, v4 = v3 + 1 given 9.0
    program = Program((("x", 1.0),), (Step("mul", (0, Const(2.0))), Step("add", (1, Const(1.0))),
                                      Step("mul", (0, Const(3.0))), Step("add", (3, Const(1.0))),
                                      Step("add", (2, 4))))
    report = check_run(program, [1.0, math.inf, 5.0, 4.0, 9.0, 14.0], [None] * 6)
    assert report.verdict == "fail"
    forward = [(f.slot, f.operands) for f in report.faults if f.kind == "forward"]
    assert forward == [(2, (2.0, 1.0)), (3, (1.0, 3.0)), (4, (4.0, 1.0))]
    assert [(f.kind, f.slot) for f in report.faults if f.kind != "forward"] == [("non-finite", 1)]
    v2 = next(f for f in report.faults if f.slot == 2)
    assert "at v1 = 2.0" in v2.message and "is 5.0" in v2.message


def test_a_non_finite_adjoint_counts_as_none_with_every_operand_it_reaches() -> None:
    # the output's inf gradient is a fault; it checks neither x's nor y's adjoint: three nodes unchecked
    report = check_run(MUL, [0.5, 2.0, 1.0], [2.0, 0.5, math.inf])
    assert report.verdict == "fail" and [(f.kind, f.slot) for f in report.faults] == [("non-finite", 2)]
    assert next(n for n in report.notes if "no engine adjoint" in n).startswith("3 nodes had ")


def test_where_the_accepted_rules_lose_every_digit_the_row_is_inconclusive_not_a_pass() -> None:
    # tanh at 19 by 1 - t*t: a correct engine may give anything from -2.2e-16 to 6.7e-16, the exact 1.1e-16
    t = math.tanh(19.0)
    program = Program((("x", 19.0),), (Step("tanh", (0,)),))
    for g in (1 - t * t, 0.0):
        report = check_run(program, [19.0, t], [g, 1.0])
        row = report.inputs[0]
        assert report.verdict == "inconclusive" and row.verdict == "inconclusive" and report.faults == []
        assert "lose the digits" in row.note


def test_a_kink_elsewhere_in_the_program_does_not_spare_a_row_the_resolution_check() -> None:
    # relu(x) + tanh(y) at x = 0 (on the kink) and y = 19 (where tanh's rules lose every digit)
    t = math.tanh(19.0)
    program = Program((("x", 0.0), ("y", 19.0)),
                      (Step("relu", (0,)), Step("tanh", (1,)), Step("add", (2, 3))))
    report = check_run(program, [0.0, 19.0, 0.0, t, t], [1.0, 1 - t * t, 1.0, 1.0, 1.0])
    assert [(r.name, r.verdict) for r in report.inputs] == [("x", "pass"), ("y", "inconclusive")]
    assert "lose the digits" in report.inputs[1].note and not report.inputs[1].exact.startswith("[")


def test_an_uncertified_gradient_is_printed_as_a_ball_not_as_a_kinks_interval() -> None:
    program = Program((("x", 0.5), ("t", 2.0)), (Step("sqrt", (1,)), Step("mul", (2, 2)),
                                                  Step("sub", (3, Const(2.0))), Step("relu", (4,)),
                                                  Step("add", (5, 0))))
    r2 = math.sqrt(2.0)
    data: list[float | None] = [0.5, 2.0, r2, r2 * r2, r2 * r2 - 2, r2 * r2 - 2, r2 * r2 - 2 + 0.5]
    t = check_run(program, data, [1.0, 1.0, 2 * r2, 1.0, 1.0, 1.0, 1.0]).inputs[1]
    assert t.verdict == "inconclusive" and t.exact.startswith("0 (|x| < ")  # the bound, not [lo, hi]
