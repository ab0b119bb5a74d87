"""Rounding orders: an engine that takes the adjoint first is accepted, and the slack that accepts it
never hides an error float64 resolves.

The zoo's ``altrules`` engine multiplies the incoming gradient first (``g * k * x**(k - 1)``,
``g * s * (1 - s)``), fuses ``x * x`` of one object into ``(2 * x) * g`` and takes a fractional power
as ``exp(k * log x)``; our engine takes the partial first.
"""

from __future__ import annotations

import math
import random

import pytest
from engines import zoo_class

import verify
from micrograd import Value
from verify.program import Const, Program, Step

GRAD_FIRST = zoo_class("altrules.py")

# f = sqrt(x) + x**1e-300 * 1e308 at x = 1e28: the power's partial, 1e-328, lies far below the
# subnormals and its adjoint is 1e308
SLACK = Program((("x", 1e28),), (Step("sqrt", (0,)), Step("powc", (0, Const(1e-300))),
                                  Step("mul", (2, Const(1e308))), Step("add", (1, 3))))


def _judged(program: Program, engine: type, scale: float = 1.0, shift: float = 0.0) -> verify.Report:
    slots = program.run(engine, catch=())
    grad = [float(s.grad) for s in slots]
    grad[0] = grad[0] * scale + shift
    return verify.check_run(program, [float(s.data) for s in slots], grad)


def test_a_partial_below_the_subnormals_times_a_huge_adjoint_hides_no_wrong_rule() -> None:
    assert _judged(SLACK, Value).verdict == "pass"
    assert _judged(SLACK, GRAD_FIRST).verdict == "pass"  # (1e308 * 1e-300) * 1e-28: the exact 1e-20
    # the two orders differ by 1e-20 (2e-6 of the gradient): anything beyond is caught
    for wrong in (1.39, 1.01, 1 + 1e-5, 0.5):  # a sqrt rule planted off by that factor
        assert _judged(SLACK, Value, scale=wrong).verdict == "fail", wrong


def test_the_two_orders_differ_there_and_both_pass() -> None:
    ours = SLACK.run(Value, catch=())[0].grad
    theirs = SLACK.run(GRAD_FIRST, catch=())[0].grad
    assert ours == 5e-15 and theirs == pytest.approx(5.00001e-15, rel=1e-15)


def _programs(kind: str, rng: random.Random) -> Program:
    k = 10 ** rng.uniform(-20, 0)
    if kind == "square":  # x * x of one object, its gradient subnormal
        x = rng.choice((1.0, -1.0)) * 10 ** rng.uniform(-200, -150)
        return Program((("x", x),), (Step("mul", (0, 0)), Step("mul", (1, Const(k * 1e-150)))))
    if kind == "sigmoid":  # s * (1 - s) times an adjoint, subnormal either way round
        x = -rng.uniform(600, 745)
        return Program((("x", x),), (Step("sigmoid", (0,)), Step("mul", (1, Const(k)))))
    if kind == "powi":
        x = 10 ** rng.uniform(-100, -50)
        return Program((("x", x),), (Step("powi", (0, Const(3.0))), Step("mul", (1, Const(k * 1e-150)))))
    # exp(k * log x) near the largest float
    e = rng.choice((1.5, 2.5, 1.3, 7.5))
    x = math.exp(math.log(1.7976931348623157e308 * rng.uniform(0.9, 1.0)) / e)
    return Program((("x", x),), (Step("powc", (0, Const(e))), Step("mul", (1, Const(k)))))


@pytest.mark.parametrize("kind", ["square", "sigmoid", "powi", "powc near the largest float"])
def test_an_engine_taking_the_gradient_first_is_no_false_alarm(kind: str) -> None:
    rng = random.Random(kind)
    verdicts = [_judged(_programs(kind, rng), GRAD_FIRST).verdict for _ in range(150)]
    assert "fail" not in verdicts
    assert verdicts.count("pass") > 100


def test_a_fused_square_one_subnormal_off_the_separate_sum_passes_and_three_are_caught() -> None:
    program = Program((("x", 1.3930738938270837e-162),),
                      (Step("mul", (0, 0)), Step("mul", (1, Const(7.540553423106361e-157)))))
    fused, separate = program.run(GRAD_FIRST, catch=())[0].grad, program.run(Value, catch=())[0].grad
    assert fused != separate  # (2 * x) * g against x * g + x * g, each rounded to 2**-1074
    assert _judged(program, GRAD_FIRST).verdict == "pass"
    assert _judged(program, Value, shift=3 * 5e-324).verdict == "fail"


@pytest.mark.parametrize("program", [
    # found by the soundness campaign: (g * y) is subnormal before x**(y - 1) = 1e206 scales it up
    Program((("x0", 9.685816105039445e-286), ("x1", 7.071855677685641e-207), ("x2", 9.725407064136378e69)),
            (Step("pow", (1, 0)), Step("abs", (3,)), Step("add", (4, 2)), Step("sqrt", (5,)),
             Step("sin", (6,)), Step("add", (6, 3)), Step("sigmoid", (7,)))),
    Program((("x0", -8.941554368177826e219), ("x1", 4.805744653992234e-261)),
            (Step("sin", (0,)), Step("pow", (1, 1)), Step("pow", (3, 1)), Step("powi", (4, Const(5.0))))),
], ids=["x1 ** x0", "x1 ** x1"])
def test_a_power_taken_gradient_first_through_a_subnormal_step_is_inconclusive_not_a_fail(
    program: Program,
) -> None:
    report = _judged(program, GRAD_FIRST)
    assert report.verdict == "inconclusive", report.render()
    assert any("underflows float64" in r.note for r in report.inputs if r.verdict == "inconclusive")
    assert _judged(program, Value).verdict != "fail"


def test_a_grad_first_power_whose_partial_is_below_the_subnormals_is_no_false_alarm() -> None:
    # found by the soundness campaign: dv1/dx0 = 6.5e-512 times an adjoint of -9.8e300; exp(-596) in
    # the grad-first form carries log's rounding 596 times (298 ulps here), partial-first gives 0
    program = Program((("x0", 8.58474408339649e258), ("x1", -9.804515751260563e300),
                       ("x2", 5.570796640190944e-253)), (Step("pow", (0, 2)), Step("mul", (1, 3))))
    report = _judged(program, GRAD_FIRST)
    assert report.verdict != "fail" and not report.faults, report.render()
    assert _judged(program, GRAD_FIRST, scale=1 + 1e-9).verdict == "fail"
