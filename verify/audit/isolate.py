"""Blame by experiment: which op is at fault, proved by isolation and substitution, with a minimal program.

``explain(lab, assessment, context)`` turns a failure into a ``Finding``:

1. the blamed step alone, at the engine's own operand values and in the same
   layout: if it fails, that one-step program is the report (for ``x o x``,
   ``x o y`` at the same values tells a lost contribution from a wrong rule);
2. otherwise the fault is the graph's: the program is shrunk (keeping a
   failure no one-step program explains), then each op is replaced by a
   step of a different op with the same value and operands; if exactly one
   op's replacement makes the graph right, that op is blamed (an ``=``
   instead of ``+=`` in its backward, an output that forgets its parents);
3. if no single op is to blame, the bug is the engine's: a traversal order,
   or lost contributions on every reused node, told apart by the judge and by
   what the graph-shape battery saw (diamonds, fan-out from 3 on, twins).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from micrograd.ops import OPS

from ..program import Const, Program, Step
from .engine.protocol import EngineError, ProtocolViolation
from .engine.terms import Kind, Phase
from .findings import Finding, exact_data, exact_grad, layout_of, number_text, role, stopped_kind, written
from .raises import one_step
from .shrink import rebuild, rounder, shrink
from .trial import HANG_PROBE, Assessment, Lab
from .values import engine_values

if TYPE_CHECKING:
    from ..report import Fault

ISOLATION_RUNS = 3
"""An isolated step is run up to this many times: a bug may show only sometimes (set order by id)."""
SHRINK_SECONDS = 8.0
"""Budget for shrinking one finding (isolation and explanation come on top, and are quick)."""

# ---- explaining a failure ----

@dataclass
class Context:
    """What the audit knows when it explains a failure."""

    phase: Phase
    bad: set[tuple[str, str]] = field(default_factory=set)
    """(op, layout) pairs with a finding already: a graph failure must not rest on them."""
    substitutes: list[tuple[str, str]] = field(default_factory=list)
    """Ops the engine got right, as (op, layout), to replace a suspect step with: mul/add with a number."""
    fan_out_two_ok: bool = False
    """Every fan-out-2 shape and diamond of the graph battery passed."""


def explain(lab: Lab, a: Assessment, ctx: Context) -> Finding:
    """The finding behind a failed run: isolated, shrunk and classified."""
    program = a.outcome.program
    started = time.monotonic()
    finding = _explain(lab, a, ctx)
    finding.phase = ctx.phase
    finding.original_steps = len(program.steps)
    finding.shrink_seconds = max(finding.shrink_seconds, time.monotonic() - started)
    return finding


def _explain(lab: Lab, a: Assessment, ctx: Context) -> Finding:
    program = a.outcome.program
    if len(program.steps) == 1:
        return single(lab, a)
    values = engine_values(a.outcome)
    n = len(program.inputs)
    v = a.verdict
    if v == "crash" and a.outcome.stage == "leaf":
        slot = a.outcome.slot or 0
        first = next(j for j, s in enumerate(program.steps) if slot in s.args)
        q = rebuild(program.inputs, program.steps, n + first)
        if q is not None:
            qa = lab.check(q)
            if qa.verdict == "crash" and qa.outcome.stage == "leaf":
                return _shrunk(lab, qa, ctx, _same_crash(qa), single)
        return _shrunk(lab, a, ctx, _same_crash(a), single)
    if v in ("crash", "hang", "died", "unreadable"):
        slots = ([a.outcome.slot] if v == "crash" and a.outcome.stage == "forward" and a.outcome.slot
                 else list(range(program.size - 1, n - 1, -1)))
        timeout = HANG_PROBE if v in ("hang", "died") else None
        for slot in slots:
            if slot is None or slot < n:
                continue
            q = one_step(program, slot, values)
            qa = lab.check(q, timeout)
            if qa.verdict == v:
                return _rounded(lab, single(lab, qa), qa)
        if v in ("hang", "died"):
            verb = "hangs" if v == "hang" else "dies"
            return Finding(_death(a), "", "graph", program,
                           f"the engine {verb} on this program ({a.reason}), "
                           "though each of its steps alone runs",
                           shrunk=False)
        return _shrunk(lab, a, ctx, _same_verdict(v), _graph_crash)
    fault = a.fault
    assert fault is not None and a.report is not None
    if fault.culprit is not None and fault.culprit >= n and fault.op and fault.kind in (
            "forward", "wrong-rule", "non-finite"):
        q = one_step(program, fault.culprit, values)
        for _ in range(ISOLATION_RUNS):
            qa = lab.check(q)
            if qa.verdict == "fail":
                found = _rounded(lab, single(lab, qa), qa)
                found.evidence.insert(0, f"in the {len(program.steps)}-step program the judge blamed "
                                         f"{program.names()[fault.culprit]}; alone it fails too")
                return found
            if qa.verdict != "pass":
                break
    return _graph(lab, a, ctx)


def _same_crash(a: Assessment) -> Callable[[Assessment], bool]:
    error = a.outcome.error
    kind = error.type if error else ""

    def same(b: Assessment) -> bool:
        return (b.verdict == "crash" and b.outcome.stage == a.outcome.stage
                and (b.outcome.error.type if b.outcome.error else "") == kind)

    return same


def _same_verdict(verdict: str) -> Callable[[Assessment], bool]:
    return lambda b: b.verdict == verdict


def _shrunk(lab: Lab, a: Assessment, ctx: Context, same: Callable[[Assessment], bool],
            then: Callable[[Lab, Assessment], Finding]) -> Finding:
    """Shrink while ``same`` holds, then explain the minimal program with ``then``."""
    last: list[Assessment] = [a]

    def fails(p: Program) -> bool:
        b = lab.check(p, HANG_PROBE)
        if same(b):
            last[0] = b
            return True
        return False

    done = shrink(a.outcome.program, fails, seconds=SHRINK_SECONDS, deadline=lab.deadline)
    final = last[0] if last[0].outcome.program == done.program else lab.check(done.program)
    if not same(final):
        final = a
    finding = then(lab, final) if len(final.outcome.program.steps) == 1 else _graph_crash(lab, final)
    finding.shrink_attempts = done.attempts
    finding.shrink_seconds = done.seconds
    finding.shrunk = done.complete
    return finding


def _graph_crash(lab: Lab, a: Assessment) -> Finding:
    """A crash, hang or unreadable gradient no single step shows alone."""
    program = a.outcome.program
    if len(program.steps) == 1:
        return single(lab, a)
    error = a.outcome.error
    what = error.shown() if error else a.verdict
    op = _op_of_frame(a)
    message = (f"{'backward()' if a.outcome.stage == 'backward' else 'the forward pass'} raised {what} "
               f"on this program, where every value and gradient is finite; each step alone runs")
    if a.verdict == "unreadable":
        message = f"after backward(), {_unreadable_text(a)}; each step alone gives readable gradients"
    kind: Kind = "unreadable" if a.verdict == "unreadable" else "crash"
    return Finding(kind, op, "graph", program, message, error=error, stage=a.outcome.stage,
                   report=a.report)


def _op_of_frame(a: Assessment) -> str:
    """The op whose method raised, when the engine's frame names a method of the op table."""
    error = a.outcome.error
    if error is None or error.frame is None:
        return ""
    from ..program import notation

    function = error.frame.function
    for name, row in OPS.items():
        try:
            word = notation(row).word
        except ValueError:
            continue
        if function in (name, word, f"__{name}__", f"__r{name}__"):
            return name
    return ""


# ---- one-step programs ----

def single(lab: Lab, a: Assessment) -> Finding:
    """The finding of a failing one-step program: the op is its op."""
    program = a.outcome.program
    step = program.steps[0]
    op, layout = step.op, layout_of(step)
    names = program.names()
    where = written(program)
    v = a.verdict
    if v == "crash":
        error = _with_frame(lab, program, a.outcome.error)
        stage = a.outcome.stage
        what = error.shown() if error else "an exception"
        if stage == "leaf":
            name, value = program.inputs[a.outcome.slot or 0]
            return Finding("crash", "", "leaf", program, f"making the input {name} = {value!r} raised {what}",
                           error=error, stage=stage, confirmed=True,
                           node=name)
        part = "its forward" if stage == "forward" else "backward()"
        return Finding("crash", op, layout, program,
                       f"{where}: {part} raised {what}, where {op} and its derivative are finite",
                       error=error, stage=stage, confirmed=True)
    if v in ("hang", "died"):
        verb = "did not finish" if v == "hang" else "killed the engine's process"
        return Finding(_death(a), op, layout, program, f"{where} {verb} ({a.reason})", confirmed=True,
                       shrunk=False)
    if v == "unreadable":
        text = _unreadable_text(a)
        shown = lab.details(program)
        names_of = program.names()
        described = [f"{names_of[i]}.grad is {what}" for i, what in shown.get("grads", [])]
        described += [f"{names_of[i]}.data is {what}" for i, what in shown.get("data", [])]
        if described:
            text = ", ".join(described[:3])
        return Finding("unreadable", op, layout, program, f"{where}: after backward(), {text}",
                       confirmed=True)
    fault = a.fault
    assert fault is not None and a.report is not None
    slot = fault.slot
    node = names[slot] if 0 <= slot < len(names) else fault.name
    actual = a.outcome.data[slot] if fault.kind == "forward" else a.outcome.grad[slot]
    notes = _mutation_notes(a)
    if a.mutated:
        for i, j in lab.details(program).get("same", []):
            notes.append(f"{names[i]} is the same object as {names[j]}: the op returned its operand")
    if fault.kind == "seed":
        return Finding("seed", "", "graph", program, f"{fault.message}", node=node, expected="1",
                       actual=number_text(actual), report=a.report, confirmed=True, evidence=notes)
    if fault.kind == "forward":
        exact = exact_data(a.report, fault.slot)
        expected = exact or fault.expected
        return Finding("forward", op, layout, program,
                       f"{where} is {number_text(actual)}; the exact value is {expected}",
                       culprit=len(program.inputs), node=node, expected=expected, actual=number_text(actual),
                       report=a.report, confirmed=True, evidence=notes)
    expected = exact_grad(a.report, slot)
    index = fault.index if fault.index is not None else _index_of(program, slot)
    kind: Kind = "non-finite" if fault.kind == "non-finite" else "wrong-rule"
    if layout == "x o x" and kind == "wrong-rule":
        x = program.inputs[0][1]
        pair = Program((("x", x), ("y", x)), (Step(op, (0, 1)),))
        pa = lab.check(pair)
        if pa.verdict == "pass":
            message = (f"{where} gave x only part of its gradient, {number_text(actual)} where the exact "
                       f"one is {expected}; "
                       f"{OPS[op].write('x', 'y')} at the same values is right, so the two contributions of "
                       f"x to {OPS[op].write('x', 'x')} are not summed")
            return Finding("lost-contribution", op, layout, program, message, culprit=len(program.inputs),
                           operand=None, node=node, expected=expected, actual=number_text(actual),
                           report=a.report, confirmed=True,
                           evidence=[*notes, f"{OPS[op].write('x', 'y')} at x = y = {x!r}: pass"])
    gave = "no gradient" if actual == 0 else f"a gradient of {number_text(actual)}"
    who = f"{role(op, index)} {node}" if index is not None and OPS[op].arity == 2 else node
    message = f"{where} gave {who} {gave}; the exact gradient is {expected}"
    return Finding(kind, op, layout, program, message, culprit=len(program.inputs), operand=index, node=node,
                   expected=expected, actual=number_text(actual), report=a.report, confirmed=True,
                   evidence=notes)


def _with_frame(lab: Lab, program: Program, error: EngineError | None) -> EngineError | None:
    """The engine's exception with its own source line, asked of the worker when the answer lacked it."""
    if error is not None and error.frame is not None:
        return error
    raised = lab.details(program).get("error")
    if raised is None:
        return error
    try:
        told = EngineError.from_wire(raised)
    except ProtocolViolation:  # a forged answer: keep what the run said
        return error
    return told if error is None else EngineError(error.type, error.message, told.frame)


def _index_of(program: Program, slot: int) -> int | None:
    step = program.steps[-1]
    for i, arg in enumerate(step.args):
        if arg == slot:
            return i
    return None


def _mutation_notes(a: Assessment) -> list[str]:
    names = a.outcome.program.names()
    return [f"{names[s]}.data changed from {a.outcome.program.inputs[s][1]!r} to {d!r} during the forward "
            "pass: an op changed its operand" for s, d in a.mutated.items()]


def _unreadable_text(a: Assessment) -> str:
    names = a.outcome.program.names()
    parts = [f"{names[s]}.grad is {d}" for s, d in sorted(a.outcome.unreadable.items())
             if s < len(a.outcome.program.inputs)]
    parts += [f"{names[s]}.data is {d}" for s, d in sorted(a.outcome.unreadable_data.items())
              if s >= len(a.outcome.program.inputs)]
    return ", ".join(parts[:3]) or "a value is not a real number"


def _rounded(lab: Lab, finding: Finding, a: Assessment) -> Finding:
    """The one-step finding with rounder inputs and constants, where it still fails the same way."""
    program = finding.program
    key = finding.key
    best = program
    improved = True
    while improved:
        improved = False
        for candidate in _round_candidates(best):
            b = lab.check(candidate, HANG_PROBE if finding.kind in ("hang", "died") else None)
            if b.failed and single(lab, b).key == key:
                best, a, improved = candidate, b, True
                break
    if best == program:
        return finding
    again = single(lab, a)
    again.evidence = finding.evidence + again.evidence
    return again


def _round_candidates(program: Program) -> Iterator[Program]:
    inputs = list(program.inputs)
    for i, (name, value) in enumerate(inputs):
        for r in rounder(value):
            yield Program((*inputs[:i], (name, r), *inputs[i + 1:]), program.steps)
    step = program.steps[0]
    for idx, arg in enumerate(step.args):
        if isinstance(arg, Const):
            for r in rounder(arg.value):
                args = tuple(Const(r) if m == idx else x for m, x in enumerate(step.args))
                try:
                    yield Program(program.inputs, (Step(step.op, args),))
                except ValueError:
                    continue


# ---- failures only a graph shows ----

def _graph(lab: Lab, a: Assessment, ctx: Context) -> Finding:
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
    n = len(program.inputs)
    evidence: list[str] = []
    # Is any step wrong on its own after all? Then that is the finding.
    for slot in range(n, program.size):
        q = one_step(program, slot, values)
        qa = lab.check(q)
        if qa.verdict == "fail":
            return _rounded(lab, single(lab, qa), qa)
        evidence.append(f"{written(q)} alone: {qa.verdict}")
    fault = a.fault
    assert fault is not None
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
    names = program.names()
    node = fault.name
    slot = fault.slot
    actual = a.outcome.grad[slot] if 0 <= slot < len(a.outcome.grad) else None
    expected = exact_grad(a.report, slot)
    numbers = f"expected {expected}, got {number_text(actual)}"
    uses = _consumers(program, slot)
    used_by = ", ".join(f"{names[c]} ({program.steps[c - n].op})" for c in uses)
    if len(implicated) == 1:
        op, replacement = implicated[0]
        culprits = [s for s in range(n, program.size) if program.steps[s - n].op == op]
        c = fault.culprit if fault.culprit in culprits else culprits[-1]
        if fault.kind == "lost-contribution":
            message = (f"{written(program, c)} replaced {node}'s gradient instead of adding to it: {node} is "
                       f"used by {used_by}; {numbers}; with {op} replaced by {replacement} it is right")
            kind: Kind = "lost-contribution"
        else:
            cut = " (it cuts the graph: what feeds it gets no gradient)" if actual == 0 else ""
            message = (f"{written(program, c)} is right alone, but in this graph {node}'s gradient is wrong: "
                       f"{numbers}; with {op} replaced by {replacement} it is right{cut}")
            kind = "wrong-rule"
        return Finding(kind, op, "graph", program, message, culprit=c, node=node, expected=expected,
                       actual=number_text(actual), report=a.report, confirmed=True, evidence=evidence)
    # The engine's own: every op is right alone and no single replacement helps.
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
                               actual=number_text(actual), report=a.report, confirmed=True, evidence=evidence)
    fan = max(Counter(a for s in program.steps for a in s.args if not isinstance(a, Const)).values(),
              default=0)
    if fault.kind == "lost-contribution" or (fault.kind == "traversal" and fan >= 3 and ctx.fan_out_two_ok):
        message = (f"every op is right alone, but {node} lost part of its gradient: {node} is used by "
                   f"{used_by}; {numbers}")
        if fault.kind == "traversal":
            message += f"; a node with {fan} uses passes its gradient on before all of them have added to it"
        message += " (this happens with any op: contributions to a reused node are not all summed)"
        return Finding("lost-contribution", "", "graph", program, message, node=node, expected=expected,
                       actual=number_text(actual), report=a.report, evidence=evidence,
                       confirmed=True)  # every op passed alone and no one replacement fixed the graph
    if fault.kind == "seed":
        return Finding("seed", "", "graph", program, fault.message, node=node, expected="1",
                       actual=number_text(actual), report=a.report, evidence=evidence)
    order = _order_text(program, a, fault)
    message = f"every op is right alone, but in this graph {node}'s gradient is wrong: {numbers}; {order}"
    return Finding("traversal", "", "graph", program, message, node=node, expected=expected,
                   actual=number_text(actual), report=a.report, confirmed=True, evidence=evidence)


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
            if abs(ratio - round(ratio)) < 1e-9 and round(ratio) >= 2 and len(consumers) <= 1:
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

def _death(a: Assessment) -> Kind:
    """The finding's kind for a hang or a death: a death from memory or tampering says so."""
    return stopped_kind("hang" if a.verdict == "hang" else a.outcome.died_of)
