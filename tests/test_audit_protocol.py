"""The worker's answers (verify/audit/engine/protocol.py): what a run reports, checked field by field.

The campaign reads these: every slot's data and grad as floats, an Unreadable
entry for each value that is not a real number, the slot that raised, the
engine's own frame, and the time each pass took.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from verify.audit.engine import answers
from verify.audit.engine.answers import (
    BackwardAnswer,
    DepthAnswer,
    LeafAnswer,
    OpAnswer,
    ProbeRaised,
    TwiceAnswer,
    TypesAnswer,
)
from verify.audit.engine.protocol import (
    EngineError,
    Frame,
    ProtocolViolation,
    Ready,
    RunAnswer,
    Unreadable,
    program_from_wire,
    program_to_wire,
)
from verify.audit.engine.sandbox import EngineProcess
from verify.audit.engine.worker import real
from verify.program import Const, Program, Step

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
SANDBOX = ROOT / "tests" / "engines" / "sandbox"

MUL = Program((("x", 2.0), ("y", 3.0)), (Step("mul", (0, 1)),))


# ---- the wire form ----

def test_a_run_answer_survives_the_wire() -> None:
    unreadable = (Unreadable(1, "data", "str", "'a'", "a"),)
    answer = RunAnswer("backward", None, (1.0, None, math.inf), (), unreadable,
                       EngineError("ZeroDivisionError", "float division by zero",
                                   Frame("/e/engine.py", 12, "_backward", "self.grad += 1 / x")),
                       0.25, 0.5)
    again = RunAnswer.from_wire(answer.to_wire())
    assert again == answer and again.seconds == 0.75
    assert again.error is not None
    assert str(again.error.frame) == "/e/engine.py:12 in _backward: self.grad += 1 / x"
    assert again.error.text == "ZeroDivisionError: float division by zero"


@pytest.mark.parametrize("change", [
    {"stage": "finished"},
    {"stage": "forward"},  # a forward failure names its slot
    {"slot": 1},  # and only a forward failure
    {"slot": True, "stage": "forward"},
    {"data": ["1.0"]},
    {"grad": [True]},
    {"grad": "3.0"},
    {"error": {"type": "E", "message": "m"}},  # a finished run has no error
    {"unreadable": [{"slot": 0, "field": "value", "type": "str", "repr": "''"}]},
    {"seconds": {"forward": -1.0}},
    {"seconds": {"forward": math.nan}},
])
def test_a_malformed_answer_is_refused(change: dict[str, Any]) -> None:
    wire = RunAnswer("done", None, (2.0, 3.0, 6.0), (3.0, 2.0, 1.0)).to_wire()
    wire.update(change)
    with pytest.raises(ProtocolViolation):
        RunAnswer.from_wire(wire)


def test_programs_and_ready_survive_the_wire() -> None:
    program = Program((("x", -0.0), ("y", 1e300)),
                      (Step("mul", (0, 1)), Step("sub", (Const(2.5), 2)), Step("powi", (3, Const(3.0)))))
    assert program_from_wire(program_to_wire(program)) == program
    ready = Ready("Value", "/e/engine.py", "engine", "/e/engine.py", "import", ("a note",))
    assert Ready.from_wire(ready.to_wire()) == ready
    with pytest.raises(ProtocolViolation):
        program_from_wire({"inputs": [["x", "1.0"]], "steps": []})


@pytest.mark.parametrize(("value", "read"), [
    (1.5, 1.5), (3, 3.0), (-0.0, -0.0), (math.inf, math.inf), (2**2000, None),
    (None, None), ("2.0", None), (b"2", None), (True, None), (1 + 0j, None), (object(), None),
])
def test_what_counts_as_a_real_number(value: object, read: float | None) -> None:
    got = real(value)
    assert got == read and (got is None or type(got) is float)
    assert real(math.nan) is not None and math.isnan(real(math.nan))


# ---- what the worker reports ----

def test_a_finished_run_reads_every_slot_and_times_both_passes() -> None:
    with EngineProcess(f"{ZOO / 'base.py'}:Value", 5.0) as engine:
        answer = engine.run(MUL)
    assert (answer.stage, answer.data, answer.grad, answer.unreadable) == ("done", (2.0, 3.0, 6.0),
                                                                          (3.0, 2.0, 1.0), ())
    assert answer.forward_seconds > 0 and answer.backward_seconds > 0


@pytest.mark.parametrize(("spec", "program", "unreadable"), [
    ("unreadable.py:NoneWhenZero", Program((("x", -1.0),), (Step("relu", (0,)),)),
     [(0, "grad", "NoneType", "None")]),
    ("unreadable.py:GradAsText", MUL,
     [(0, "grad", "str", "'3.0000'"), (1, "grad", "str", "'2.0000'"), (2, "grad", "str", "'1.0000'")]),
    ("unreadable.py:ComplexSqrtGrad", Program((("x", 4.0),), (Step("sqrt", (0,)),)),
     [(0, "grad", "complex", "(0.25+0j)")]),
])
def test_values_that_are_not_real_numbers_are_unreadable_entries(
        spec: str, program: Program, unreadable: list[tuple[int, str, str, str]]) -> None:
    with EngineProcess(f"{ZOO / spec}", 5.0) as engine:
        answer = engine.run(program)
    assert answer.stage == "done"
    assert [(u.slot, u.field, u.type, u.repr) for u in answer.unreadable] == unreadable
    for u in answer.unreadable:
        assert answer.grad[u.slot] is None
    if "GradAsText" in spec:
        assert answer.unreadable[0].printed == "3.0000"  # what print() shows: a snippet compares it


def test_bools_are_unreadable_nan_and_ints_are_numbers() -> None:
    spec = f"{SANDBOX / 'misbehaving.py'}"
    with EngineProcess(f"{spec}:BoolGrads", 5.0) as engine:
        assert {u.type for u in engine.run(MUL).unreadable} == {"bool"}
    with EngineProcess(f"{spec}:NanGrads", 5.0) as engine:
        answer = engine.run(MUL)
        assert answer.unreadable == () and all(math.isnan(g) for g in answer.grad)
    with EngineProcess(f"{spec}:IntGrads", 5.0) as engine:
        answer = engine.run(MUL)
        assert answer.unreadable == () and answer.grad == (3.0, 2.0, 1.0)


@pytest.mark.parametrize(("spec", "program", "stage", "slot", "kind", "function", "source"), [
    ("crashes.py:TanhNameError", Program((("x", 0.5),), (Step("add", (0, Const(1.0))), Step("tanh", (1,)))),
     "forward", 2, "NameError", "tanh", "math.tanh"),
    ("crashes.py:SigmoidBackwardNameError", Program((("x", 0.5),), (Step("sigmoid", (0,)),)),
     "backward", None, "NameError", "_backward", "self.grad +="),
    ("crashes.py:AbsSignByDivision", Program((("x", 0.0),), (Step("abs", (0,)),)),
     "backward", None, "ZeroDivisionError", "_backward", "/"),
])
def test_a_raise_names_the_stage_the_slot_and_the_engines_own_frame(
        spec: str, program: Program, stage: str, slot: int | None, kind: str, function: str,
        source: str) -> None:
    with EngineProcess(f"{ZOO / spec}", 5.0) as engine:
        answer = engine.run(program)
    assert (answer.stage, answer.slot) == (stage, slot)
    error = answer.error
    assert error is not None and error.type == kind
    assert error.frame is not None and error.frame.file == str(ZOO / "crashes.py")
    assert error.frame.function == function and source in error.frame.source, error.frame


def test_a_leaf_that_raises_is_an_input_slot() -> None:
    program = Program((("x", 1.0), ("y", 50.0)), (Step("mul", (0, 1)),))
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:RefusesLarge", 5.0) as engine:
        answer = engine.run(program)
    assert (answer.stage, answer.slot, answer.data) == ("forward", 1, (1.0,))
    assert answer.error is not None and "too large for an input" in answer.error.message
    assert answer.error.frame is not None and answer.error.frame.function == "__init__"


def test_the_probes_answer_typed() -> None:
    with EngineProcess(f"{ZOO / 'base.py'}:Value", 5.0) as engine:
        assert engine.probe("leaf") == LeafAnswer(())
        assert engine.probe("op", ("tanh", "f(x)")) == OpAnswer("works", "")
        assert engine.probe("depth", 100) == DepthAnswer(True, grad=1.0, first_wrong=None)
        twice = engine.probe("twice")
        assert isinstance(twice, TwiceAnswer) and twice.first == 4.0
        missing = engine.probe("nonsense")
        assert isinstance(missing, ProbeRaised) and missing.error.type == "KeyError"


@pytest.mark.parametrize(("name", "wire"), [
    ("leaf", {"problems": "none"}),
    ("op", {"status": "fine", "reason": ""}),
    ("op", {"status": "crashes", "reason": "", "error": {"type": 3, "message": ""}}),
    ("backward", {"ok": "yes"}),
    ("depth", {"ok": True, "grad": "1", "first_wrong": None}),
    ("twice", {"first": None, "second": 1.0}),
    ("types", {"grads": [[0]], "data": [], "same": []}),
    ("nonsense", {"anything": 1}),
])
def test_a_malformed_probe_answer_is_a_protocol_violation(name: str, wire: dict[str, object]) -> None:
    with pytest.raises(ProtocolViolation):
        answers.read(name, wire)


def test_every_probe_answer_reads_back_what_it_wrote() -> None:
    error = EngineError("ValueError", "no", Frame("e.py", 3, "f", "raise ValueError('no')"))
    for answer in (LeafAnswer(("bad .grad",)), OpAnswer("crashes", "ValueError: no", error),
                   OpAnswer("absent", "no tanh"), BackwardAnswer(False, True, error),
                   BackwardAnswer(True, grads={"x": None, "y": "str '1'"}),
                   DepthAnswer(False, "backward", "RecursionError"),
                   DepthAnswer(True, grad=1.0, first_wrong=3), TwiceAnswer(4.0, 8.0),
                   TypesAnswer(((0, "None"),), ((2, "str 'x'"),), ((2, 0),)),
                   TypesAnswer(error=error, slot=1)):
        name = {LeafAnswer: "leaf", OpAnswer: "op", BackwardAnswer: "backward", DepthAnswer: "depth",
                TwiceAnswer: "twice", TypesAnswer: "types"}[type(answer)]
        assert answers.read(name, answer.to_wire()) == answer
    assert answers.read("op", ProbeRaised(error).to_wire()) == ProbeRaised(error)
