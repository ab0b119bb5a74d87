"""Fault or fragility: is a finding what an accepted textbook formula for its op does at that point?

A crash, or a nan or inf, at the blamed step's operands is a *fragility* when one of the
textbook formulas of ``verify.judge.fragility`` run as float64 steps at the same operands
raises the same exception class in the same stage, or gives the same non-finite number; else it
stays a *fault*. Only the blamed step is re-run (on the table's floats, with the engine's own
upstream gradient where the report has one), so nothing outside what the formula itself does
there is excused.
"""

from __future__ import annotations

import math

from ..judge.fragility import Fragility, explain_non_finite, explain_raise
from ..program import Const, Program
from .findings import Finding
from .values import floats


def classify(finding: Finding) -> Fragility | None:
    """The textbook formula that explains ``finding``, or None (then it is a fault)."""
    if not finding.op or finding.kind not in ("crash", "non-finite"):
        return None
    program = finding.program
    slot = _step_of(program, finding)
    if slot is None:
        return None
    step = program.steps[slot - len(program.inputs)]
    values = floats(program)
    xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
    if not all(math.isfinite(x) for x in xs):
        return None
    upstream = _upstream(finding, slot)
    if finding.kind == "crash":
        error = finding.error
        if error is None or finding.stage not in ("forward", "backward"):
            return None
        return explain_raise(step.op, xs, error.type, finding.stage, upstream)
    seen = _number(finding.actual)
    if seen is None or math.isfinite(seen):
        return None
    fault = finding.report.faults[0] if finding.report is not None and finding.report.faults else None
    if fault is not None and fault.culprit == slot:  # the node's value is not finite
        return explain_non_finite(step.op, xs, "value", 0, seen, upstream)
    index = finding.operand
    if index is None:
        return None
    return explain_non_finite(step.op, xs, "grad", index, seen, upstream)


def _step_of(program: Program, finding: Finding) -> int | None:
    """The slot of the blamed step: the finding's culprit, or the one step of a one-step program."""
    if finding.culprit is not None and finding.culprit >= len(program.inputs):
        return finding.culprit
    if len(program.steps) == 1 and program.steps[0].op == finding.op:
        return len(program.inputs)
    return None


def _upstream(finding: Finding, slot: int) -> float:
    """The gradient that reached the blamed step: 1 at the output, else the engine's, where finite."""
    if slot == finding.program.size - 1:
        return 1.0
    for node in [] if finding.report is None else finding.report.nodes:
        if node.slot == slot and node.grad is not None and math.isfinite(node.grad):
            return node.grad
    return 1.0


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
