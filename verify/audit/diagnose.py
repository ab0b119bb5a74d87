"""Judge one run, then explain a failure: which op, proved by isolation, with a minimal program.

``Lab.check(program)`` runs a program in the engine and assesses what came
back: the judge's verdict (``check_run``), or a crash that is a finding (the
op raised where the exact function and its derivative are finite and fit in
a float), or a raise that is correct behaviour (log(-1), exp(1000)), a hang,
an unreadable gradient, a depth limit.

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
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from micrograd.ops import OPS

from ..clock import time_limit as _alarm
from ..program import Arg, Const, Program, Step
from .coverage import depth
from .findings import Finding, Kind, layout_of, stopped_kind
from .outcome import EngineError, Frame, Outcome, engine_values, run
from .shrink import rebuild, rounder, shrink, tidy

if TYPE_CHECKING:
    from ..report import Fault, Report
    from .sandbox import EngineProcess

SHALLOW = 100
"""Graphs shallower than this never excuse a RecursionError."""
VERIFY_TIMEOUT = 30.0
"""Seconds the verifier may spend on one program before it gives up on it."""
ISOLATION_RUNS = 3
"""An isolated step is run up to this many times: a bug may show only sometimes (set order by id)."""
REPRODUCE_RUNS = 10
SHRINK_SECONDS = 8.0
"""Budget for shrinking one finding (isolation and explanation come on top, and are quick)."""
HANG_PROBE = 2.0
"""Seconds an isolated step may take before it counts as hung (a single op never takes that long)."""


class VerifierTimeout(Exception):
    """The exact oracle took too long on one program (never blamed on the engine)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    with _alarm(seconds, VerifierTimeout, f"no verdict within {seconds:g} s"):
        yield


@dataclass
class Assessment:
    """What one run means."""

    outcome: Outcome
    verdict: str
    """"pass", "inconclusive", "undefined" (the judge's); "fail" (a wrong number: see ``fault``);
    "crash" (a raise that is a finding); "refused" (a raise that is correct: the exact function or its
    gradient is undefined or beyond float64 there); "hang", "died", "unreadable", "limit" (a
    RecursionError on a deep graph), "verifier-error"."""
    report: Report | None = None
    reason: str = ""
    mutated: dict[int, float] = field(default_factory=dict)
    """Inputs whose .data the engine changed during the forward pass: slot -> the engine's value."""
    at: float = 0.0
    """When the run ended (``time.monotonic()``)."""

    @property
    def fault(self) -> Fault | None:
        return self.report.faults[0] if self.report is not None and self.report.faults else None

    @property
    def failed(self) -> bool:
        return self.verdict in ("fail", "crash", "hang", "died", "unreadable")

    @property
    def clean(self) -> bool:
        return self.verdict in ("pass", "inconclusive", "undefined", "refused", "limit")


class Lab:
    """The engine and the judge: runs programs and assesses them, counting what it did."""

    def __init__(self, engine: EngineProcess, *, started: float | None = None,
                 deadline: float | None = None) -> None:
        self.engine = engine
        self.started = time.monotonic() if started is None else started
        self.deadline = deadline
        self.runs = 0
        self.verifier_errors: list[str] = []
        self.verifier_failures = 0
        self.deadline_hit = False

    def out_of_time(self) -> bool:
        return self.deadline_hit or (self.deadline is not None and time.monotonic() > self.deadline)

    def run(self, program: Program, timeout: float | None = None) -> Outcome:
        self.runs += 1
        return run(self.engine, program, timeout)

    def details(self, program: Program) -> dict[str, Any]:
        """What a "run" answer may not say: the engine's frame, unreadable values, reused objects."""
        from .probe import to_wire
        from .sandbox import EngineFailed

        try:
            answer = self.engine.request("types", to_wire(program), HANG_PROBE)
        except EngineFailed:
            return {}
        return answer if isinstance(answer, dict) else {}

    def check(self, program: Program, timeout: float | None = None) -> Assessment:
        a = self.assess(self.run(program, timeout))
        a.at = time.monotonic()
        return a

    def assess(self, outcome: Outcome) -> Assessment:
        program = outcome.program
        if outcome.stage == "deadline":
            self.deadline_hit = True
            return Assessment(outcome, "deadline", reason=outcome.message)
        if outcome.stage in ("hang", "died"):
            return Assessment(outcome, outcome.stage, reason=outcome.message)
        if outcome.raised:
            error = outcome.error
            if error is not None and error.type == "RecursionError" and depth(program) >= SHALLOW:
                return Assessment(outcome, "limit", reason=f"{error.shown()} in {outcome.stage} "
                                                           f"({len(program.steps)} steps)")
            why = raise_allowed(outcome)
            if why:
                return Assessment(outcome, "refused", reason=why)
            return Assessment(outcome, "crash")
        unreadable = {s: d for s, d in outcome.unreadable.items() if s < len(program.inputs)}
        live = program.feeding_output()
        unreadable_data = {s: d for s, d in outcome.unreadable_data.items()
                           if s in live and s >= len(program.inputs)}
        if unreadable or unreadable_data:
            return Assessment(outcome, "unreadable")
        data = list(outcome.data)
        mutated = {}
        for i, (_, value) in enumerate(program.inputs):
            d = data[i]
            if d is not None and d != value and not (math.isnan(d) and math.isnan(value)):
                mutated[i] = d
                data[i] = value  # judge the program as written: its inputs are what was asked for
        report = self._judge(program, data, outcome.grad)
        if report is None:
            return Assessment(outcome, "verifier-error", mutated=mutated)
        return Assessment(outcome, report.verdict, report, mutated=mutated)

    def _judge(self, program: Program, data: list[float | None], grad: list[float | None]) -> Report | None:
        from ..judge.verdict import check_run

        try:
            with time_limit(VERIFY_TIMEOUT):
                return check_run(program, data, grad)
        except Exception as error:  # the verifier's own fault: never blamed on the engine, never quiet
            shown = program.source(leaf="Value").replace("\n", "; ")
            if len(self.verifier_errors) < 3:
                where = raised_at(error)
                self.verifier_errors.append(f"{type(error).__name__}: {error} ({where}) on: {shown}")
            self.verifier_failures += 1
            return None


def raised_at(error: BaseException) -> str:
    """Where ``error`` came from, the traceback's last frame: ``verify/judge/verdict.py:57 in check_run``.

    For a timeout, the frame the verifier was in when time ran out (the last is the alarm's handler).
    """
    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, VerifierTimeout) and len(frames) > 1:
        frames.pop()
    if not frames:
        return "no traceback"
    last = frames[-1]
    path = Path(last.filename)
    shown = path.relative_to(_HOME) if path.is_relative_to(_HOME) else path
    return f"{shown}:{last.lineno} in {last.name}"


_HOME = Path(__file__).resolve().parents[2]


# ---- when is a raise a finding ----

def problem(program: Program) -> str | None:
    """Why a correct engine may raise on ``program`` (exactly, at its inputs); None if it must not.

    It must not when every value, local partial and adjoint on the output's path is finite and
    fits in a float64.
    """
    from ..oracle.ball import MAX_FLOAT, finite
    from ..oracle.exact import UndefinedAt, exact, plan

    nodes = plan(program)
    live = program.feeding_output()
    for bits in (128, 512, 2048):
        try:
            ex = exact(program, nodes, bits)
        except UndefinedAt as error:
            return error.reason
        if ex.unsure:
            continue
        for s in live:
            a = ex.adjoints[s]
            if not finite(a) or not abs(a) < MAX_FLOAT:
                return "a gradient overflows float64 here"
        for slot, ps in ex.partials.items():
            if slot in live and any(p is not None and not finite(p) for p in ps):
                return "a derivative is undefined here"
        return None
    return "the exact values could not be certified here"


def one_step(program: Program, slot: int, values: list[float]) -> Program:
    """Step ``slot`` alone, its Value operands made inputs at ``values``, constants kept, x o x kept."""
    step = program.steps[slot - len(program.inputs)]
    inputs: list[tuple[str, float]] = []
    where: dict[int, int] = {}
    args: list[Arg] = []
    for a in step.args:
        if isinstance(a, Const):
            args.append(a)
            continue
        if a not in where:
            where[a] = len(inputs)
            inputs.append((("x", "y")[len(inputs)], values[a]))
        args.append(where[a])
    return Program(tuple(inputs), (Step(step.op, tuple(args)),))


SQUARE_SAFE = (2.0**-511, 2.0**511)
"""Magnitudes whose products with each other stay normal floats (1.5e-154 to 6.7e153)."""
WHOLE_RATIO = 1e-9
"""A wrong gradient within this of a whole multiple (>= 2) of the right one was passed on that many times."""


def raise_allowed(outcome: Outcome) -> str:
    """Why the engine's raise is correct behaviour ("" when it is a finding).

    It is when the exact function or its gradient is undefined or beyond float64 there, at the
    program's inputs or at the engine's own operands (a rounded value may leave a domain). And
    where an operand is beyond ``SQUARE_SAFE`` (nonzero and below 1.5e-154 or above 6.7e153):
    there the products every chain rule forms (``y * y`` in ``-x / y**2``) leave float64, and a
    correct engine written with them (karpathy's ``x * y**-1``) meets OverflowError too.
    """
    program = outcome.program
    n = len(program.inputs)
    if outcome.stage == "leaf":
        return ""  # an input is a finite float: every engine must take it
    values = engine_values(outcome)
    steps = ([outcome.slot] if outcome.stage == "forward" and outcome.slot is not None and outcome.slot >= n
             else sorted(s for s in program.feeding_output() if s >= n))
    for slot in steps:
        step = program.steps[slot - n]
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        if any(x and not SQUARE_SAFE[0] <= abs(x) <= SQUARE_SAFE[1] for x in xs if math.isfinite(x)):
            return "an operand is so small or so large that its square leaves float64"
    if outcome.stage == "forward" and outcome.slot is not None and outcome.slot >= n:
        # at the engine's own operands: a rounded value may legitimately leave the domain (log of 0.0)
        at_engine = _problem_at(program, outcome.slot, values)
        if at_engine:
            return at_engine
        return problem(one_step(program, outcome.slot, _exact_floats(program))) or ""
    if outcome.stage == "backward":
        whole = problem(program)
        if whole:
            return whole
        for slot in range(n, program.size):
            if slot in program.feeding_output():
                why = _problem_at(program, slot, values)
                if why:
                    return why
    return ""


def _problem_at(program: Program, slot: int, values: list[float]) -> str:
    step = program.steps[slot - len(program.inputs)]
    for a in step.args:
        if not isinstance(a, Const) and not math.isfinite(values[a]):
            return "an operand is not finite"
    return problem(one_step(program, slot, values)) or ""


def _exact_floats(program: Program) -> list[float]:
    from .outcome import floats

    return floats(program)


# ---- explaining a failure ----

@dataclass
class Context:
    """What the audit knows when it explains a failure."""

    phase: str
    bad: set[tuple[str, str]] = field(default_factory=set)
    """(op, layout) pairs with a finding already: a graph failure must not rest on them."""
    substitutes: list[tuple[str, str]] = field(default_factory=list)
    """Ops the engine got right, as (op, layout), to replace a suspect step with: mul/add with a number."""
    fan_out_two_ok: bool = False
    """Every fan-out-2 shape and diamond of the graph battery passed."""
    graph_findings: list[Finding] = field(default_factory=list)


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
        first = next((j for j, s in enumerate(program.steps) if slot in s.args), None)
        q = None if first is None else rebuild(program.inputs, program.steps, n + first)
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
    kind = "crash" if a.verdict == "crash" else a.verdict
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

_ROLES = {"**": ("base", "exponent"), "/": ("numerator", "denominator")}


def role(op: str, index: int) -> str:
    """How to name operand ``index`` of ``op``: "its exponent y", "its left operand x"."""
    from ..program import notation

    try:
        word = notation(OPS[op]).word
    except ValueError:
        word = ""
    if OPS[op].arity == 1:
        return "its operand"
    roles = _ROLES.get(word, ("left operand", "right operand"))
    return f"its {roles[index]}"


def written(program: Program, slot: int | None = None) -> str:
    """"v1 = x ** y at x = 2.0, y = 3.0": a step of ``program`` (default the last) with its input values."""
    names = program.names()
    slot = program.size - 1 if slot is None else slot
    step = program.steps[slot - len(program.inputs)]
    shown = [repr(a.value) if isinstance(a, Const) else names[a] for a in step.args]
    text = f"{names[slot]} = {OPS[step.op].write(*shown)}"
    at = [f"{name} = {value!r}" for name, value in program.inputs
          if any(not isinstance(a, Const) and names[a] == name for a in step.args)]
    return f"{text} at {', '.join(at)}" if at else text


def _exact_grad(report: Report | None, slot: int) -> str:
    """The exact gradient of ``slot`` as the nearest float (the certified digits stay in the report)."""
    if report is None:
        return "unknown"
    for row in report.inputs:
        if row.slot == slot:
            return _short(row.exact)
    for node in report.nodes:
        if node.slot == slot:
            return _short(node.exact_grad)
    return "unknown"


def _exact_data(report: Report | None, slot: int) -> str:
    """The exact value of ``slot`` as the nearest float ("" when the report has none)."""
    for node in [] if report is None else report.nodes:
        if node.slot == slot and node.exact_data:
            return _short(node.exact_data)
    return ""


def _short(exact: str) -> str:
    """A certified decimal as the float it rounds to; any other text ("0 (|x| < 1e-300)", a span) as it is."""
    try:
        return repr(float(exact))
    except ValueError:
        return exact


def _num(x: float | None) -> str:
    if x is None:
        return "None"
    if not math.isfinite(x):
        return repr(x)
    return repr(x) if x != int(x) or abs(x) >= 1e16 else (repr(float(x)) if x else "0")


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
                       actual=_num(actual), report=a.report, confirmed=True, evidence=notes)
    if fault.kind == "forward":
        exact = _exact_data(a.report, fault.slot)
        expected = exact or fault.expected
        return Finding("forward", op, layout, program,
                       f"{where} is {_num(actual)}; the exact value is {expected}",
                       culprit=len(program.inputs), node=node, expected=expected, actual=_num(actual),
                       report=a.report, confirmed=True, evidence=notes)
    expected = _exact_grad(a.report, slot)
    index = fault.index if fault.index is not None else _index_of(program, slot)
    kind = "non-finite" if fault.kind == "non-finite" else "wrong-rule"
    if layout == "x o x" and kind == "wrong-rule":
        x = program.inputs[0][1]
        pair = Program((("x", x), ("y", x)), (Step(op, (0, 1)),))
        pa = lab.check(pair)
        if pa.verdict == "pass":
            message = (f"{where} gave x only part of its gradient, {_num(actual)} where the exact one is "
                       f"{expected}; "
                       f"{OPS[op].write('x', 'y')} at the same values is right, so the two contributions of "
                       f"x to {OPS[op].write('x', 'x')} are not summed")
            return Finding("lost-contribution", op, layout, program, message, culprit=len(program.inputs),
                           operand=None, node=node, expected=expected, actual=_num(actual), report=a.report,
                           confirmed=True,
                           evidence=[*notes, f"{OPS[op].write('x', 'y')} at x = y = {x!r}: pass"])
    gave = "no gradient" if actual == 0 else f"a gradient of {_num(actual)}"
    who = f"{role(op, index)} {node}" if index is not None and OPS[op].arity == 2 else node
    message = f"{where} gave {who} {gave}; the exact gradient is {expected}"
    return Finding(kind, op, layout, program, message, culprit=len(program.inputs), operand=index, node=node,
                   expected=expected, actual=_num(actual), report=a.report, confirmed=True, evidence=notes)


def _with_frame(lab: Lab, program: Program, error: EngineError | None) -> EngineError | None:
    """The engine's exception with its own source line, asked of the worker when the answer lacked it."""
    if error is not None and error.frame is not None:
        return error
    raised = lab.details(program).get("error")
    if not isinstance(raised, dict):
        return error
    frame = raised.get("frame")
    where = None if not isinstance(frame, dict) else Frame(
        str(frame.get("file", "")), int(frame.get("line", 0) or 0), str(frame.get("function", "")),
        str(frame.get("source", "")))
    if error is None:
        return EngineError(str(raised.get("type", "")), str(raised.get("message", "")), where)
    return EngineError(error.type, error.message, where)


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
    expected = _exact_grad(a.report, slot)
    numbers = f"expected {expected}, got {_num(actual)}"
    uses = _consumers(program, slot)
    used_by = ", ".join(f"{names[c]} ({program.steps[c - n].op})" for c in uses)
    if len(implicated) == 1:
        op, replacement = implicated[0]
        culprits = [s for s in range(n, program.size) if program.steps[s - n].op == op]
        c = fault.culprit if fault.culprit in culprits else culprits[-1]
        if fault.kind == "lost-contribution":
            message = (f"{written(program, c)} replaced {node}'s gradient instead of adding to it: {node} is "
                       f"used by {used_by}; {numbers}; with {op} replaced by {replacement} it is right")
            kind = "lost-contribution"
        else:
            cut = " (it cuts the graph: what feeds it gets no gradient)" if actual == 0 else ""
            message = (f"{written(program, c)} is right alone, but in this graph {node}'s gradient is wrong: "
                       f"{numbers}; with {op} replaced by {replacement} it is right{cut}")
            kind = "wrong-rule"
        return Finding(kind, op, "graph", program, message, culprit=c, node=node, expected=expected,
                       actual=_num(actual), report=a.report, confirmed=True, evidence=evidence)
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
                               actual=_num(actual), report=a.report, confirmed=True, evidence=evidence)
    fan = max(Counter(a for s in program.steps for a in s.args if not isinstance(a, Const)).values(),
              default=0)
    if fault.kind == "lost-contribution" or (fault.kind == "traversal" and fan >= 3 and ctx.fan_out_two_ok):
        message = (f"every op is right alone, but {node} lost part of its gradient: {node} is used by "
                   f"{used_by}; {numbers}")
        if fault.kind == "traversal":
            message += f"; a node with {fan} uses passes its gradient on before all of them have added to it"
        message += " (this happens with any op: contributions to a reused node are not all summed)"
        return Finding("lost-contribution", "", "graph", program, message, node=node, expected=expected,
                       actual=_num(actual), report=a.report, confirmed=bool(implicated) or True,
                       evidence=evidence)
    if fault.kind == "seed":
        return Finding("seed", "", "graph", program, fault.message, node=node, expected="1",
                       actual=_num(actual), report=a.report, evidence=evidence)
    order = _order_text(program, a, fault)
    message = f"every op is right alone, but in this graph {node}'s gradient is wrong: {numbers}; {order}"
    return Finding("traversal", "", "graph", program, message, node=node, expected=expected,
                   actual=_num(actual), report=a.report, confirmed=True, evidence=evidence)


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


def reproduce_snippet(lab: Lab, finding: Finding, snippet: str) -> tuple[int, int] | None:
    """How often ``snippet`` (the finding as printed) shows what the engine did, in fresh interpreters.

    The engine's own failing answer on the program is what the snippet must print (its input
    gradients, or the same exception); None when there is nothing to compare (a hang, or the
    worker no longer fails).
    """
    from .snippet import RUNS, TIMEOUT, reproduces

    failing = None
    for _ in range(REPRODUCE_RUNS):  # its failing answer: a nondeterministic engine fails only sometimes
        a = lab.check(finding.program)
        if a.failed:
            failing = a.outcome
            break
    if failing is None:
        return None
    outcome = failing
    n = len(finding.program.inputs)
    if outcome.stage in ("leaf", "forward", "backward") and outcome.error is not None:
        expected: list[float | str | None] = []
        raises: str | None = outcome.error.type
    elif outcome.stage == "done":
        expected = [None if s in outcome.unreadable else outcome.grad[s] for s in range(n)]
        raises = None
    else:
        return None
    timeout = TIMEOUT
    if lab.deadline is not None:
        timeout = min(timeout, max(1.0, lab.deadline - time.monotonic()))
    seen = reproduces(snippet, expected, raises=raises, runs=RUNS, timeout=timeout)
    return seen.hits, seen.runs


def reproduce(lab: Lab, finding: Finding, runs: int = REPRODUCE_RUNS) -> tuple[int, int]:
    """How often the finding's program fails the same way in the worker, out of ``runs``."""
    hits = 0
    for _ in range(runs):
        b = lab.check(finding.program, HANG_PROBE if finding.kind in ("hang", "died") else None)
        if b.failed:
            hits += 1
        if finding.kind in ("hang", "died"):
            return (hits, 1)
    return hits, runs


__all__ = ["Assessment", "Context", "Lab", "classify", "explain", "one_step", "problem", "reproduce",
           "reproduce_snippet", "single", "tidy"]


def _death(a: Assessment) -> Kind:
    """The finding's kind for a hang or a death: a death from memory or tampering says so."""
    return stopped_kind("hang" if a.verdict == "hang" else a.outcome.died_of)
