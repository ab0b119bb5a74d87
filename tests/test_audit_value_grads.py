"""A ``.grad`` that is not a plain float: a Value of the engine is read through its ``.data``; a
gradient that is no number at all (None) is reported once, and the values are still judged.

Real engines (``tests/engines/zoo/valuegrads.py``, ``unreadable.py``) in the real worker.
"""

from __future__ import annotations

import sys
from pathlib import Path

from verify.audit.api import audit
from verify.audit.engine.reading import held_value, read_field
from verify.audit.engine.sandbox import EngineProcess
from verify.audit.trial import Lab
from verify.program import Program, Step

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
sys.path.insert(0, str(ZOO))


def test_a_correct_engine_whose_gradients_are_values_passes() -> None:
    result = audit(f"{ZOO / 'valuegrads.py'}:GradValues", max_examples=10)
    assert result.findings == [] and result.exit_code == 0, result.render()
    depth = result.campaign.depth  # the depth probe reads the Values too
    assert depth.checked and depth.failure is None and depth.works_to >= 100_000
    assert result.survey.twice.get("first") == 4.0  # so does backward() twice: d(x*x + x) at 1.5


def test_a_wrong_value_in_an_op_whose_gradients_are_values_is_found() -> None:
    result = audit(f"{ZOO / 'valuegrads.py'}:GradValuesSigmoidSign", ops=["sigmoid", "add", "mul"],
                   max_examples=10)
    assert [(f.kind, f.op) for f in result.findings] == [("forward", "sigmoid")], result.render()
    assert result.findings[0].steps <= 3 and result.exit_code == 1


def test_a_value_gradient_is_its_data_and_nothing_else_is() -> None:
    valuegrads = __import__("valuegrads")
    x = valuegrads.GradValues(2.0)
    y = x * 3.0
    y.backward()
    assert type(x.grad) is valuegrads.GradValues and held_value(x, x.grad) == 3.0
    unreadable: list = []  # type: ignore[type-arg]
    assert read_field(x, "grad", 0, unreadable) == 3.0 and unreadable == []
    # a number, None, a string, an object of no engine class: not a Value holding a gradient
    for other in (3.0, None, "3.0", object(), 3j):
        assert held_value(x, other) is None
    box = type("Box", (), {"data": 3.0})()
    assert held_value(x, box) is None  # .data on a foreign object is not read
    nested = valuegrads.GradValues("3.0")
    assert held_value(x, nested) is None  # a Value whose .data is no number
    assert read_field(x, "data", 0, unreadable) == 2.0
    x.data = valuegrads.GradValues(2.0)
    assert read_field(x, "data", 0, unreadable) is None and unreadable  # only .grad is read through


def test_where_gradients_are_unreadable_a_wrong_value_is_still_found() -> None:
    # relu's gradient is None exactly where its forward is wrong (x < 0): once the values could
    # not be judged there, and the wrong forward was never reported
    result = audit(f"{ZOO / 'valuegrads.py'}:NoneGradsLeakyRelu", ops=["relu", "add", "mul"], max_examples=10)
    found = [(f.kind, f.op) for f in result.findings]
    assert ("forward", "relu") in found and any(kind == "unreadable" for kind, _ in found), result.render()
    forward = next(f for f in result.findings if f.kind == "forward")
    assert forward.steps <= 3 and forward.program.inputs[0][1] < 0


def test_an_unreadable_gradient_with_right_values_stays_unreadable() -> None:
    relu = Program((("x", -0.43),), (Step("relu", (0,)),))
    with EngineProcess(f"{ZOO / 'unreadable.py'}:NoneWhenZero", 10.0) as engine:
        assert Lab(engine).check(relu).verdict == "unreadable"
    with EngineProcess(f"{ZOO / 'valuegrads.py'}:NoneGradsLeakyRelu", 10.0) as engine:
        a = Lab(engine).check(relu)
        assert a.verdict == "fail" and a.fault is not None and a.fault.kind == "forward"


def test_gradients_that_are_text_everywhere_are_reported_once_and_the_audit_goes_on() -> None:
    result = audit(f"{ZOO / 'unreadable.py'}:GradAsText", ops=["add", "mul", "relu"], max_examples=10)
    assert [(f.kind, f.op) for f in result.findings] == [("unreadable", "")], result.render()
    assert result.campaign.stopped == "" and sum(result.campaign.battery.values()) > 50
    assert "only the values are judged" in result.findings[0].message
