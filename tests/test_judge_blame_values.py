"""Blame's faults by value: for each kind (seed, dead, wrong-rule, traversal, lost-contribution,
gradient) the blamed node, step, operands, expected and engine numbers, at engine runs made by hand
(a correct run of ``micrograd`` with one gradient changed) so each fault has a known cause."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

import verify
from micrograd import Value
from verify.judge.blame import CLOSE, POINT_LIKE, _sum, show
from verify.judge.floats import Fl
from verify.program import Const, Program, Step
from verify.report import Fault, Report


def _judge(program: Program, change: Callable[[list[float], list[float]], None]) -> tuple[Report, list[float],
                                                                                            list[float]]:
    """check_run on a correct micrograd run of ``program`` after ``change(data, grad)``."""
    slots = program.run(Value)
    data, grad = [s.data for s in slots], [s.grad for s in slots]
    change(data, grad)
    return verify.check_run(program, data, grad), data, grad


def _only(report: Report) -> Fault:
    assert report.verdict == "fail" and len(report.faults) == 1
    return report.faults[0]


def test_an_output_gradient_other_than_1_is_a_seed_fault_at_the_first_step() -> None:
    program = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))),))
    report = verify.check_run(program, [2.0, 6.0], [6.0, 2.0])
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "seed", 1, "v1", "mul", 1, (2.0, 3.0), "1", 2.0, None)
    assert f.message.startswith("the output v1 has gradient 2.0")


def test_a_gradient_on_an_input_the_output_does_not_use_is_a_dead_fault() -> None:
    program = Program((("x", 2.0), ("y", 1.0)), (Step("mul", (0, Const(3.0))),))
    f = _only(verify.check_run(program, [2.0, 1.0, 6.0], [3.0, 5.0, 1.0]))
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "dead", 1, "y", "", None, (), "0", 5.0, None)
    assert f.message.startswith("y is not used") and f.message.endswith("5.0")


def test_a_wrong_rule_names_its_step_the_derivative_and_the_one_the_engine_implied() -> None:
    # x -> v1 = x * 3 -> v2 = v1 * 2: x's gradient 10 implies dv1/dx = 10 / 2 = 5, not 3
    program = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))), Step("mul", (1, Const(2.0)))))
    report, _, grad = _judge(program, lambda d, g: g.__setitem__(0, 10.0))
    assert grad[1] == 2.0
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "wrong-rule", 0, "x", "mul", 1, (2.0, 3.0), "3.0", 5.0, 0)
    assert f.message.startswith("v1 = x * 3.0 at x = 2.0: dv1/dx should be 3.0")
    assert "used 5.0 (gradient of x 10.0 / gradient of v1 2.0)" in f.message


def test_a_gradient_behind_a_zero_gradient_must_be_0() -> None:
    # relu(-6) passes on 0, so x * 3 gets 0 and x must too
    program = Program((("x", -2.0),), (Step("mul", (0, Const(3.0))), Step("relu", (1,))))
    report, _, grad = _judge(program, lambda d, g: g.__setitem__(0, 5.0))
    assert grad[1] == 0.0
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.expected, f.actual, f.index) == (
        "wrong-rule", 0, "x", "mul", 1, "3.0", None, 0)
    assert f.message.startswith("v1 = x * 3.0 at x = -2.0: the gradient of v1 is 0, so x's must be 0, "
                                "not 5.0")


def test_a_zero_partial_with_a_reused_consumer_is_a_wrong_rule() -> None:
    # v2 = x * y at y = 0 is used twice; x's gradient must be 0, the engine's 5 is no traversal order
    program = Program((("x", 0.4), ("y", 0.0)), (Step("mul", (0, 1)), Step("mul", (2, Const(2.0))),
                                                 Step("add", (2, 3))))
    report, _, _ = _judge(program, lambda d, g: g.__setitem__(0, 5.0))
    f = _only(report)
    assert (f.kind, f.op, f.culprit, f.expected, f.actual) == ("wrong-rule", "mul", 2, "0.0", 5.0 / 3.0)
    assert f.message.startswith("v1 = x * y at x = 0.4, y = 0.0: dv1/dx should be 0.0")


def test_a_wrong_gradient_through_a_single_use_consumer_is_no_traversal_order() -> None:
    # v1 = x * 3 has one use: an x gradient of 0 is its rule's fault, not an early adjoint of 0
    program = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))), Step("mul", (1, Const(2.0)))))
    report, _, _ = _judge(program, lambda d, g: g.__setitem__(0, 0.0))
    f = _only(report)
    assert (f.kind, f.culprit, f.actual) == ("wrong-rule", 1, 0.0)
    assert "traversal" not in f.message


def _traversal(scale: float) -> Program:
    # v1 = 2x feeds f directly and through tanh(tanh(v1 + 1)): a breadth-first engine passes v1's
    # adjoint on before the chain has added to it
    return Program((("x", 0.4),), (
        Step("mul", (0, Const(2.0))), Step("add", (1, Const(1.0))), Step("tanh", (2,)), Step("tanh", (3,)),
        Step("mul", (1, 4)), Step("mul", (5, Const(scale)))))


def test_a_program_of_one_input_blames_the_output_seed_on_no_step() -> None:
    f = _only(verify.check_run(Program((("x", 2.0),), ()), [2.0], [3.0]))
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.actual) == (
        "seed", 0, "x", "", 0, (2.0,), 3.0)


def test_an_operand_without_an_engine_value_is_named_without_one() -> None:
    program = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))), Step("mul", (1, Const(2.0)))))
    f = _only(verify.check_run(program, [None, 6.0, 12.0], [10.0, 2.0, 1.0]))
    assert (f.kind, f.culprit, f.expected, f.actual) == ("wrong-rule", 1, "3.0", 5.0)
    assert math.isnan(f.operands[0]) and f.operands[1] == 3.0
    assert f.message.startswith("v1 = x * 3.0: dv1/dx should be 3.0")


@pytest.mark.parametrize(("early", "what"), [
    (lambda d, g: d[4], "all but one uses' contributions"),  # v1's adjoint from f alone: t4 * 1
    (lambda d, g: g[1] - d[4], "one use's contribution"),  # what v1 got through the chain only
])
def test_an_adjoint_passed_on_early_is_a_traversal_fault(
        early: Callable[[list[float], list[float]], float], what: str) -> None:
    def change(d: list[float], g: list[float]) -> None:
        g[0] = 2.0 * early(d, g)

    report, _, grad = _judge(_traversal(1.0), change)
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "traversal", 0, "x", "", 1, (0.4, 2.0), "2.0", grad[0] / grad[1], 0)
    assert f.message.startswith("v1 = x * 2.0 at x = 0.4: dv1/dx should be 2.0")
    assert f"the gradient v1 passed on was {what}: it was used before all its uses" in f.message
    assert f.message.endswith("(wrong traversal order)")


def test_a_use_without_an_engine_adjoint_leaves_the_traversal_undecided() -> None:
    slots = _traversal(1.0).run(Value)
    data, grad = [s.data for s in slots], [s.grad for s in slots]
    grad[0], grad[2] = 2.0 * data[4], None
    f = _only(verify.check_run(_traversal(1.0), data, grad))
    assert (f.kind, f.culprit) == ("wrong-rule", 1)


def test_an_adjoint_exactly_close_to_one_contribution_is_that_contribution() -> None:
    # v1 = 2x feeds v2 = v1 * y (y = 0: contributes exactly 0) and v3 = v1 * 1 (contributes 1): the
    # adjoint v1 passed on, x's gradient / 2 = 1e-9, is CLOSE * 1 from the contribution 0
    program = Program((("x", 0.4), ("y", 0.0)), (Step("mul", (0, Const(2.0))), Step("mul", (2, 1)),
                                                 Step("mul", (2, Const(1.0))), Step("add", (3, 4))))
    report, _, grad = _judge(program, lambda d, g: g.__setitem__(0, 2.0 * CLOSE))
    assert grad[2] == 1.0
    f = _only(report)
    assert (f.kind, f.culprit) == ("traversal", 2) and "passed on was one use's contribution" in f.message


def test_small_adjoints_far_from_either_sum_are_a_wrong_rule() -> None:
    # the same program scaled by 1e-6: x's gradient tripled matches no contribution of v1's uses
    report, _, _ = _judge(_traversal(1e-6), lambda d, g: g.__setitem__(0, 3.0 * g[0]))
    f = _only(report)
    assert (f.kind, f.culprit, f.actual) == ("wrong-rule", 1, 6.0)


def test_an_inexact_contribution_leaves_the_traversal_undecided() -> None:
    # v1 = 2x feeds tanh(v1) (a rounded partial) and v1 * 3: x's gradient 2 * 3 is the exact
    # contribution of v1 * 3, but the other is not a point, so no sum is exact: a wrong rule
    program = Program((("x", 0.4),), (Step("mul", (0, Const(2.0))), Step("tanh", (1,)),
                                      Step("mul", (1, Const(3.0))), Step("add", (2, 3))))
    report, _, grad = _judge(program, lambda d, g: g.__setitem__(0, 6.0))
    f = _only(report)
    assert (f.kind, f.culprit, f.actual) == ("wrong-rule", 1, 6.0 / grad[1])


def test_a_rule_on_one_operand_twice_shows_its_value_once() -> None:
    program = Program((("x", 2.0),), (Step("mul", (0, 0)), Step("mul", (1, Const(2.0)))))
    report, _, _ = _judge(program, lambda d, g: g.__setitem__(0, 1.0))
    f = _only(report)
    assert (f.kind, f.culprit, f.operands, f.expected, f.actual) == ("wrong-rule", 1, (2.0, 2.0), "4.0", 0.5)
    assert f.message.startswith("v1 = x * x at x = 2.0: dv1/dx should be 4.0")


def _two_uses(y: float, scale: float = 1.0) -> Program:
    # x feeds v1 = x * y (slot 2) and v2 = x * 3 (slot 3); f = (v1 + v2) * scale
    return Program((("x", 0.4), ("y", y)), (Step("mul", (0, 1)), Step("mul", (0, Const(3.0))),
                                            Step("add", (2, 3)), Step("mul", (4, Const(scale)))))


def test_a_gradient_that_is_one_contribution_alone_blames_the_consumer_that_overwrote() -> None:
    # x feeds v1 = x + 1 (contributes exactly 1) and v2 = x * 3 (contributes 3); the engine kept 1
    program = Program((("x", 0.4),), (Step("add", (0, Const(1.0))), Step("mul", (0, Const(3.0))),
                                      Step("add", (1, 2))))
    f = _only(_judge(program, lambda d, g: g.__setitem__(0, 1.0))[0])
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "lost-contribution", 0, "x", "add", 1, (0.4, 1.0), "4.0", 1.0, None)
    assert f.message.startswith("x is used 2 times (v2 (mul), v1 (add)) but its gradient 1.0 is the "
                                "contribution of v1 alone; exactly 4.0: v1's backward replaced")
    assert f.message.endswith("(contributions to a reused node must be summed)")


def test_a_zero_gradient_with_a_zero_contribution_blames_the_consumer_that_gave_none() -> None:
    # at y = 0, v1 = x * y contributes exactly 0: x's gradient 0 is what v2 = x * 3 failed to add
    report, _, _ = _judge(_two_uses(0.0), lambda d, g: g.__setitem__(0, 0.0))
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.expected, f.actual, f.index) == (
        "lost-contribution", 0, "x", "mul", 3, (0.4, 3.0), "3.0", 0.0, None)
    assert f.message.startswith("v2 = x * 3.0 at x = 0.4 gave x no gradient: x is used 2 times (v2 (mul), "
                                "v1 (mul)); its gradient 0.0 is the sum of all the other contributions; "
                                "exactly 3.0")


@pytest.mark.parametrize(("kept", "culprit", "how"), [
    ("sin", 1, "alone"), ("sin+cos", 3, "no gradient"), ("cos+exp", 1, "no gradient")])
def test_three_uses_one_lost_names_the_consumer(kept: str, culprit: int, how: str) -> None:
    x = 0.5
    program = Program((("x", x),), (Step("sin", (0,)), Step("cos", (0,)), Step("exp", (0,)),
                                    Step("add", (1, 2)), Step("add", (4, 3))))
    parts = {"sin": math.cos(x), "cos": -math.sin(x), "exp": math.exp(x)}
    f = _only(_judge(program, lambda d, g: g.__setitem__(0, sum(parts[k] for k in kept.split("+"))))[0])
    assert (f.kind, f.culprit, f.op) == ("lost-contribution", culprit, program.steps[culprit - 1].op)
    assert how in f.message and "x is used 3 times (v3 (exp), v2 (cos), v1 (sin))" in f.message
    assert float(f.expected) == pytest.approx(sum(parts.values()), rel=1e-15)


def test_a_contribution_grad_first_below_the_subnormals_is_one_a_consumer_can_give_alone() -> None:
    # v1 = x0 ** x2 has dv1/dx0 = 6.5e-512, below the subnormals: partial-first it is 0, grad-first
    # (g * y) * x**(y - 1) it is -6.4e-211; x0 also feeds v3 = x0 * 1e-211, whose part the engine lost
    program = Program((("x0", 8.58474408339649e258), ("x1", -9.804515751260563e300),
                       ("x2", 5.570796640190944e-253)),
                      (Step("pow", (0, 2)), Step("mul", (1, 3)), Step("mul", (0, Const(1e-211))),
                       Step("add", (4, 5))))

    def change(d: list[float], g: list[float]) -> None:
        g[0] = (g[3] * d[2]) * math.exp((d[2] - 1) * math.log(d[0]))

    report, _, grad = _judge(program, change)
    f = _only(report)
    assert (f.kind, f.op, f.culprit, f.actual) == ("lost-contribution", "pow", 3, grad[0])
    assert "contribution of v1 alone" in f.message


def test_a_gradient_exactly_close_to_one_contribution_is_that_contribution_alone() -> None:
    # g = n * 2**-52 with CLOSE * g = m * 2**-52 exactly: v1 = x * (g + CLOSE * g) contributes that,
    # v2 = x * 3 contributes 3, and the engine's g is CLOSE * g from v1's contribution
    n, m = 4_600_000_000_000_000, 4_600_000
    g = math.ldexp(n, -52)
    assert CLOSE * g == math.ldexp(m, -52)
    program = Program((("x", 0.4),), (Step("mul", (0, Const(math.ldexp(n + m, -52)))),
                                      Step("mul", (0, Const(3.0))), Step("add", (1, 2))))
    f = _only(_judge(program, lambda d, gr: gr.__setitem__(0, g))[0])
    assert (f.kind, f.culprit) == ("lost-contribution", 1) and "contribution of v1 alone" in f.message


def test_other_contributions_exactly_close_to_nothing_are_not_visible() -> None:
    # v1 = x * 3 contributes 3 and v2 = x * (CLOSE * 3) contributes exactly CLOSE * 3: with the
    # engine's 3, "v1 alone" and "v2 gave none" cannot be told from a rounded sum: no summation fault
    program = Program((("x", 0.4),), (Step("mul", (0, Const(3.0))), Step("mul", (0, Const(CLOSE * 3.0))),
                                      Step("add", (1, 2))))
    report, _, _ = _judge(program, lambda d, g: g.__setitem__(0, 3.0))
    f = _only(report)
    assert (f.kind, f.culprit, f.actual) == ("gradient", None, 3.0)


def test_small_adjoints_one_contribution_alone_is_found_at_their_scale() -> None:
    # contributions 0.5e-6 (y = 0.5) and 3e-6: the engine kept the first alone
    report, _, _ = _judge(_two_uses(0.5, 1e-6), lambda d, g: g.__setitem__(0, 0.5e-6))
    f = _only(report)
    assert (f.kind, f.culprit, f.actual) == ("lost-contribution", 2, 0.5e-6)
    assert "contribution of v1 alone" in f.message


def _vague(report: Report, g: float) -> Fault:
    f = _only(report)
    assert (f.kind, f.slot, f.name, f.op, f.culprit, f.operands, f.actual, f.index) == (
        "gradient", 0, "x", "", None, (), g, None)
    assert f.message.startswith(f"the gradient of x is {g!r}, but {f.expected} from its uses by v2 (mul), "
                                "v1 (mul): one of their rules")
    return f


def test_small_adjoints_that_match_no_sum_are_a_vague_gradient_fault() -> None:
    report, _, _ = _judge(_two_uses(0.5, 1e-6), lambda d, g: g.__setitem__(0, 5e-6))
    f = _vague(report, 5e-6)
    assert float(f.expected) == pytest.approx(3.5e-6, rel=1e-15)


def test_a_gradient_a_trillionth_off_one_contribution_is_not_that_contribution_alone() -> None:
    # v1 = x * 0 contributes 0, so 3 (1 + 1e-12) is no lost contribution: a wrong sum, or rule
    g = 3.0 * (1 + 1e-12)
    report, _, _ = _judge(_two_uses(0.0), lambda d, gr: gr.__setitem__(0, g))
    assert _vague(report, g).expected == "3.0"


def test_a_node_used_by_an_op_blamed_elsewhere_is_blamed_on_that_use() -> None:
    # sin's rule has the wrong sign: y (used by sin only) blames sin outright; x and z, used by sin
    # and by mul, are blamed on their sin step because sin is blamed already
    program = Program((("x", 0.5), ("y", 0.7), ("z", 1.1)), (
        Step("sin", (0,)), Step("mul", (0, Const(3.0))), Step("sin", (1,)),
        Step("sin", (2,)), Step("mul", (2, Const(3.0))),
        Step("add", (3, 4)), Step("add", (8, 5)), Step("add", (9, 6)), Step("add", (10, 7))))

    def change(d: list[float], g: list[float]) -> None:
        g[0], g[1], g[2] = 3.0 - math.cos(0.5), -math.cos(0.7), 3.0 - math.cos(1.1)

    report, _, _ = _judge(program, change)
    assert report.verdict == "fail"
    blamed = sorted((f.slot, f.kind, f.op, f.culprit) for f in report.faults)
    assert blamed == [(0, "wrong-rule", "sin", 3), (1, "wrong-rule", "sin", 5), (2, "wrong-rule", "sin", 6)]


def test_a_sum_is_widened_outward_to_hold_the_exact_one() -> None:
    total = _sum([Fl(1.0, 2.0), Fl(3.0), None])
    assert (total.lo, total.hi) == (math.nextafter(4.0, 0.0), math.nextafter(5.0, math.inf))
    assert (_sum([Fl(0.25), Fl(0.5)]).lo, _sum([Fl(0.25), Fl(0.5)]).hi) == (0.75, 0.75)


def test_a_sum_of_opposite_infinities_is_unbounded() -> None:
    total = _sum([Fl(math.inf), Fl(-math.inf)])
    assert (total.lo, total.hi) == (-math.inf, math.inf)


def test_an_interval_is_shown_as_one_number_only_when_it_is_nearly_one() -> None:
    assert show(None) == "unknown"
    assert show(Fl(1.5)) == "1.5"
    near = Fl(1e6, 1e6 + 1e-7)  # 1e-13 relative: 17 digits cannot tell the ends apart
    assert near.lo < float(show(near)) < near.hi and "[" not in show(near)
    tiny = Fl(-3e-300, -3e-300 + 1e-312)
    assert tiny.lo <= float(show(tiny)) <= tiny.hi
    wide = Fl(1e-6, 1e-6 + 1e-7)
    assert show(wide) == f"[{wide.lo!r}, {wide.hi!r}]"
    assert show(Fl(1.0, 1.0 + 1e-11)) == "[1.0, 1.00000000001]"


def test_an_interval_exactly_point_like_wide_is_shown_as_one_number() -> None:
    # 1e15 -+ 500: its width 1000 is exactly POINT_LIKE * 1e15
    tie = Fl(1e15 - 500, 1e15 + 500)
    assert tie.hi - tie.lo == POINT_LIKE * 1e15
    assert float(show(tie)) == 1e15 and "[" not in show(tie)
