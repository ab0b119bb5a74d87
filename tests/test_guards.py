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
from verify.judge import floats
from verify.oracle.ball import arb, ball, text, workprec
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


def test_an_inf_gradient_just_inside_the_overflow_excuse_fails() -> None:
    """x * 2 at x = 4e306: upstream * 2x = 8e306, below MAX/16 = 1.1e307 but above MAX/160."""
    program = Program((("x", 4e306),), (Step("mul", (0, Const(2.0))),))
    report = _run(program, lambda data, grad: grad.__setitem__(0, math.inf))
    assert report.verdict == "fail", report.render()


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

def _cancelling(u: float = 1.5e-292, target: float = 1e-310) -> tuple[Program, float]:
    """tanh(x) * u + x * k at x = 17, k chosen so that the exact gradient u*sech(17)**2 + k is about
    ``target``; 1 - tanh**2 there loses digits, so correct engines give anything within about
    u * 5e-16 of it (+-7e-308 for the default u, above MIN_NORMAL)."""
    mpmath.mp.prec = 200
    partial = mpmath.mpf(u) * mpmath.sech(17) ** 2
    k = -float(partial) + target
    exact = float(partial + k)
    steps = (Step("tanh", (0,)), Step("mul", (1, Const(u))), Step("mul", (0, Const(k))), Step("add", (2, 3)))
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


@pytest.mark.parametrize("factor", [-1.0, 2.0], ids=["sign-flipped", "doubled"])
def test_a_wrong_1e_310_gradient_inside_a_narrow_envelope_never_passes(factor: float) -> None:
    """The same with correct engines within +-7e-309, below MIN_NORMAL: it should never "pass"."""
    program, exact = _cancelling(1.5e-293)
    report = _run(program, lambda data, grad: grad.__setitem__(0, factor * exact))
    assert report.verdict != "pass", report.render()


def test_a_subnormal_gradient_whose_sign_a_correct_engine_may_flip_is_not_decided() -> None:
    """Exact 1e-310 and correct engines within +-7e-309: a value 0.1% off is no pass either, since the
    check could not have failed its sign flip; the note says either sign is possible. The correctly
    rounded value stays a pass, and so does a correct engine where the spread keeps one sign."""
    program, exact = _cancelling(1.5e-293)
    report = _run(program, lambda data, grad: grad.__setitem__(0, exact * 1.001))
    assert report.verdict == "inconclusive", report.render()
    assert "either sign" in report.inputs[0].note
    assert _run(program, lambda data, grad: grad.__setitem__(0, exact)).verdict == "pass"
    away = _run(_cancelling(1.5e-294, 1e-309)[0], lambda data, grad: None)  # +-7e-310: one sign only
    assert away.verdict == "pass", away.render()


def test_a_subnormal_gradient_spread_past_min_normal_is_never_decided() -> None:
    """Exact 2e-308 (subnormal), correct engines anywhere in about [1.4e-308, 2.7e-308]: past
    SUBNORMAL_SPREAD no float64 engine resolves it, so a gradient 25% off is not a pass."""
    program, exact = _cancelling(1.5e-293, 2e-308)
    report = _run(program, lambda data, grad: grad.__setitem__(0, 1.25 * exact))
    assert report.verdict == "inconclusive", report.render()
    assert "cancellation" in report.inputs[0].note


def test_a_subnormal_gradient_a_correct_rule_moves_within_its_spread_passes() -> None:
    """Exact 5e-309, correct engines within about +-7e-310 of it (magnitude 5.7e-309, between
    SUBNORMAL_SPREAD / 10 and SUBNORMAL_SPREAD): our engine's 1 - tanh**2 lands off the exact value
    and passes, its sign flip is far outside."""
    program, exact = _cancelling(1.5e-294, 5e-309)
    report = _run(program, lambda data, grad: None)
    assert report.inputs[0].autograd != exact and report.verdict == "pass", report.render()


# ---- a library's underflow: a true value far below the smallest subnormal is 0.0 everywhere ----

def _zeroed(fraction: float) -> bool:
    """Is a true value of ``fraction`` * 5e-324 exactly 0.0 in every correct library?"""
    with workprec(256):
        got = floats._library(ball(5e-324) * fraction)
    return got.lo == got.hi == 0.0


def test_a_true_value_just_below_underflowed_is_zero_and_just_above_it_is_not() -> None:
    """UNDERFLOWED is 2**-20 of the smallest subnormal: 2**-21 of it is 0.0 in every library, while
    at 2**-19 a library within a few ulps may still give the smallest subnormal."""
    assert _zeroed(2.0**-21)
    assert not _zeroed(2.0**-19)


# ---- blame: a reused node that kept all but one contribution names the consumer ----

_THREE_USES = Program((("x", 0.7),), (
    Step("mul", (0, Const(3.0))), Step("mul", (0, Const(5.0))), Step("mul", (0, Const(7.0))),
    Step("add", (1, 2)), Step("add", (4, 3))))
"""x feeds v1 = 3x, v2 = 5x and v3 = 7x: its gradient is 3 + 5 + 7 = 15."""


def test_three_consumers_one_dropped_names_the_consumer() -> None:
    """x's gradient 8 lacks v3's 7: v3 is named, with what it was and what it should be."""
    report = _run(_THREE_USES, lambda data, grad: grad.__setitem__(0, 8.0))
    lost = [f for f in report.faults if f.kind == "lost-contribution"]
    assert lost, report.render()
    fault = lost[0]
    assert (fault.slot, fault.name, fault.op, fault.culprit) == (0, "x", "mul", 3), fault
    assert (fault.operands, fault.expected, fault.actual) == ((0.7, 7.0), "15.0", 8.0), fault
    assert fault.message.startswith("v3 = x * 7.0 at x = 0.7 gave x no gradient: x is used 3 times"), fault
    assert fault.message.endswith("its gradient 8.0 is the sum of all the other contributions; exactly 15.0")


def test_three_consumers_one_kept_alone_names_the_consumer() -> None:
    """x's gradient 7 is v3's contribution alone: v3 overwrote the others."""
    report = _run(_THREE_USES, lambda data, grad: grad.__setitem__(0, 7.0))
    fault = report.faults[0]
    assert (fault.kind, fault.slot, fault.name, fault.op, fault.culprit) == (
        "lost-contribution", 0, "x", "mul", 3), report.render()
    assert (fault.operands, fault.expected, fault.actual) == ((0.7, 7.0), "15.0", 7.0), fault
    assert "its gradient 7.0 is the contribution of v3 alone; exactly 15.0: v3's backward" in fault.message


# ---- per-node checks: the forward value and the adjoint of each node, at the engine's own numbers ----

def test_a_wrong_forward_value_is_a_forward_fault_at_its_node() -> None:
    """v1 = x * y off by 1e-9 (relative), gradients right: the node's value check names v1."""
    program = Program((("x", 0.7), ("y", 1.3)), (Step("mul", (0, 1)),))
    report = _run(program, lambda data, grad: data.__setitem__(2, data[2] * (1 + 1e-9)))
    assert [(f.kind, f.slot) for f in report.faults] == [("forward", 2)], report.render()


def test_a_wrong_partial_is_blamed_on_its_node() -> None:
    """tanh' taken as 1 - x**2 instead of 1 - tanh(x)**2: the adjoint check blames tanh, not just x."""
    program = Program((("x", 0.7),), (Step("tanh", (0,)), Step("mul", (1, Const(3.0)))))
    report = _run(program, lambda data, grad: grad.__setitem__(0, 3.0 * (1 - 0.7**2)))
    assert report.verdict == "fail"
    assert [(f.kind, f.op) for f in report.faults] == [("wrong-rule", "tanh")], report.render()


# ---- printing: "0 (|x| < bound)" with a bound that holds ----

_RADII = [m * 10.0**e for e in (-300, -40, -3, 5)
          for m in (1.01, 1.03, 1.04, 1.049, 1.3, 2.04, 4.95, 9.4, 9.96)]


@pytest.mark.parametrize("radius", _RADII)
def test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it(radius: float) -> None:
    shown = text(arb(0, radius), 34)
    found = re.fullmatch(r"0 \(\|x\| < (.*)\)", shown)
    assert found, shown
    bound = mpmath.mpf(found.group(1))
    assert bound >= mpmath.mpf(radius), f"{shown}: below the radius {radius!r}"
    assert bound <= 1.25 * mpmath.mpf(radius), f"{shown}: far above the radius {radius!r}"


_HERE = "tests/test_guards.py::"
_INCOMPLETE = ('    """How the adjoint consumer ``c`` passed on was incomplete, if it was: \'\' '
               'otherwise."""\n')

PLANTS = [
    Plant("verify/judge/verdict.py", "OVERFLOW = 1.7976931348623157e308 / 16\n",
          "OVERFLOW = 1.7976931348623157e308 / 16e3\n",
          _HERE + "test_an_inf_gradient_of_x_times_2_at_1e305_fails",
          "the overflow excuse loosened 1000x"),
    Plant("verify/judge/verdict.py", "OVERFLOW = 1.7976931348623157e308 / 16\n",
          "OVERFLOW = 1.7976931348623157e308 / 160\n",
          _HERE + "test_an_inf_gradient_just_inside_the_overflow_excuse_fails",
          "OVERFLOW loosened 10x"),
    Plant("verify/judge/verdict.py", "or step.op not in STEPPED:", ":",
          _HERE + "test_a_sign_flipped_gradient_through_tiny_mul_adjoints_fails",
          "the underflow excuse applied to every op"),
    Plant("verify/judge/verdict.py", "    if ex.unsure:\n        open_slots = set(slots)\n", "",
          _HERE + "test_relu_of_sqrt2_squared_minus_2_plus_x_is_inconclusive",
          "the certification step dropped"),
    Plant("verify/judge/verdict.py", "SUBNORMAL_SPREAD = MIN_NORMAL\n",
          "SUBNORMAL_SPREAD = MIN_NORMAL * 1000\n",
          _HERE + "test_a_subnormal_gradient_spread_past_min_normal_is_never_decided",
          "the subnormal-gradient threshold raised 1000x"),
    Plant("verify/judge/verdict.py", "SUBNORMAL_SPREAD = MIN_NORMAL\n",
          "SUBNORMAL_SPREAD = MIN_NORMAL * 10\n",
          _HERE + "test_a_subnormal_gradient_spread_past_min_normal_is_never_decided",
          "SUBNORMAL_SPREAD loosened 10x"),
    Plant("verify/judge/verdict.py", "SUBNORMAL_SPREAD = MIN_NORMAL\n",
          "SUBNORMAL_SPREAD = MIN_NORMAL / 10\n",
          _HERE + "test_a_subnormal_gradient_a_correct_rule_moves_within_its_spread_passes",
          "SUBNORMAL_SPREAD tightened 10x"),
    Plant("verify/judge/verdict.py", "MIN_NORMAL = 2.2250738585072014e-308",
          "MIN_NORMAL = 2.2250738585072014e-305",
          _HERE + "test_a_subnormal_gradient_spread_past_min_normal_is_never_decided",
          "the smallest normal float raised 1000x"),
    Plant("verify/judge/blame.py", "        if (term.magnitude > tol + CLOSE * abs(g)\n",
          "        if (False and term.magnitude > tol + CLOSE * abs(g)\n",
          _HERE + "test_three_consumers_one_dropped_names_the_consumer",
          "blame's all-but-one contribution check removed"),
    Plant("verify/judge/floats.py", "UNDERFLOWED = 2.0**-20\n", "UNDERFLOWED = 2.0**-20 * 10\n",
          _HERE + "test_a_true_value_just_below_underflowed_is_zero_and_just_above_it_is_not",
          "UNDERFLOWED loosened 10x"),
    Plant("verify/judge/floats.py", "UNDERFLOWED = 2.0**-20\n", "UNDERFLOWED = 2.0**-20 / 10\n",
          _HERE + "test_a_true_value_just_below_underflowed_is_zero_and_just_above_it_is_not",
          "UNDERFLOWED tightened 10x"),
    Plant("verify/judge/local.py", "            result.forward_faults.append(s)\n", "            pass\n",
          _HERE + "test_a_wrong_forward_value_is_a_forward_fault_at_its_node",
          "the per-node forward check removed"),
    Plant("verify/judge/local.py", "                mismatches.append(s)\n", "                pass\n",
          _HERE + "test_a_wrong_partial_is_blamed_on_its_node",
          "the per-node adjoint check removed"),
    Plant("verify/judge/blame.py", "        if (g != 0 and term.distance(g)",
          "        if (False and term.distance(g)",
          "tests/test_verify_blame.py::test_missing_accumulation_on_a_reused_node",
          "blame's one-contribution-alone check removed"),
    Plant("verify/judge/blame.py", _INCOMPLETE, _INCOMPLETE + '    return ""\n',
          "tests/test_verify_blame.py::test_wrong_traversal_order",
          "blame's traversal-order check removed"),
    Plant("verify/oracle/ball.py", "ZERO_BOUND_RAISE = 1.1\n", "ZERO_BOUND_RAISE = 1.0\n",
          _HERE + "test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",
          "the x1.1 raise before printing a zero's bound removed"),
    Plant("verify/oracle/ball.py", "ZERO_BOUND_RAISE = 1.1\n", "ZERO_BOUND_RAISE = 11.0\n",
          _HERE + "test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",
          "the x1.1 raise before printing a zero's bound made 10x looser"),
    Plant("verify/oracle/ball.py", "ZERO_BOUND_RAISE = 1.1\n", "ZERO_BOUND_RAISE = 1.01\n",
          _HERE + "test_a_printed_zero_bound_is_at_least_the_ball_radius_and_close_to_it",
          "the x1.1 raise before printing a zero's bound made 10x tighter"),
]
