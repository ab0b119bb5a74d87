"""What the judge reads from its caller (``judge.given``), at each edge: an int too big for a float is
the infinity of its sign, a bool or a string is refused by name, a slot one past the end is refused,
and data or grad of the wrong length alone is refused."""

from __future__ import annotations

import math

import pytest

from verify.judge.given import as_floats, checked_slots
from verify.program import Program, Step

PROGRAM = Program((("x", 0.5), ("y", 2.0)), (Step("mul", (0, 1)),))  # slots 0, 1 and 2


def test_numbers_are_read_as_floats_and_an_int_past_float64_as_its_signed_infinity() -> None:
    got = as_floats([10**400, -(10**400), 3, 2.5, None, 0], "grad")
    assert got == [math.inf, -math.inf, 3.0, 2.5, None, 0.0]
    assert all(type(v) is float for v in got if v is not None)


@pytest.mark.parametrize(("bad", "kind"), [(True, "bool"), ("1.0", "str"), (1j, "complex")])
def test_anything_not_a_real_number_is_refused_by_slot_and_type(bad: object, kind: str) -> None:
    with pytest.raises(TypeError) as raised:
        as_floats([1.0, bad], "data")
    assert str(raised.value) == f"slot 1's data is a {kind}, not a float"


def test_slots_up_to_the_last_are_taken_and_one_past_it_is_refused() -> None:
    assert checked_slots(PROGRAM, [0.0] * 3, [0.0] * 3, None) == [0, 1]
    assert checked_slots(PROGRAM, [0.0] * 3, [0.0] * 3, [2, 0]) == [2, 0]
    for bad in (3, -1, 1.0):
        with pytest.raises(ValueError) as raised:
            checked_slots(PROGRAM, [0.0] * 3, [0.0] * 3, [bad])  # type: ignore[list-item]
        assert str(raised.value) == f"input slot {bad!r} is not a slot of the program (0..2)"


@pytest.mark.parametrize(("data", "grad"), [(2, 3), (3, 4), (4, 4)])
def test_data_or_grad_of_another_length_is_refused(data: int, grad: int) -> None:
    with pytest.raises(ValueError) as raised:
        checked_slots(PROGRAM, [0.0] * data, [0.0] * grad, None)
    assert str(raised.value) == f"the program has 3 slots but data has {data} and grad {grad}"
