"""x's adjoint in x / y has no hidden step (g / y, or g * y**-1: one product), so the excuse for a
hidden product gone subnormal (``verdict.UNDERFLOW``) is y's alone: a planted error in x's gradient
is caught where g * x underflows, and correct engines of every rule form still pass x."""

from __future__ import annotations

import pytest
from engines import zoo_class

from micrograd import Value
from verify import check_run
from verify.judge import verdict
from verify.program import Const, Program, Step

CORRECT = ("base.py", "localgrads.py", "altrules.py", "tape.py", "opcodes.py", "constants.py",
           "numpy_scalars.py")
# (x0 / x1) * 1e-10: the hidden product of x0 * x1**-1 toward x1 is 1e-10 * 1e-300, far below the
# normal range; x0's adjoint is 1e-10 / 1e-10 = 1.
DIVISION = Program((("x0", 1e-300), ("x1", 1e-10)), (Step("div", (0, 1)), Step("mul", (2, Const(1e-10)))))
# Found by the soundness campaign: v1 / 1.0 with v1 about 1.9e-233, its adjoint 1.9e-233 too.
CAMPAIGN = Program(
    (("x0", -6.894106252295311e+275), ("x1", 4.402813126585126e-117), ("x2", 2.0)),
    (Step("powi", (1, Const(2.0))), Step("sub", (3, Const(92993261.7759393))), Step("neg", (0,)),
     Step("div", (3, Const(1.0))), Step("cos", (6,))),
)


def _numbers(program: Program, engine: type) -> tuple[list[float], list[float]]:
    slots = program.run(engine, catch=())
    return [float(s.data) for s in slots], [float(s.grad) for s in slots]


@pytest.mark.parametrize(("program", "slot"), [(DIVISION, 0), (CAMPAIGN, 3)])
def test_an_error_in_the_dividends_gradient_is_caught_where_g_times_x_underflows(
    program: Program, slot: int,
) -> None:
    data, grad = _numbers(program, Value)
    assert check_run(program, data, grad).verdict in ("pass", "inconclusive")
    grad[slot] *= 1 + 1e-12
    report = check_run(program, data, grad)
    assert report.verdict == "fail" and any(f.slot == slot for f in report.faults), report.render()


@pytest.mark.parametrize("file", CORRECT)
def test_correct_engines_of_every_rule_form_pass_the_dividend(file: str) -> None:
    report = check_run(DIVISION, *_numbers(DIVISION, zoo_class(file)))
    assert report.verdict != "fail", report.render()
    assert report.inputs[0].verdict == "pass"


def test_the_divisors_hidden_product_is_still_excused() -> None:
    """x * y**-1 takes y's adjoint through g * x = 1e-310, subnormal: y's gradient may lose its digits."""
    data, grad = _numbers(DIVISION, zoo_class("constants.py"))
    assert grad[1] != _numbers(DIVISION, Value)[1][1]  # the digits it lost
    assert ("div", 1) not in verdict.DIRECT
    assert check_run(DIVISION, data, grad).inputs[1].verdict == "inconclusive"


def _divide_then_log(y: float, x: float = 3.9566240415772466e-107) -> Program:
    """log(x0 / x1): log's adjoint 1 / v1 scales y's gradient back up to a normal number."""
    return Program((("x0", x), ("x1", y)), (Step("div", (0, 1)), Step("log", (2,))))


# the same as x0 * x1**-1, written with the power
POWER = Program((("x0", 3.9566240415772466e-107), ("x1", 5.86079893896853e+157)),
                (Step("powi", (1, Const(-1.0))), Step("mul", (0, 2)), Step("log", (3,))))


def test_the_rules_own_factor_gone_subnormal_is_excused() -> None:
    """Found by the soundness campaign: karpathy's x * y**-1 with the rule k * y**(k - 1) taken first
    computes y**-2 = 2.9e-316, subnormal, then times g * x = 5.9e157: y's gradient loses 9 digits."""
    program = _divide_then_log(5.86079893896853e+157)
    data, grad = _numbers(program, zoo_class("constants.py"))
    exact = -1.706252015149311485e-158  # -x0 / x1**2 * (1 / v1) = -1 / x1
    assert abs(grad[1] / exact - 1) > 1e-9  # the digits it lost
    report = check_run(program, data, grad)
    assert report.verdict == "inconclusive" and report.inputs[1].verdict == "inconclusive", report.render()
    assert "underflows float64" in report.inputs[1].note
    assert report.inputs[0].verdict == "pass"


def test_written_as_a_power_the_same_loss_is_in_the_power_steps_allowance() -> None:
    """x0 * x1**-1 as a program: the powi step's partial k * x**(k - 1) is rounded as computed, so the
    same 9 lost digits pass, and an error beyond them fails."""
    data, grad = _numbers(POWER, zoo_class("constants.py"))
    assert check_run(POWER, data, grad).verdict == "pass"
    grad[1] *= 1 + 1e-6
    assert check_run(POWER, data, grad).verdict == "fail"


@pytest.mark.parametrize("y", [5.86079893896853e+157, 1e150])
def test_an_error_in_the_dividends_gradient_is_still_caught_beside_it(y: float) -> None:
    program = _divide_then_log(y)
    data, grad = _numbers(program, Value)
    grad[0] *= 1 + 1e-12
    report = check_run(program, data, grad)
    assert report.verdict == "fail" and any(f.slot == 0 for f in report.faults), report.render()


def test_where_the_rules_factor_is_normal_an_error_in_the_divisors_gradient_is_caught() -> None:
    """y = 1e150: y**-2 = 1e-300 is a normal number, nothing is lost, so nothing is excused."""
    program = _divide_then_log(1e150, 1.0)
    data, grad = _numbers(program, zoo_class("constants.py"))
    assert check_run(program, data, grad).verdict == "pass"
    grad[1] *= 1 + 1e-12
    report = check_run(program, data, grad)
    assert report.verdict == "fail" and any(f.slot == 1 for f in report.faults), report.render()


def test_the_rules_own_factor_excuses_only_the_digits_it_loses() -> None:
    """At y = 1e155, y**-2 = 1e-310 still holds 13 digits in the subnormals: a gradient of 0 for y (y * y
    overflowing in -x / (y * y)) is far outside what the rule taken first loses, so it fails."""
    program = _divide_then_log(1e155, 1.0)
    data, grad = _numbers(program, Value)
    grad[1] = 0.0
    report = check_run(program, data, grad)
    assert report.verdict == "fail" and any(f.slot == 1 for f in report.faults), report.render()
