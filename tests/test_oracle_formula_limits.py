"""The gradient formula is printed only for small programs: its size, depth and constant limits, exactly
at each edge, and the names a partial's formula is written over."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from verify.oracle.calculus import formula
from verify.oracle.formula import MAX_DEPTH, MAX_TREE, SHORT, formulas, input_symbols
from verify.program import Const, Program, Step


def chain(length: int) -> Program:
    """sin(sin(...sin(x))): nesting depth ``length``."""
    return Program((("x", 0.5),), tuple(Step("sin", (i,)) for i in range(length)))


def sized(size: int) -> Program:
    """A program whose tree (sharing expanded) has exactly ``size`` nodes (size even, at least 192), few deep.

    x squared 6 times is a tree of 127 nodes; sin of it 128; 5 times, 63; their sum 192; each
    ``+ 1.0`` after adds 2 (the sum and the constant).
    """
    assert size % 2 == 0 and size >= 192
    steps = [Step("mul", (0, 0))] + [Step("mul", (i, i)) for i in range(1, 6)]  # slots 1..6: 3, 7, ..., 127
    steps += [Step("sin", (6,)), Step("add", (7, 5))]  # slot 7: 128; slot 8: 128 + 63 + 1
    steps += [Step("add", (8 + k, Const(1.0))) for k in range((size - 192) // 2)]
    return Program((("x", 0.5),), tuple(steps))


def shown(program: Program) -> bool:
    return bool(formulas(program, [0]))


def in_a_thread(program: Program) -> bool:
    """``shown`` where no clock can stop SymPy (not the main thread): the limits are quartered."""
    out: list[bool] = []
    worker = threading.Thread(target=lambda: out.append(shown(program)))
    worker.start()
    worker.join()
    return out[0]


def test_the_depth_limit_is_inclusive() -> None:
    assert MAX_DEPTH == 24
    assert shown(chain(MAX_DEPTH)) and not shown(chain(MAX_DEPTH + 1))


def test_the_size_limit_is_inclusive_and_counts_each_constant_once() -> None:
    assert MAX_TREE == 200
    assert shown(sized(MAX_TREE)) and not shown(sized(MAX_TREE + 2))
    program = sized(MAX_TREE)
    assert not shown(Program(program.inputs, (*program.steps, Step("sin", (program.size - 1,)))))  # 201


def test_without_a_clock_the_limits_are_a_quarter() -> None:
    assert in_a_thread(chain(MAX_DEPTH // 4)) and not in_a_thread(chain(MAX_DEPTH // 4 + 1))
    # x + 1.0 + 1.0 + ...: 49 nodes, 24 deep
    small = Program((("x", 0.5),), tuple(Step("add", (0 if k == 0 else k, Const(1.0))) for k in range(24)))
    assert shown(small) and not in_a_thread(small)  # 49 nodes, but 24 deep: over a quarter of the depth
    wide = [Step("mul", (0, 0))] + [Step("mul", (i, i)) for i in range(1, 4)]  # 31 nodes, 4 deep
    wide += [Step("add", (4, Const(1.0))), Step("mul", (5, 5))]  # 33 nodes, 5 deep; then 67, 6 deep
    assert not in_a_thread(Program((("x", 0.5),), tuple(wide))) and shown(Program((("x", 0.5),), tuple(wide)))
    assert in_a_thread(Program((("x", 0.5),), tuple(wide[:-1])))  # 33 nodes, 5 deep
    # exactly a quarter of MAX_TREE, 6 deep: x**16 (31 nodes) + sin(x**8) (16) + 1.0
    quarter = [Step("mul", (0, 0)), Step("mul", (1, 1)), Step("mul", (2, 2)), Step("mul", (3, 3)),
               Step("sin", (3,)), Step("add", (4, 5)), Step("add", (6, Const(1.0)))]
    assert in_a_thread(Program((("x", 0.5),), tuple(quarter)))
    assert not in_a_thread(Program((("x", 0.5),), (*quarter, Step("add", (7, Const(1.0))))))  # 52, 7 deep


@pytest.mark.parametrize(("constant", "short"), [
    (float(SHORT - 1), True), (float(SHORT), False), (-float(SHORT), False), (3e6, False),
    (2.0**-19, True), (2.0**-20, False), (0.1, False), (1.5, True),
])
def test_a_constant_prints_as_a_short_fraction_or_no_formula_is_shown(constant: float, short: bool) -> None:
    program = Program((("x", 0.5),), (Step("mul", (0, Const(constant))),))
    assert shown(program) == short


@pytest.mark.parametrize(("op", "constants", "i", "operands", "want"), [
    ("mul", (), 0, ["-x", "y"], "y"),
    ("mul", (), 1, ["-x", "y"], "(-x)"),  # a negative name is bracketed
    ("powi", ((1, 3.0),), 0, ["-x", "3"], "3*(-x)**2"),  # the exponent fixed, not a symbol
    ("sub", (), 1, ["a", "b"], "-1"),
])
def test_a_partials_formula_is_written_over_the_operands_names(op: str, constants: Any, i: int,
                                                               operands: list[str], want: str) -> None:
    assert formula(op, constants, i, operands) == want


def test_sympy_out_of_time_shows_no_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.oracle import formula as module

    # a formula no other test asks SymPy for (its cache would answer at once), small enough to print
    program = Program((("timed", 0.75),), tuple(Step("cos", (i,)) for i in range(MAX_DEPTH)))
    monkeypatch.setattr(module, "SECONDS", 1e-4)  # the clock stops SymPy at once: no formula, no error
    assert formulas(program, [0]) == {}


@pytest.mark.parametrize(("x", "sign"), [(0.5, "positive"), (-0.5, "negative"), (0.0, "real")])
def test_each_input_symbol_knows_the_sign_of_its_value(x: float, sign: str) -> None:
    [symbol] = input_symbols(Program((("x", x),), (Step("sin", (0,)),)))
    assert symbol.name == "x" and symbol.is_real is True
    assert (symbol.is_positive, symbol.is_negative) == {"positive": (True, False), "negative": (False, True),
                                                        "real": (None, None)}[sign]
