"""Several backward() calls: leaf gradients add up to the exact partials of each call, across calls.

Real engines (the zoo's ``accumulation.py``, its correct engines, micrograd, the reference
engine) and the real audit; the judge's verdicts on numbers the engines actually give.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import micrograd
from verify.audit.accumulate import LOOP_BODY, SUMS, loop_program, loop_statements, statements
from verify.audit.api import audit
from verify.audit.engine.probes import ACCUMULATE, LOOP_STEPS, probe_accumulate, training_loop
from verify.audit.render import snippet
from verify.judge.verdict import check_run
from verify.program import Const, Program, Step

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
sys.path.insert(0, str(ZOO))
OPS = ["add", "mul"]

from base import Value as Karpathy  # noqa: E402


def _verdict(program: Program, got: float) -> str:
    n = program.size
    return check_run(program, [0.43] + [None] * (n - 1), [got] + [None] * (n - 1)).verdict


# ---- what is judged: exact accumulation, either way a shared inner node may pass it on ----

@pytest.mark.parametrize("k", [2, 3])
def test_each_accepted_answer_is_one_real_engines_and_not_the_others(k: int) -> None:
    # micrograd keeps each call's adjoints apart; karpathy's closures pass on a shared node's .grad
    apart = probe_accumulate(micrograd.Value, None)["runs"][k][0]
    passed_on = probe_accumulate(Karpathy, None)["runs"][k][0]
    assert apart != passed_on
    each_call, karpathys = SUMS[k]
    assert (_verdict(each_call, apart), _verdict(karpathys, apart)) == ("pass", "fail")
    assert (_verdict(each_call, passed_on), _verdict(karpathys, passed_on)) == ("fail", "pass")


def test_each_call_is_judged_on_its_own_copy_of_the_graph() -> None:
    # f + y with f shared in one graph rounds otherwise: micrograd's correct 12.95 would fail it
    apart = probe_accumulate(micrograd.Value, None)["runs"][2][0]
    shared = Program((("x", 0.43),), (Step("mul", (0, Const(3.7))), Step("mul", (1, Const(2.5))),
                                       Step("add", (1, 2))))
    assert _verdict(shared, apart) == "fail" and _verdict(SUMS[2][0], apart) == "pass"


def test_a_planted_error_of_a_few_ulps_beyond_is_caught() -> None:
    right = probe_accumulate(micrograd.Value, None)["runs"][0][0]
    assert _verdict(SUMS[0][0], right) == "pass"
    assert _verdict(SUMS[0][0], right * (1 + 1e-12)) == "fail"


def test_the_statements_shown_are_the_probes_as_written() -> None:
    assert statements(ACCUMULATE[0]) == ("f = x * 3.7", "f.backward()", "y = x * 2.5")
    assert statements(ACCUMULATE[1]) == ("f = x * 3.7", "y = x * 2.5", "f.backward()")
    assert statements(ACCUMULATE[2]) == ("f = x * 3.7", "f.backward()", "y = f * 2.5")


@pytest.mark.parametrize("i", range(1, LOOP_STEPS))
def test_the_loop_as_printed_gives_the_probes_numbers(i: int) -> None:
    seen = training_loop(micrograd.Value)
    names: dict[str, Any] = {"w": micrograd.Value(seen[0]), "b": micrograd.Value(seen[1])}
    exec("\n".join([*loop_statements(i), "y.backward()"]), {}, names)  # our own text, not a user's
    assert (names["w"].data, names["b"].data) == tuple(seen[4 * i:4 * i + 2])
    assert (names["w"].grad, names["b"].grad) == tuple(seen[4 * i + 2:4 * i + 4])
    assert len(LOOP_BODY) == 7
    program = loop_program(*seen[4 * i:4 * i + 2])  # type: ignore[arg-type]
    assert check_run(program, [*seen[4 * i:4 * i + 2], None, None, None],
                     [*seen[4 * i + 2:4 * i + 4], None, None, None]).verdict == "pass"


# ---- planted engines: caught, blamed on the engine's backward, at most 3 statements ----

@pytest.mark.parametrize(("engine", "statement"), [
    ("ZeroesGrads", "y = x * 2.5"),
    ("TapeClearedAfterBackward", "f.backward()"),
    ("VisitedOnClass", "y = f * 2.5"),
])
def test_an_engine_losing_gradients_across_two_backward_calls_is_caught(engine: str, statement: str) -> None:
    result = audit(f"{ZOO / 'accumulation.py'}:{engine}", ops=OPS, max_examples=5)
    assert [(f.kind, f.op) for f in result.findings] == [("accumulation", "")], result.render()
    finding = result.findings[0]
    assert finding.steps == len(finding.statements) <= 3 and finding.statements[-1] == statement
    assert "after two backward() calls x.grad is" in finding.message
    shown = snippet(result, finding)
    assert shown.count(".backward()") == 2 and shown.endswith("y.backward()\nprint(x.grad)")
    assert finding.reproduced == (5, 5), finding.reproduced  # the snippet as printed, in fresh interpreters
    assert result.exit_code == 1 and "accumulation" in result.render()


def test_a_total_that_p_grad_0_does_not_reset_is_caught_in_the_loops_second_iteration() -> None:
    result = audit(f"{ZOO / 'accumulation.py'}:TotalKept", ops=OPS, max_examples=5)
    found = [f for f in result.findings if f.kind == "accumulation"]
    assert found == result.findings and len(found) == 1 and found[0].op == "", result.render()
    assert "iteration 2 gives" in found[0].message
    assert found[0].statements == loop_statements(1) and found[0].reproduced == (5, 5)
    assert result.exit_code == 1


# ---- correct engines: nothing ----

CORRECT = ["base.py:Value", "tape.py:Value", "localgrads.py:Value", "opcodes.py:Value",
           "numpy_scalars.py:Value", "constants.py:Value", "altrules.py:Value", "composite.py:Composed",
           "fragile.py:PowNumbersOnly"]
"""The zoo's correct engines (hangs.py's AnimatedBackward takes seconds per backward(): left out)."""


@pytest.mark.parametrize("spec", CORRECT)
def test_a_correct_zoo_engine_has_no_accumulation_finding(spec: str) -> None:
    result = audit(f"{ZOO / spec}", ops=OPS, max_examples=3)
    assert not result.campaign.findings, result.render()


@pytest.mark.parametrize("spec", ["micrograd:Value", f"{ROOT / 'examples' / 'reference_engine.py'}:Value"])
def test_micrograd_and_the_reference_engine_have_no_finding(spec: str) -> None:
    result = audit(spec, ops=OPS, max_examples=5)
    assert not result.campaign.findings and result.exit_code == 0, result.render()


@pytest.mark.parametrize("engine", ["MulOverwrites", "PairSlots"])
def test_a_one_backward_bug_is_its_own_finding_not_an_accumulation_one(engine: str) -> None:
    # MulOverwrites writes mul's gradient with `=`; PairSlots keeps two of a node's incoming
    # gradients (and its count of them across calls): each shows across calls too, but is one bug
    result = audit(f"{ZOO / 'graphs.py'}:{engine}", ops=OPS, max_examples=5)
    assert result.findings and not any(f.kind == "accumulation" for f in result.campaign.findings)
    right = probe_accumulate(Karpathy, None)["runs"]
    assert probe_accumulate(_zoo("graphs.py", engine), None)["runs"] != right  # the gate is what keeps it out


def _zoo(file: str, name: str) -> type:
    import importlib

    cls: type = getattr(importlib.import_module(file.removesuffix(".py")), name)
    return cls


def test_the_json_document_of_an_accumulation_finding_follows_the_schema() -> None:
    import jsonschema
    from referencing import Registry, Resource

    from verify.audit.render import schema, to_dict
    from verify.report import schema as report_schema

    result = audit(f"{ZOO / 'accumulation.py'}:TapeClearedAfterBackward", ops=OPS, max_examples=3)
    document = to_dict(result)
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s))
                                         for s in (schema(), report_schema()))
    jsonschema.Draft202012Validator(schema(), registry=registry).validate(document)
    [finding] = document["findings"]
    assert (finding["kind"], finding["steps"], finding["reproduced"]) == ("accumulation", 3, [5, 5])
    assert finding["snippet"].count(".backward()") == 2
