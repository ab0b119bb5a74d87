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
from typing import TYPE_CHECKING

from ..judge.fragility import TEXTBOOK, Fragility, explain_lost, explain_non_finite, explain_raise
from ..program import Const, Program
from .findings import Finding, layout_of, number_text, role, written
from .values import engine_values, floats

if TYPE_CHECKING:
    from .engine.terms import Phase
    from .trial import Assessment


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


def lost_digits(a: Assessment, phase: Phase) -> Finding | None:
    """A passing run whose gradient is what a lossy textbook rule gives (the judge's "fragile:" note):
    a fragility finding at the first such step, or None."""
    report = a.report
    if report is None or report.verdict != "pass" or not any(n.startswith("fragile: ") for n in report.notes):
        return None
    program = a.outcome.program
    first = len(program.inputs)
    values = engine_values(a.outcome)
    grad = a.outcome.grad
    uses: dict[int, int] = {}
    for step in program.steps:
        for arg in step.args:
            if not isinstance(arg, Const):
                uses[arg] = uses.get(arg, 0) + 1
    rows = {row.slot: row for row in report.nodes}
    ops = {book.op for book in TEXTBOOK}
    for k, step in enumerate(program.steps):
        s = first + k
        up = grad[s]
        if step.op not in ops or up is None or not math.isfinite(up):
            continue
        xs = [arg.value if isinstance(arg, Const) else values[arg] for arg in step.args]
        for i, arg in enumerate(step.args):
            seen = None if isinstance(arg, Const) else grad[arg]
            if isinstance(arg, Const) or uses[arg] != 1 or seen is None or arg not in rows:
                continue
            exact = _number(rows[arg].exact_grad)
            fragile = None if exact is None else explain_lost(step.op, xs, i, seen, exact, up)
            if fragile is None:
                continue
            name = program.names()[arg]
            who = f"{role(step.op, i)} {name}" if len(step.args) == 2 else name
            message = (f"{written(program, s)} gave {who} a gradient of {number_text(seen)}; the exact "
                       f"gradient is {exact!r}")
            return Finding("lost-digits", step.op, layout_of(step), program, message, phase=phase,
                           culprit=s, operand=i, node=name, expected=repr(exact), actual=number_text(seen),
                           report=report, confirmed=True, fragility=fragile)
    return None


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
