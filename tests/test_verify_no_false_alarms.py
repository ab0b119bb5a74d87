"""No false alarms: ill-conditioned points, kinks, alternative correct rules, random programs."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given

import verify
from micrograd import Value
from verify.program import Const, Program, Step
from verify.strategies import expressions


def _check(build):  # type: ignore[no-untyped-def]
    x = Value(build.at)
    out = build(x)
    out.backward()
    return verify.check(out)


CASES = {
    "tanh saturating": (10.0, lambda x: x.tanh()),
    "tanh saturated": (20.0, lambda x: x.tanh()),
    "sigmoid far right": (40.0, lambda x: x.sigmoid()),
    "sigmoid far left": (-40.0, lambda x: x.sigmoid()),
    "cancellation": (1.5, lambda x: (x + 1e16) - 1e16),
    "exp of log": (3.0, lambda x: x.log().exp()),
    "x minus x": (0.3, lambda x: x - x),
    "big product": (1e8, lambda x: x * x * x),
    "log near one": (1.0 + 2**-40, lambda x: x.log()),
    "cos near a zero": (math.pi / 2, lambda x: x.cos() * 3.0),
    "relu at its kink": (0.0, lambda x: x.relu() * 2.0),
    "abs at its kink": (0.0, lambda x: abs(x) + x),
    "kink reached by cancellation": (0.25, lambda x: (x - 0.25).relu() + x),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_false_alarm(name: str) -> None:
    at, build = CASES[name]
    x = Value(at)
    out = build(x)
    out.backward()
    report = verify.check(out)
    assert report.verdict in ("pass", "inconclusive"), report.render()
    if report.verdict == "inconclusive":
        assert any("ill-conditioned" in r.note for r in report.inputs), report.render()


def test_kinks_are_accepted_and_reported() -> None:
    x = Value(0.0)
    out = x.relu() * 2.0
    out.backward()
    report = verify.check(out)
    assert report.ok
    assert any("kink" in n and "[0.0, 1.0]" in n for n in report.notes)


def _relu_program() -> tuple[Program, list[float]]:
    program = Program((("x", 0.0),), (Step("relu", (0,)), Step("mul", (1, Const(2.0)))))
    return program, [0.0, 0.0, 0.0]


@pytest.mark.parametrize("convention", [0.0, 0.5, 1.0])
def test_any_derivative_between_the_one_sided_ones_is_accepted(convention: float) -> None:
    program, data = _relu_program()
    report = verify.check_run(program, data, [2.0 * convention, 2.0, 1.0])
    assert report.verdict == "pass", report.render()


def test_a_derivative_outside_the_one_sided_ones_fails() -> None:
    program, data = _relu_program()
    report = verify.check_run(program, data, [4.0, 2.0, 1.0])  # relu'(0) = 2
    assert report.verdict == "fail" and report.faults[0].op == "relu"


def test_outside_the_domain_is_undefined_not_a_fault() -> None:
    program = Program((("x", 0.0),), (Step("sqrt", (0,)),))  # sqrt'(0) is infinite
    report = verify.check_run(program, [0.0, 0.0], [None, 1.0])
    assert report.verdict == "undefined" and not report.ok and not report.faults


ALTERNATIVES = {
    "tanh via cosh": ("tanh", lambda out, x: 1.0 / math.cosh(x) ** 2),
    "tanh via output": ("tanh", lambda out, x: 1.0 - out**2),
    "sigmoid via output": ("sigmoid", lambda out, x: out * (1.0 - out)),
    "div via reciprocal": ("div", lambda out, x, y: (y**-1, -x * y**-2)),
}


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
@pytest.mark.parametrize("at", [-12.0, -3.0, -0.4, 1e-6, 0.7, 5.0, 19.0])
def test_equivalent_correct_rules_pass(plant_rule: Callable[..., None], name: str, at: float) -> None:
    op, grad = ALTERNATIVES[name]
    plant_rule(op, grad)
    x, y = Value(at), Value(1.3)
    out = (x.tanh() * y + x.sigmoid()) / (y + x * x)
    out.backward()
    report = verify.check(out)
    assert report.verdict != "fail", report.render()


def test_division_built_as_a_product_with_a_reciprocal_passes() -> None:
    # An engine whose x / y is x * y**-1: the program's div slot is the engine's product node.
    class Reciprocal(Value):
        __slots__ = ()

        def __truediv__(self, other):  # type: ignore[no-untyped-def, override]
            return self * other**-1

    program = Program((("x", 0.7), ("y", 3.0)), (Step("div", (0, 1)), Step("tanh", (2,))))
    slots = program.run(Reciprocal)
    report = verify.check_run(program, [s.data for s in slots], [s.grad for s in slots])
    assert report.verdict == "pass", report.render()


@pytest.mark.property
@given(expressions())
def test_our_engine_never_fails_on_random_programs(program: Program) -> None:
    slots = program.run(Value)
    report = verify.check_run(program, [s.data for s in slots], [s.grad for s in slots])
    assert report.verdict != "fail", report.render()


def _tanh_run(t: float) -> verify.Report:
    """tanh(x) at x = 0.001 as an engine reports it: forward t, gradient 1 - t**2."""
    program = Program((("x", 0.001),), (Step("tanh", (0,)),))
    return verify.check_run(program, [0.001, t], [1 - t * t, 1.0])


def test_a_forward_formula_that_loses_digits_is_a_note_not_a_fault() -> None:
    # micrograd's lecture computes tanh as (e^2x - 1) / (e^2x + 1): near 0 the
    # subtraction cancels and the value is off by about 1e-14, beyond rounding.
    e = math.exp(2 * 0.001)
    lecture = (e - 1) / (e + 1)
    assert abs(lecture - math.tanh(0.001)) > 8 * math.ulp(math.tanh(0.001))
    report = _tanh_run(lecture)
    assert report.verdict == "pass", report.render()
    assert any(note.startswith("imprecise forward: ") for note in report.notes)


def test_a_forward_value_off_by_a_thousandth_is_a_fault() -> None:
    report = _tanh_run(math.tanh(0.001) * (1 + 1e-3))
    assert report.verdict == "fail"
    assert (report.faults[0].kind, report.faults[0].op) == ("forward", "tanh")


def test_long_constants_leave_the_formula_unprinted_and_the_check_prompt() -> None:
    # pow of two values that come from cancellation, with constants such as 0.0091149...
    # (exact binary fractions over 2**59): SymPy spent minutes on exact powers of them.
    program = Program(
        (("y", 0.004993123180324568), ("z", 2000.01)),
        (Step("sub", (1, Const(0.009114922315664669))), Step("powi", (0, Const(-3.0))),
         Step("add", (3, Const(-8033098.741052009))), Step("add", (3, Const(-8033098.741052009))),
         Step("pow", (4, 5))),
    )
    slots = program.run(Value)
    report = verify.check_run(program, [s.data for s in slots], [s.grad for s in slots])
    assert report.verdict == "pass", report.render()
    assert all(row.formula is None for row in report.inputs)


def test_nested_sigmoids_of_rational_powers_are_checked_promptly() -> None:
    # SymPy's evalf of this printed formula ran for minutes; it is evaluated in mpmath now.
    x = Value(2.5)
    out = abs((x**-1.5).sigmoid().sigmoid().log())
    out.backward()
    report = verify.check(out)
    assert report.verdict == "pass", report.render()
    assert report.inputs[0].formula is not None
    assert not [n for n in report.notes if "printed formula" in n]


def test_a_formula_sympy_cannot_print_is_left_out_not_a_crash() -> None:
    # One input's derivative formula holds zoo, which SymPy's mpmath printer cannot write.
    program = Program(
        (("x", 3.0), ("y", 0.889178219214092), ("z", 9.845141245417153e-06)),
        (Step("pow", (1, 1)), Step("relu", (0,)), Step("relu", (2,)), Step("div", (1, 4)),
         Step("neg", (0,)), Step("tanh", (5,)), Step("relu", (6,)), Step("div", (1, 8)),
         Step("add", (9, 10))),
    )
    slots = program.run(Value)
    report = verify.check_run(program, [s.data for s in slots], [s.grad for s in slots])
    assert report.verdict == "pass", report.render()
