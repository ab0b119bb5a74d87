"""Each check of the audit can fail: a planted weakening of it turns one of these tests red.

The engines are real files (``tests/engines/zoo/``, ``tests/engines/guarded.py``) audited in the
sandboxed worker, as the command line does. ``PLANTS`` records each weakening and its killing test
(``python tests/replay_plants.py`` replays them all).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_guards import Plant

import verify.strategies
from micrograd.ops import OPS
from verify.audit.api import audit
from verify.audit.battery import op_cases
from verify.audit.engine.probes import layouts_of
from verify.strategies import LAYOUTS, expressions, expressions_in

ENGINES = Path(__file__).resolve().parent / "engines"


# ---- the battery covers every op in every layout the table gives it ----

def test_the_battery_runs_every_op_in_every_layout_of_the_table() -> None:
    result = audit(f"{ENGINES}/zoo/base.py:Value", max_examples=1)
    assert result.verdict == "pass", result.render()
    ran = result.campaign.battery
    for op in OPS:
        for layout in layouts_of(op):
            assert ran[(op, layout)] == len(op_cases(op, [layout])) >= 10, (op, layout, ran[(op, layout)])
        assert ran[(op, "fan-out")] >= 1 and ran[(op, "inner")] >= 1, op


def test_a_sin_bug_said_to_be_found_by_the_battery_was_found_on_a_battery_program() -> None:
    result = audit(f"{ENGINES}/zoo/rules.py:SinRuleRoundedPi", ops=["sin", "cos"], max_examples=5)
    (finding,) = result.findings
    assert (finding.kind, finding.op, finding.phase) == ("wrong-rule", "sin", "battery"), result.render()
    assert finding.program in {c.program for c in op_cases("sin", ["f(x)"])}
    assert "found by the battery" in result.render()


# ---- a raise is excused only where an operand's square leaves float64 ----

def test_an_abs_derivative_that_crashes_at_1e_minus_120_is_a_finding() -> None:
    """abs' = x / (x**4) ** 0.25 raises below 1.5e-81 and above 1.3e77: inside 2**+-511, a crash."""
    result = audit(f"{ENGINES}/guarded.py:AbsFourthRoot", ops=["abs"], max_examples=10)
    assert result.exit_code == 1, result.render()
    assert [(f.kind, f.op) for f in result.findings] == [("crash", "abs")]


# ---- liveness: every input and step of a random program feeds its output ----

_LAYOUT_SETS = st.dictionaries(st.sampled_from(sorted(OPS)), st.sets(st.sampled_from(LAYOUTS), min_size=1),
                               min_size=1, max_size=4)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_programs_are_alive_whatever_layouts_the_audit_leaves(data: st.DataObject) -> None:
    drawn = data.draw(_LAYOUT_SETS)
    layouts = {op: lays & set(layouts_of(op)) for op, lays in drawn.items()}
    layouts = {op: lays for op, lays in layouts.items() if lays}
    if not layouts:
        return
    program = data.draw(expressions_in(layouts))
    assert program.feeding_output() == set(range(program.size)), program


@settings(max_examples=60, deadline=None)
@given(expressions(ops=["log", "sqrt", "exp"], helpers=False))
def test_random_programs_without_a_join_op_are_alive(program: verify.strategies.Program) -> None:
    assert program.feeding_output() == set(range(program.size)), program


# ---- a refused input is reported, never a crash of the audit ----

def test_a_refused_leaf_is_a_finding() -> None:
    result = audit(f"{ENGINES}/guarded.py:RefusesNegativeLeaves", ops=["log", "mul"], max_examples=10)
    assert [(f.kind, f.layout) for f in result.findings] == [("crash", "leaf")], result.render()


def test_a_refused_input_that_feeds_no_step_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """Programs with dead inputs (as the strategies drew before they were pruned): the refused dead
    input is a finding, not a StopIteration out of the audit."""
    monkeypatch.setattr(verify.strategies, "_alive", lambda program: program)
    result = audit(f"{ENGINES}/guarded.py:RefusesNegativeLeaves", ops=["log"], max_examples=30)
    assert [(f.kind, f.layout) for f in result.findings] == [("crash", "leaf")], result.render()


_BATTERY_LOOP = ("        for op in OPS:\n            for layout in ledger.layouts(op):\n"
                 "                for case in op_cases")
_NO_SIN_COS = _BATTERY_LOOP.replace("in OPS:", "in [o for o in OPS if o not in ('sin', 'cos')]:")
_HERE = "tests/test_guards_audit.py::"

PLANTS = [
    Plant("verify/audit/phases.py", _BATTERY_LOOP, _NO_SIN_COS,
          _HERE + "test_the_battery_runs_every_op_in_every_layout_of_the_table",
          "the battery skipping sin and cos"),
    Plant("verify/audit/phases.py", _BATTERY_LOOP, _NO_SIN_COS,
          _HERE + "test_a_sin_bug_said_to_be_found_by_the_battery_was_found_on_a_battery_program",
          "the battery skipping sin and cos, seen from a finding"),
    Plant("verify/audit/raises.py", "SQUARE_SAFE = (2.0**-511, 2.0**511)",
          "SQUARE_SAFE = (2.0**-51, 2.0**51)",
          _HERE + "test_an_abs_derivative_that_crashes_at_1e_minus_120_is_a_finding",
          "the raise excuse widened from 2**+-511 to 2**+-51"),
    Plant("verify/strategies.py", "    return _alive(builder.program())", "    return builder.program()",
          _HERE + "test_random_programs_are_alive_whatever_layouts_the_audit_leaves",
          "random programs with dead inputs"),
    Plant("verify/audit/explain.py",
          "next((j for j, s in enumerate(program.steps) if slot in s.args), None)\n"
          "        q = None if first is None else rebuild(",
          "next(j for j, s in enumerate(program.steps) if slot in s.args)\n        q = rebuild(",
          _HERE + "test_a_refused_input_that_feeds_no_step_is_reported",
          "a refused dead input crashes the audit"),
]
