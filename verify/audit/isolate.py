"""Isolation: a failing step run alone, at the engine's own operand values, is the finding.

``single`` words the finding of a failing one-step program (a crash, a hang,
an unreadable gradient, a wrong value or gradient); ``rounded`` retries it at
round operands; ``shrunk_then`` shrinks a failing program while it fails the
same way. ``explain`` (the campaign's entry) uses these first and
``substitute`` when no step fails alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from micrograd.ops import OPS

from ..program import Const, Program, Step
from .engine.protocol import EngineError
from .engine.terms import Kind, Layout, Phase
from .findings import Finding, exact_data, exact_grad, layout_of, number_text, role, stopped_kind, written
from .shrink import rounder, shrink
from .trial import HANG_PROBE, Assessment, Lab

ISOLATION_RUNS = 3
"""An isolated step is run up to this many times: a bug may show only sometimes (set order by id)."""
SHRINK_SECONDS = 8.0
"""Budget for shrinking one finding (isolation and explanation come on top, and are quick)."""

# ---- what the explanation knows ----

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


def same_crash(a: Assessment) -> Callable[[Assessment], bool]:
    error = a.outcome.error
    kind = error.type if error else ""

    def same(b: Assessment) -> bool:
        return (b.verdict == "crash" and b.outcome.stage == a.outcome.stage
                and (b.outcome.error.type if b.outcome.error else "") == kind)

    return same


def same_verdict(verdict: str) -> Callable[[Assessment], bool]:
    return lambda b: b.verdict == verdict


def shrunk_then(lab: Lab, a: Assessment, ctx: Context, same: Callable[[Assessment], bool],
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
    finding = then(lab, final) if len(final.outcome.program.steps) == 1 else graph_crash(lab, final)
    finding.shrink_attempts = done.attempts
    finding.shrink_seconds = done.seconds
    finding.shrunk = done.complete
    return finding


def graph_crash(lab: Lab, a: Assessment) -> Finding:
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
    if a.verdict == "crash":
        return _crashed_alone(lab, a)
    if a.verdict in ("hang", "died"):
        return _stopped_alone(a)
    if a.verdict == "unreadable":
        return _unreadable_alone(lab, a)
    return _wrong_alone(lab, a)


def _alone(a: Assessment) -> tuple[Program, str, Layout, str]:
    """A one-step program, its op and layout, and the step as written ("v1 = x * y at x = 2.0")."""
    program = a.outcome.program
    step = program.steps[0]
    return program, step.op, layout_of(step), written(program)


def _crashed_alone(lab: Lab, a: Assessment) -> Finding:
    program, op, layout, where = _alone(a)
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


def _stopped_alone(a: Assessment) -> Finding:
    program, op, layout, where = _alone(a)
    verb = "did not finish" if a.verdict == "hang" else "killed the engine's process"
    return Finding(death(a), op, layout, program, f"{where} {verb} ({a.reason})", confirmed=True,
                   shrunk=False)


def _unreadable_alone(lab: Lab, a: Assessment) -> Finding:
    program, op, layout, where = _alone(a)
    text = _unreadable_text(a)
    shown = lab.details(program)
    names_of = program.names()
    described = [f"{names_of[i]}.grad is {what}" for i, what in shown.grads]
    described += [f"{names_of[i]}.data is {what}" for i, what in shown.data]
    if described:
        text = ", ".join(described[:3])
    return Finding("unreadable", op, layout, program, f"{where}: after backward(), {text}",
                   confirmed=True)


def _wrong_alone(lab: Lab, a: Assessment) -> Finding:
    """A wrong number: the value (forward), the output's own gradient (seed), or an operand's."""
    program, op, layout, where = _alone(a)
    names = program.names()
    fault = a.fault
    assert fault is not None and a.report is not None
    slot = fault.slot
    node = names[slot] if 0 <= slot < len(names) else fault.name
    actual = a.outcome.data[slot] if fault.kind == "forward" else a.outcome.grad[slot]
    notes = _mutation_notes(a)
    if a.mutated:
        for i, j in lab.details(program).same:
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
    told = lab.details(program).error
    if told is None:
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


def rounded(lab: Lab, finding: Finding, a: Assessment) -> Finding:
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


def death(a: Assessment) -> Kind:
    """The finding's kind for a hang or a death: a death from memory or tampering says so."""
    return stopped_kind("hang" if a.verdict == "hang" else a.outcome.died_of)
