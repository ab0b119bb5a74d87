"""The fragile note (``judge.lossy``) by its exact text: which step it names, for which operand, and
where it says nothing (an operand with another consumer, a step no textbook formula covers)."""

from __future__ import annotations

import pytest

from micrograd import Value
from verify import check, check_run
from verify.program import Const, Program, Step


def tanh_300(name: str, arg: str, x: float) -> str:
    """The start of the note for ``name = arg.tanh()`` at x (300 or more): the rule lost every digit."""
    return (f"fragile: {name} = {arg}.tanh() at {arg} = {x}: tanh's rule 1 - t*t gives 0.0 for the gradient "
            "of operand 0")


def named(notes: list[str]) -> list[str]:
    """Each note up to its operand, after checking it says all 16 digits were lost."""
    assert all("losing 16 of 16 digits" in n for n in notes)
    return [n[: n.index(" here too")] for n in notes]


def fragile(y: Value, **inputs: Value) -> list[str]:
    y.backward()
    return [n for n in check(y, inputs=inputs).notes if n.startswith("fragile: ")]


def test_a_tanh_whose_rule_lost_every_digit_is_named_with_its_operand() -> None:
    x = Value(300.0)
    assert named(fragile(x.tanh() * 1e300, x=x)) == [tanh_300("v1", "x", 300.0)]


def test_a_step_no_textbook_formula_covers_is_passed_over_not_the_end() -> None:
    # x * 1.0 (mul has no textbook formula) comes first; the tanh after it is still named
    x = Value(300.0)
    assert named(fragile((x * 1.0).tanh() * 1e300, x=x)) == [tanh_300("v2", "v1", 300.0)]


def test_every_lossy_step_gets_its_own_note() -> None:
    x, z = Value(300.0), Value(400.0)
    assert named(fragile(x.tanh() * 1e300 + z.tanh() * 1e300, x=x, z=z)) == [
        tanh_300("v1", "x", 300.0), tanh_300("v3", "z", 400.0)]


def test_an_operand_with_another_consumer_is_not_blamed_on_one_formula() -> None:
    # x's gradient is tanh's contribution plus x * 0's: the same 0.0 that 1 - t*t gives, yet not its alone
    x = Value(300.0)
    assert fragile(x.tanh() * 1e300 + x * 0.0, x=x) == []
    x = Value(300.0)
    assert fragile(x * 0.0 + x.tanh() * 1e300, x=x) == []


def test_the_formula_is_run_with_the_steps_own_upstream_gradient() -> None:
    # tanh at 10 times 3: 1 - t*t keeps 8 of 16 digits, and the engine's number is that times 3 (not 1)
    x = Value(10.0)
    [note] = fragile(x.tanh() * 3.0, x=x)
    start = tanh_300("v1", "x", 10.0).replace("gives 0.0", f"gives {x.grad!r}")
    assert x.grad != 0.0 and note.startswith(start + " here too, losing 8 of 16 digits; robust: ")


# tanh(y) * 2 and 1 / y beside tanh(x) * 1e300 at x = 300: only x's tanh lost its digits
_BESIDE = Program((("y", 0.5), ("x", 300.0)), (
    Step("tanh", (0,)), Step("mul", (2, Const(2.0))), Step("tanh", (1,)), Step("mul", (4, Const(1e300))),
    Step("div", (Const(1.0), 0)), Step("add", (3, 5)), Step("add", (7, 6))))


@pytest.mark.parametrize("missing", ["nothing", "the gradient of tanh(y)", "the value of y"])
def test_a_step_without_an_engine_number_or_with_a_constant_is_passed_over(missing: str) -> None:
    slots = _BESIDE.run(Value)
    data: list[float | None] = [s.data for s in slots]
    grad: list[float | None] = [s.grad for s in slots]
    if missing == "the gradient of tanh(y)":
        grad[2] = None
    elif missing == "the value of y":
        data[0] = None
    report = check_run(_BESIDE, data, grad)
    assert report.verdict == "pass"
    assert named([n for n in report.notes if n.startswith("fragile: ")]) == [tanh_300("v3", "x", 300.0)]


def test_a_step_at_an_operand_without_an_engine_value_gets_no_note() -> None:
    # x / y with no engine value for x: d/dx = 1 / y needs no x, and the engine's 1.0 is what x * y**-1
    # gives with v1's (wrong) gradient 2, 16 digits off the exact 0.5; yet a formula at an operand the
    # engine never gave is no explanation: only the tanh is named
    program = Program((("x", 3.0), ("y", 2.0), ("z", 300.0)), (
        Step("div", (0, 1)), Step("tanh", (2,)), Step("mul", (4, Const(1e300))), Step("add", (3, 5))))
    slots = program.run(Value)
    data: list[float | None] = [s.data for s in slots]
    grad: list[float | None] = [s.grad for s in slots]
    data[0], grad[3], grad[0] = None, 2.0, 1.0
    report = check_run(program, data, grad)
    assert report.verdict == "fail"
    assert named([n for n in report.notes if n.startswith("fragile: ")]) == [tanh_300("v2", "z", 300.0)]


def test_a_division_by_a_constant_numerator_is_named_for_its_divisor() -> None:
    # 3 / y passed v1's (wrong) gradient 2 on as x * y**-1 does, -1.5 for y: operand 0 (the constant)
    # is passed over and operand 1 named
    program = Program((("y", 2.0), ("z", 300.0)), (
        Step("div", (Const(3.0), 0)), Step("tanh", (1,)), Step("mul", (3, Const(1e300))),
        Step("add", (2, 4))))
    slots = program.run(Value)
    grad: list[float | None] = [s.grad for s in slots]
    grad[2], grad[0] = 2.0, 2.0 * slots[0].grad
    notes = [n for n in check_run(program, [s.data for s in slots], grad).notes if n.startswith("fragile: ")]
    assert [n[: n.index(":", len("fragile: "))] for n in notes] == ["fragile: v1 = 3.0 / y at y = 2.0",
                                                                    "fragile: v2 = z.tanh() at z = 300.0"]
    assert "power rule k * y**(k - 1) gives -1.5 for the gradient of operand 1 here too" in notes[0]
