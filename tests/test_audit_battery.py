"""The audit's battery and graph shapes (read off the op table), and the finding each class of bug gets.

The second half audits one zoo engine per family of bug (``tests/engines/zoo/manifest.py``) and pins
the finding's kind and culprit, not just that something was found.
"""

from __future__ import annotations

import importlib
import math
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from micrograd.ops import OPS
from verify.audit.api import audit
from verify.audit.battery import CONSTANTS, MAGNITUDES, Tools, op_cases, shape_cases
from verify.audit.engine.probes import layouts_of
from verify.program import Const

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
sys.path.insert(0, str(ZOO))
manifest: Any = importlib.import_module("manifest")


def _points(op: str, layout: str) -> list[tuple[float, ...]]:
    return [tuple(v for _, v in c.program.inputs) for c in op_cases(op, [layout])]


def _constants(op: str, layout: str) -> list[float]:
    return [a.value for c in op_cases(op, [layout]) for s in c.program.steps for a in s.args
            if isinstance(a, Const)]


# ---- the battery ----

@pytest.mark.parametrize("op", list(OPS))
def test_every_op_gets_every_layout_it_can_be_written_in(op: str) -> None:
    for layout in layouts_of(op):
        cases = op_cases(op, [layout])
        assert len(cases) >= 10, (op, layout)
        assert {c.layout for c in cases} == {layout}
        assert all(c.program.steps[0].op == op for c in cases)
    if OPS[op].arity == 2 and not OPS[op].constant and op != "pow":
        same = op_cases(op, ["x o x"])
        assert all(c.program.steps[0].args == (0, 0) for c in same)  # one object on both sides


def test_the_battery_is_deterministic() -> None:
    assert [c.program for c in op_cases("div", ["x o y"])] == [c.program for c in op_cases("div", ["x o y"])]


def test_constants_are_not_only_the_ones_where_wrong_rules_happen_to_be_right() -> None:
    for op in ("sub", "div", "mul"):
        for layout in ("x o c", "c o x"):
            constants = _constants(op, layout)
            assert len(set(constants) - {0.0, 1.0, -1.0, 2.0}) >= 5, (op, layout, constants)


def test_exp_reaches_both_ends_of_float64() -> None:
    xs = [x for (x,) in _points("exp", "f(x)")]
    assert max(xs) > 700 and math.isfinite(math.exp(max(xs)))  # to where exp still fits
    assert min(xs) < -700  # and down to underflow


def test_log_runs_from_1e_minus_300_to_1e300() -> None:
    xs = [x for (x,) in _points("log", "f(x)")]
    assert min(xs) <= 1e-299 and max(xs) >= 1e299


@pytest.mark.parametrize("op", ["tanh", "sigmoid"])
def test_saturating_ops_go_far_into_their_tails_on_both_sides(op: str) -> None:
    xs = [x for (x,) in _points(op, "f(x)")]
    assert max(xs) >= 1e3 and min(xs) <= -1e3
    # and where squaring the operand still fits (there a raise is never excused): e^-x overflows
    assert any(-1e150 < x <= -1e3 for x in xs) and any(1e3 <= x < 1e150 for x in xs)


def test_powers_have_negative_fractional_zero_and_large_exponents_over_wide_bases() -> None:
    exponents = set(_constants("powi", "x o c")) | set(_constants("powc", "x o c"))
    assert any(e < 0 for e in exponents) and 0.0 in exponents and max(exponents) >= 5
    assert any(e != int(e) for e in exponents)
    bases = [x for (x,) in _points("powc", "x o c")]
    assert min(abs(b) for b in bases) <= 1e-4 and max(abs(b) for b in bases) >= 1e4


def test_division_by_tiny_huge_and_negative_numbers_and_both_huge() -> None:
    pairs = _points("div", "x o y")
    ys = [y for _, y in pairs]
    assert min(abs(y) for y in ys) < 1e-100 and max(abs(y) for y in ys) > 1e100 and min(ys) < 0
    # both operands huge, past where y * y overflows: where -x / (y * y) loses the gradient
    assert any(min(abs(x), abs(y)) > 1.4e154 and abs(y) < 1e161 for x, y in pairs)


@pytest.mark.parametrize("op", ["relu", "abs"])
def test_kinks_at_beside_and_far_from_the_kink(op: str) -> None:
    xs = [x for (x,) in _points(op, "f(x)")]
    assert 0.0 in xs
    assert any(0 < abs(x) <= 1e-6 for x in xs)
    assert any(abs(x) >= 1e3 for x in xs)


def test_magnitudes_span_float64() -> None:
    assert min(MAGNITUDES) <= 1e-299 and max(MAGNITUDES) >= 1e299
    assert not set(CONSTANTS) <= {0.0, 1.0, -1.0, 2.0}


def test_graph_shapes_cover_fan_out_diamonds_reconvergence_and_long_sums() -> None:
    families = [c.layout for c in shape_cases(Tools(("mul", "x o c"), ("add", "x o y")))]
    fan_outs = {int(f.split()[1]) for f in families if f.startswith("fan-out")}
    assert {2, 3, 4, 5, 6} <= fan_outs
    diamonds = {int(f.split()[1]) for f in families if f.startswith("diamond")}
    assert {1, 2, 3, 4, 5} <= diamonds
    assert any(f.startswith("reconvergent") for f in families)
    assert any("1,000 terms" in f for f in families)


def test_a_bare_engine_gets_shapes_from_value_value_ops_alone() -> None:
    assert shape_cases(Tools(None, ("add", "x o y")))
    assert shape_cases(Tools(None, None)) == []


# ---- one zoo engine per family: the finding it must get ----

FAMILIES = ("tails", "negative side", "tiny operands", "huge operands", "number on the left",
            "same object", "fan-out 3", "traversal", "deep graph", "crash", "overflow", "1e-12",
            "forward", "exponent gradient", "mutation", "graph cut", "two bugs", "unreadable",
            "bare protocol", "packaging")
ONE_PER_FAMILY = [next(e for e in manifest.ENTRIES if e.family == family) for family in FAMILIES]
EXTRA = [e for e in manifest.ENTRIES if e.spec in ("crashes.py:SigmoidBackwardNameError",
                                                   "graphs.py:LastNodesOnly", "overflow.py:NaiveSigmoid")]


@pytest.mark.parametrize("entry", ONE_PER_FAMILY + EXTRA, ids=lambda e: e.spec)
def test_the_finding_names_the_right_kind_and_culprit(entry: Any) -> None:
    result = audit(f"{ZOO / entry.file}:{entry.cls}")
    fragile = entry.category == "fragility"
    assert result.exit_code == entry.expected_exit == (0 if fragile else 1), result.render()
    group = result.fragilities if fragile else result.faults
    found = {(f.kind, f.op) for f in group}
    if entry.family == "two bugs":
        assert {(entry.kind, op) for op in entry.culprit} <= found, found
        return
    wanted = set(entry.culprit) or {""}
    assert any(kind == entry.kind and op in wanted for kind, op in found), (entry.note, found)
    for finding in result.findings:
        assert finding.steps <= 5 or entry.family == "deep graph", finding.program
        if finding.reproduced is not None:
            assert finding.reproduced[0] == finding.reproduced[1], finding  # every snippet run shows it


def test_a_textbook_crash_in_a_tail_is_a_fragility_with_the_exception() -> None:
    result = audit(f"{ZOO / 'overflow.py'}:LectureTanh")
    crash = next(f for f in result.fragilities if f.kind == "crash")
    assert crash.op == "tanh" and crash.error is not None and crash.error.type == "OverflowError"
    x = crash.program.inputs[0][1]
    assert abs(x) > 300 and math.isfinite(math.tanh(x))  # a tail where tanh is perfectly finite
    assert crash.fragility is not None and "exp(2x)" in crash.fragility.formula
    assert result.exit_code == 0 and result.verdict == "pass" and result.findings == []
    assert "OverflowError" in result.render()
    assert re.search(r"^FRAGILITY \d: crash in tanh", result.render(), re.MULTILINE), result.render()


def test_a_correct_engine_in_the_tails_has_no_finding() -> None:
    result = audit(f"{ZOO / 'altrules.py'}:Value")
    assert result.findings == [] and result.exit_code == 0, result.render()
