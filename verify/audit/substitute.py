"""Substitution: who is to blame for a failure only a graph shows, proved by replacing each op in turn.

The program is shrunk (keeping a failure no one-step program explains), then
each op is replaced by a step of a different op with the same value and
operands; if exactly one op's replacement makes the graph right, that op is
blamed (an ``=`` instead of ``+=`` in its backward, an output that forgets
its parents). If none is, the bug is the engine's: a traversal order, nodes
taken for one because their values are equal (twins), or lost contributions
on every reused node, told apart by the judge and by what the graph-shape
battery saw.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from micrograd.ops import OPS

from ..program import Const, Program, Step
from .engine.terms import Kind
from .findings import Finding, exact_grad, layout_of, number_text, written
from .isolate import SHRINK_SECONDS, Context, rounded, single
from .raises import one_step
from .shrink import shrink
from .trial import Assessment, Lab
from .values import engine_values

if TYPE_CHECKING:
    from ..report import Fault

WHOLE_RATIO = 1e-9
"""A wrong gradient within this of a whole multiple (>= 2) of the right one was passed on that many times."""


def explain_graph(lab: Lab, a: Assessment, ctx: Context) -> Finding:
    """Shrink a failure no one-step program explains, then find who is to blame."""
    last: list[Assessment] = [a]

    def fails(p: Program) -> bool:
        if any((s.op, layout_of(s)) in ctx.bad for s in p.steps):
            return False
        b = lab.check(p)
        if b.verdict == "fail" and b.fault is not None and b.fault.kind != "forward":
            last[0] = b
            return True
        return False

    started = time.monotonic()
    done = shrink(a.outcome.program, fails, seconds=SHRINK_SECONDS, deadline=lab.deadline)
    final = last[0] if last[0].outcome.program == done.program else lab.check(done.program)
    if final.verdict != "fail":
        final = a
    finding = classify(lab, final, ctx)
    finding.shrink_attempts = done.attempts
    finding.shrink_seconds = time.monotonic() - started
    finding.shrunk = done.complete
    return finding


def classify(lab: Lab, a: Assessment, ctx: Context) -> Finding:
    """Who is to blame for a graph failure: one op (proved by replacing it), or the engine's backward."""
    program = a.outcome.program
    values = engine_values(a.outcome)
    evidence: list[str] = []
    # Is any step wrong on its own after all? Then that is the finding.
    for slot in range(len(program.inputs), program.size):
        q = one_step(program, slot, values)
        qa = lab.check(q)
        if qa.verdict == "fail":
            return rounded(lab, single(lab, qa), qa)
        evidence.append(f"{written(q)} alone: {qa.verdict}")
    implicated: list[tuple[str, str]] = []
    for op in dict.fromkeys(s.op for s in program.steps):
        replaced = substitute(program, op, values, ctx.substitutes)
        if replaced is None:
            continue
        ra = lab.check(replaced)
        shown = _replacement_text(replaced, program)
        evidence.append(f"with every {op} step replaced by {shown}: {ra.verdict}")
        if ra.verdict == "pass":
            implicated.append((op, shown))
    wrong = _Wrong.of(a)
    if len(implicated) == 1:
        return _one_op(a, wrong, *implicated[0], evidence)
    return _the_engines(lab, a, ctx, values, wrong, evidence)


@dataclass(frozen=True)
class _Wrong:
    """The gradient the judge blamed in a graph, as the findings word it."""

    fault: Fault
    node: str
    actual: float | None
    expected: str
    used_by: str
    """Its consumers: "v1 (mul), v3 (add)"."""

    @property
    def numbers(self) -> str:
        return f"expected {self.expected}, got {number_text(self.actual)}"

    @classmethod
    def of(cls, a: Assessment) -> _Wrong:
        fault = a.fault
        assert fault is not None
        program = a.outcome.program
        names, n, slot = program.names(), len(program.inputs), fault.slot
        actual = a.outcome.grad[slot] if 0 <= slot < len(a.outcome.grad) else None
        used_by = ", ".join(f"{names[c]} ({program.steps[c - n].op})" for c in _consumers(program, slot))
        return cls(fault, fault.name, actual, exact_grad(a.report, slot), used_by)


def _one_op(a: Assessment, wrong: _Wrong, op: str, replacement: str, evidence: list[str]) -> Finding:
    """Exactly one op's replacement makes the graph right: that op is to blame."""
    program = a.outcome.program
    n = len(program.inputs)
    node, fault = wrong.node, wrong.fault
    culprits = [s for s in range(n, program.size) if program.steps[s - n].op == op]
    c = fault.culprit if fault.culprit in culprits else culprits[-1]
    if fault.kind == "lost-contribution":
        message = (f"{written(program, c)} replaced {node}'s gradient instead of adding to it: {node} is "
                   f"used by {wrong.used_by}; {wrong.numbers}; with {op} replaced by {replacement} "
                   "it is right")
        kind: Kind = "lost-contribution"
    else:
        cut = " (it cuts the graph: what feeds it gets no gradient)" if wrong.actual == 0 else ""
        message = (f"{written(program, c)} is right alone, but in this graph {node}'s gradient is wrong: "
                   f"{wrong.numbers}; with {op} replaced by {replacement} it is right{cut}")
        kind = "wrong-rule"
    return Finding(kind, op, "graph", program, message, culprit=c, node=node, expected=wrong.expected,
                   actual=number_text(wrong.actual), report=a.report, confirmed=True, evidence=evidence)


def _the_engines(lab: Lab, a: Assessment, ctx: Context, values: list[float], wrong: _Wrong,
                 evidence: list[str]) -> Finding:
    """Every op is right alone and no single replacement helps: the engine's backward is to blame."""
    program = a.outcome.program
    names = program.names()
    node, fault, numbers = wrong.node, wrong.fault, wrong.numbers
    actual, expected = number_text(wrong.actual), wrong.expected
    twins = _twins(program, values)
    if twins:
        apart = _pull_apart(program, twins)
        if apart is not None:
            pa = lab.check(apart)
            evidence.append(f"with the equal-valued nodes made different: {pa.verdict}")
            if pa.verdict == "pass":
                i, j = twins
                message = (f"{names[i]} and {names[j]} are distinct nodes with the same value, and backward "
                           f"takes them for one: {node}'s gradient is wrong, {numbers}; with their values "
                           "made different it is right (nodes compared or hashed by value?)")
                return Finding("traversal", "", "graph", program, message, node=node, expected=expected,
                               actual=actual, report=a.report, confirmed=True, evidence=evidence)
    fan = max(Counter(a for s in program.steps for a in s.args if not isinstance(a, Const)).values(),
              default=0)
    if fault.kind == "lost-contribution" or (fault.kind == "traversal" and fan >= 3 and ctx.fan_out_two_ok):
        message = (f"every op is right alone, but {node} lost part of its gradient: {node} is used by "
                   f"{wrong.used_by}; {numbers}")
        if fault.kind == "traversal":
            message += f"; a node with {fan} uses passes its gradient on before all of them have added to it"
        message += " (this happens with any op: contributions to a reused node are not all summed)"
        return Finding("lost-contribution", "", "graph", program, message, node=node, expected=expected,
                       actual=actual, report=a.report, evidence=evidence,
                       confirmed=True)  # every op passed alone and no one replacement fixed the graph
    if fault.kind == "seed":
        return Finding("seed", "", "graph", program, fault.message, node=node, expected="1",
                       actual=actual, report=a.report, evidence=evidence)
    order = _order_text(program, a, fault)
    message = f"every op is right alone, but in this graph {node}'s gradient is wrong: {numbers}; {order}"
    return Finding("traversal", "", "graph", program, message, node=node, expected=expected,
                   actual=actual, report=a.report, confirmed=True, evidence=evidence)


def _consumers(program: Program, slot: int) -> list[int]:
    n = len(program.inputs)
    return [n + j for j, s in enumerate(program.steps)
            if slot in [a for a in s.args if not isinstance(a, Const)]]


def _order_text(program: Program, a: Assessment, fault: Fault) -> str:
    """What backward's order did, from the engine's own adjoints."""
    names = program.names()
    n = len(program.inputs)
    grad = a.outcome.grad
    c = fault.culprit
    if c is None or c < n:
        return "backward's order or bookkeeping is wrong"
    step = program.steps[c - n]
    s = fault.slot
    gc, gs = grad[c], grad[s]
    consumers = _consumers(program, c)
    if gc and gs is not None and fault.kind in ("wrong-rule", "traversal", "gradient"):
        implied = fault.actual
        expected_partial = _float(fault.expected)
        if implied is not None and expected_partial:
            ratio = implied / expected_partial
            if abs(ratio - round(ratio)) < WHOLE_RATIO and round(ratio) >= 2 and len(consumers) <= 1:
                return (f"{names[c]} passed its gradient to {names[s]} {round(ratio)} times "
                        f"(its backward ran once per path to it: a visited set missing?)")
            if len(consumers) >= 2 and 0 < ratio < 1:
                users = ", ".join(names[u] for u in consumers)
                return (f"{names[c]} ({step.op}, used by {users}) passed its gradient on to {names[s]} "
                        "before all its consumers had added to it (wrong traversal order)")
    return (f"backward visited the nodes in a wrong order, or not all of them ({names[c]} is used by "
            f"{', '.join(names[u] for u in consumers) or 'the output only'})")


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def substitute(program: Program, op: str, values: list[float],
               tools: list[tuple[str, str]]) -> Program | None:
    """``program`` with every ``op`` step replaced by steps of another op giving the same value from
    the same Value operands (v * (out / v), or v + (out - v)); None if no tool can."""
    n = len(program.inputs)
    tools = sorted(tools, key=lambda t: t[0] == op)  # another op than the suspect first
    if not tools:
        return None
    steps: list[Step] = []
    new_slot: dict[int, int] = {i: i for i in range(n)}
    for slot in range(n, program.size):
        step = program.steps[slot - n]
        args = tuple(a if isinstance(a, Const) else new_slot[a] for a in step.args)
        if step.op != op:
            steps.append(Step(step.op, args))
            new_slot[slot] = n + len(steps) - 1
            continue
        operands = [a for a in args if not isinstance(a, Const)]
        originals = [a for a in step.args if not isinstance(a, Const)]
        out = values[slot]
        base = operands[0]
        base_value = values[originals[0]]
        if len(operands) == 2:
            # Two Value operands (or one object twice): join them first, so each is used as often as before.
            layout = "x o x" if operands[0] == operands[1] else "x o y"
            join = next((t[0] for t in tools if t[0] in ("add", "sub", "mul") and t[1] == "x o y"
                         and (layout == "x o y" or (t[0], "x o x") in tools)), None)
            if join is None:
                return None
            steps.append(Step(join, (operands[0], operands[1])))
            base = n + len(steps) - 1
            base_value = float(OPS[join].forward(values[originals[0]], values[originals[1]]))
        made = _same_value(base, base_value, out, tools)
        if made is None:
            return None
        steps.append(made)
        new_slot[slot] = n + len(steps) - 1
    try:
        return Program(program.inputs, tuple(steps))
    except ValueError:
        return None


def _same_value(slot: int, value: float, out: float, tools: list[tuple[str, str]]) -> Step | None:
    for op, layout in tools:
        if layout != "x o c":
            continue
        if op == "mul" and value != 0 and math.isfinite(out / value) and out / value != 0:
            return Step("mul", (slot, Const(out / value)))
        if op == "add" and math.isfinite(out - value):
            return Step("add", (slot, Const(out - value)))
        if op == "sub" and math.isfinite(value - out):
            return Step("sub", (slot, Const(value - out)))
    return None


def _replacement_text(replaced: Program, original: Program) -> str:
    ops = sorted({s.op for s in replaced.steps} - {s.op for s in original.steps} or
                 {s.op for s in replaced.steps})
    return " and ".join(ops) + " with a number"


def _twins(program: Program, values: list[float]) -> tuple[int, int] | None:
    """Two distinct step slots with equal engine values."""
    n = len(program.inputs)
    seen: dict[float, int] = {}
    for slot in range(n, program.size):
        v = values[slot]
        if v in seen:
            return seen[v], slot
        seen[v] = slot
    return None


def _pull_apart(program: Program, twins: tuple[int, int]) -> Program | None:
    """``program`` with the second twin's constant nudged so the two values differ."""
    n = len(program.inputs)
    j = twins[1] - n
    step = program.steps[j]
    for idx, a in enumerate(step.args):
        if isinstance(a, Const) and a.value:
            nudged = Step(step.op, tuple(Const(a.value * (1 + 2**-7)) if m == idx else x
                                         for m, x in enumerate(step.args)))
            return Program(program.inputs, (*program.steps[:j], nudged, *program.steps[j + 1:]))
    return None
