"""Root causes: an op the engine builds from its own ops is judged as that composition.

Real zoo engines in a real worker: ``Composed`` builds div, sub, neg, tanh and sigmoid from its
mul, add, pow and exp (correct); ``ComposedAbsMul`` plants one wrong rule in mul.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from verify.audit.api import audit
from verify.audit.composite import compositions, root_of, same_run
from verify.audit.trial import Outcome
from verify.program import Const, Program, Step

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
sys.path.insert(0, str(ZOO))


def test_a_wrong_mul_is_one_root_and_the_composites_follow_from_it() -> None:
    result = audit(f"{ZOO / 'composite.py'}:ComposedAbsMul", max_examples=20)
    roots = [f for f in result.findings if not f.follows_from]
    assert [(f.kind, f.op) for f in roots] == [("wrong-rule", "mul")], result.render()
    followers = [f for f in result.findings if f.follows_from]
    assert {f.op for f in followers} >= {"div", "sub", "neg"}, result.render()
    for f in followers:
        assert root_of(f, result.campaign.findings) == "mul", f
        assert f.built_as and f.steps <= 3
    assert result.findings[0] is roots[0]  # the headline is the root cause
    text = result.render()
    assert "follows from: mul: the engine builds div as x * y**-1" in text
    assert "follows from: mul (through neg): the engine builds sub as x + (-y)" in text
    document = result.to_dict()
    assert {f["follows_from"] for f in document["findings"]} == {"", "mul"}
    assert result.exit_code == 1


def test_a_correct_composite_tanh_and_sigmoid_get_no_fault() -> None:
    # its tanh is (exp(2x) - 1) / (exp(2x) + 1) from its own ops: their rounding is not a tanh bug
    result = audit(f"{ZOO / 'composite.py'}:Composed", max_examples=20)
    assert result.findings == [] and result.exit_code == 0, result.render()
    assert not any(f.kind == "wrong-rule" and not f.follows_from for f in result.fragilities)


def test_compositions_of_a_division_are_over_the_same_inputs() -> None:
    program = Program((("x", 0.43), ("y", -0.43)), (Step("div", (0, 1)),))
    built = {written: p for p, written in compositions(program)}
    assert built["x * y**-1"].steps == (Step("powi", (1, Const(-1.0))), Step("mul", (0, 2)))
    assert all(p.inputs == program.inputs for p in built.values())
    by_number = Program((("x", 0.43),), (Step("div", (0, Const(2.5))),))
    assert [p.steps for p, _ in compositions(by_number)] == [(Step("mul", (0, Const(0.4))),)]
    assert compositions(Program((("x", 0.43),), (Step("exp", (0,)),))) == []  # not a composite op


def test_bit_identical_means_every_bit() -> None:
    program = Program((("x", 0.43),), (Step("neg", (0,)),))
    a = Outcome(program, "done", data=[0.43, -0.43], grad=[-1.0, 1.0])
    b = Outcome(program, "done", data=[0.43, -0.43], grad=[-1.0, 1.0])
    c = Outcome(program, "done", data=[0.43, -0.43], grad=[math.nextafter(-1.0, 0.0), 1.0])
    assert same_run(a, b) and not same_run(a, c)
    assert not same_run(a, Outcome(program, "backward", data=[0.43, -0.43], grad=[None, None]))


# ---- equal values: nodes compared or hashed by value ----

def test_a_failure_that_needs_equal_values_is_one_finding_naming_the_cause() -> None:
    result = audit(f"{ZOO / 'graphs.py'}:EqualByData", max_examples=20)
    assert [(f.kind, f.op) for f in result.findings] == [("traversal", "")], result.render()
    assert "hashed by value" in result.findings[0].message


def test_an_engine_that_keeps_equal_nodes_apart_is_not_said_to_hash_by_value() -> None:
    from verify.audit.engine.sandbox import EngineProcess
    from verify.audit.equal import APART, EQUAL, by_value, equal_pairs
    from verify.audit.trial import Lab

    assert equal_pairs(EQUAL) and not equal_pairs(APART)
    with EngineProcess(f"{ZOO / 'base.py'}:Value", 10.0) as engine:
        assert not by_value(Lab(engine))
    with EngineProcess(f"{ZOO / 'graphs.py'}:EqualByData", 10.0) as engine:
        assert by_value(Lab(engine))
