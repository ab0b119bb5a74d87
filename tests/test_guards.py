"""Each check of the judge can fail: a planted weakening of it turns one of these tests red.

``PLANTS`` is the record: one edit a real bug could make (file, text before, text after) and the
test that kills it. ``python tests/replay_plants.py`` applies each edit in turn, runs its test and
restores the file; every plant must make its test fail. The audit's plants are in
``tests/test_guards_audit.py``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import pytest

import verify
from micrograd import Value
from verify.oracle.ball import arb, text
from verify.program import Const, Program, Step


@dataclass(frozen=True)
class Plant:
    """A weakening: ``old`` replaced by ``new`` in ``path``; ``test`` (``file::name``) must then fail."""

    path: str
    old: str
    new: str
    test: str
    what: str


def _run(program: Program, change: Callable[[list[float], list[float]], None]) -> verify.Report:
    """Our engine's numbers for ``program``, then ``change`` plants a wrong one."""
    slots = program.run(Value, catch=())
    data, grad = [s.data for s in slots], [s.grad for s in slots]
    change(data, grad)
    return verify.check_run(program, data, grad)


# ---- the overflow excuse: only where upstream times an operand really leaves float64 ----

def test_an_inf_gradient_of_x_times_2_at_1e305_fails() -> None:
    """upstream * x = 2e305 is far below MAX/16, so no rule in steps overflows: inf is wrong."""
    program = Program((("x", 1e305),), (Step("mul", (0, Const(2.0))),))

    def inf(data: list[float], grad: list[float]) -> None:
        grad[0] = math.inf

    report = _run(program, inf)
    assert report.verdict == "fail", report.render()
    assert report.inputs[0].verdict == "fail"


# ---- the underflow excuse: div's hidden x * y**-1 step only ----

def test_a_sign_flipped_gradient_through_tiny_mul_adjoints_fails() -> None:
    """(x * y) * 1e-10 with x = y = 1e-150: v1's adjoint times v1 is 1e-310, subnormal; but mul has no
    hidden step, so x's gradient 1e-160 is decidable and its sign flip is a fault."""
    program = Program((("x", 1e-150), ("y", 1e-150)), (Step("mul", (0, 1)), Step("mul", (2, Const(1e-10)))))

    def flip(data: list[float], grad: list[float]) -> None:
        grad[0] = -grad[0]

    report = _run(program, flip)
    assert report.verdict == "fail", report.render()
    assert report.inputs[0].verdict == "fail"


# ---- certification: a kink whose side the balls can never decide ----

def test_relu_of_sqrt2_squared_minus_2_plus_x_is_inconclusive() -> None:
    """sqrt(2)*sqrt(2) - 2 is exactly 0, but no ball proves it: relu's side is undecidable at every
    precision, so even x's gradient (1, whichever side) is not certified."""
    x, two = Value(1.0), Value(2.0)
    f = (two.sqrt() * two.sqrt() - 2).relu() + x
    f.backward()
    report = verify.check(f, inputs={"x": x})
    assert report.verdict == "inconclusive", report.render()
    assert "could not be certified" in report.inputs[0].note


# ---- subnormal gradients: decided only when no correct engine's rounding reaches their size ----

_U = 1.5e-292


def _cancelling() -> tuple[Program, float]:
    """tanh(x) * u + x * k at x = 17: the exact gradient u*sech(17)**2 + k is 1e-310, but 1 - tanh**2
    there loses digits, so correct engines give anything in about +-7e-308 (above MIN_NORMAL)."""
    mpmath.mp.prec = 200
    partial = mpmath.mpf(_U) * mpmath.sech(17) ** 2
    k = -float(partial) + 1e-310
    exact = float(partial + k)
    steps = (Step("tanh", (0,)), Step("mul", (1, Const(_U))), Step("mul", (0, Const(k))), Step("add", (2, 3)))
    return Program((("x", 17.0),), steps), exact


@pytest.mark.parametrize("factor", [-1.0, 2.0], ids=["sign-flipped", "doubled"])
def test_a_wrong_1e_310_gradient_fails(factor: float) -> None:
    """(x * 1e-155) * 1e-155: x's gradient is the subnormal 1e-310, and every correct engine gets it."""
    program = Program((("x", 2.0),), (Step("mul", (0, Const(1e-155))), Step("mul", (1, Const(1e-155)))))

    def wrong(data: list[float], grad: list[float]) -> None:
        assert 0 < grad[0] < 2.2250738585072014e-308
        grad[0] *= factor

    report = _run(program, wrong)
    assert report.verdict == "fail", report.render()


@pytest.mark.parametrize("factor", [-1.0, 2.0], ids=["sign-flipped", "doubled"])
def test_a_wrong_1e_310_gradient_inside_a_wide_envelope_never_passes(factor: float) -> None:
    """Inside the envelope it is no fault, but the check could not have failed: never "pass"."""
    program, exact = _cancelling()

    def wrong(data: list[float], grad: list[float]) -> None:
        grad[0] = factor * exact

    report = _run(program, wrong)
    assert report.verdict != "pass", report.render()
    right = _run(program, lambda data, grad: grad.__setitem__(0, exact))
    assert right.verdict == "pass", right.render()  # the correctly rounded gradient is decided


# ---- blame: a reused node that kept all but one contribution names the consumer ----

def test_three_consumers_one_dropped_names_the_consumer() -> None:
    """x feeds v1 = 3x, v2 = 5x, v3 = 7x; x's gradient 8 lacks v3's 7: v3 is named."""
    steps = (Step("mul", (0, Const(3.0))), Step("mul", (0, Const(5.0))), Step("mul", (0, Const(7.0))),
             Step("add", (1, 2)), Step("add", (4, 3)))
    program = Program((("x", 0.7),), steps)

    def drop(data: list[float], grad: list[float]) -> None:
        grad[0] = 8.0

    report = _run(program, drop)
    lost = [f for f in report.faults if f.kind == "lost-contribution"]
    assert lost, report.render()
    assert lost[0].culprit == 3 and lost[0].op == "mul", lost[0]
    assert "v3" in lost[0].message and "gave x no gradient" in lost[0].message


# ---- printing: "0 (|x| < bound)" with a bound that holds ----

_RADII = [m * 10.0**e for e in (-300, -40, -3, 5) for m in (1.01, 1.04, 1.049, 1.3, 2.04, 4.95, 9.4, 9.96)]


@pytest.mark.parametrize("radius", _RADII)
def test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it(radius: float) -> None:
    shown = text(arb(0, radius), 34)
    found = re.fullmatch(r"0 \(\|x\| < (.*)\)", shown)
    assert found, shown
    bound = mpmath.mpf(found.group(1))
    assert bound >= mpmath.mpf(radius), f"{shown}: below the radius {radius!r}"
    assert bound <= 1.25 * mpmath.mpf(radius), f"{shown}: far above the radius {radius!r}"


PLANTS = [
    Plant("verify/judge/verdict.py", "1.7976931348623157e308 / 16:", "1.7976931348623157e308 / 16e3:",
          "tests/test_guards.py::test_an_inf_gradient_of_x_times_2_at_1e305_fails",
          "the overflow excuse loosened 1000x"),
    Plant("verify/judge/verdict.py", "or step.op not in STEPPED:", ":",
          "tests/test_guards.py::test_a_sign_flipped_gradient_through_tiny_mul_adjoints_fails",
          "the underflow excuse applied to every op"),
    Plant("verify/judge/verdict.py", "    if ex.unsure:\n        open_slots = set(slots)\n", "",
          "tests/test_guards.py::test_relu_of_sqrt2_squared_minus_2_plus_x_is_inconclusive",
          "the certification step dropped"),
    Plant("verify/judge/verdict.py", "elif envelope.magnitude > MIN_NORMAL:",
          "elif envelope.magnitude > MIN_NORMAL * 1000:",
          "tests/test_guards.py::test_a_wrong_1e_310_gradient_inside_a_wide_envelope_never_passes",
          "the subnormal-gradient threshold raised 1000x"),
    Plant("verify/judge/verdict.py", "MIN_NORMAL = 2.2250738585072014e-308",
          "MIN_NORMAL = 2.2250738585072014e-305",
          "tests/test_guards.py::test_a_wrong_1e_310_gradient_inside_a_wide_envelope_never_passes",
          "the smallest normal float raised 1000x"),
    Plant("verify/judge/blame.py", "        if (term.magnitude > tol + CLOSE * abs(g)\n",
          "        if (False and term.magnitude > tol + CLOSE * abs(g)\n",
          "tests/test_guards.py::test_three_consumers_one_dropped_names_the_consumer",
          "blame's all-but-one contribution check removed"),
    Plant("verify/oracle/ball.py", "x.abs_upper() * arb(1.1)", "x.abs_upper()",
          "tests/test_guards.py::test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",
          "the x1.1 raise before printing a zero's bound removed"),
    Plant("verify/oracle/ball.py", "x.abs_upper() * arb(1.1)", "x.abs_upper() * arb(11)",
          "tests/test_guards.py::test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",
          "the x1.1 raise before printing a zero's bound made 10x looser"),
]
