"""Run one program in the audited engine and judge it: an ``Outcome``, then an ``Assessment``.

``run(engine, program)`` sends the program to the worker and turns its typed
answer (``protocol.RunAnswer``), or its hang, or its death, into an
``Outcome``: the audit's ``Stage`` (a raise while making an input is "leaf")
and a description of every number that is not real. ``Lab.check(program)``
runs it and assesses what came back: the judge's verdict (``check_run``), or
a crash that is a finding, or a raise that is correct behaviour
(``raises.raise_allowed``: log(-1), exp(1000)), a hang, an unreadable
gradient, a depth limit.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..clock import time_limit as _alarm
from ..program import Program
from .coverage import depth
from .engine.answers import ProbeRaised, TypesAnswer
from .engine.protocol import EngineError, RunAnswer, program_to_wire
from .engine.sandbox import EngineFailed, EngineProcess
from .engine.terms import Stage
from .raises import raise_allowed

if TYPE_CHECKING:
    from ..report import Fault, Report

SHALLOW = 100
"""Graphs shallower than this never excuse a RecursionError."""
VERIFY_TIMEOUT = 30.0
"""Seconds the verifier may spend on one program before it gives up on it."""
HANG_PROBE = 2.0
"""Seconds an isolated step may take before it counts as hung (a single op never takes that long)."""


@dataclass
class Outcome:
    """What happened when the engine ran ``program``."""

    program: Program
    stage: Stage
    """"done" (forward and backward ran), or where it stopped: making an input ("leaf"),
    a step ("forward"), ``backward()``, a hang, the worker's death ("died": it crashed, ran out
    of memory or changed the auditing code; ``message`` says which), or the audit's deadline."""
    slot: int | None = None
    """The slot being made when the forward pass raised."""
    data: list[float | None] = field(default_factory=list)
    """Every slot's .data as the engine had it after the forward pass (None: none or unreadable)."""
    grad: list[float | None] = field(default_factory=list)
    """Every slot's .grad after backward() (None: none or unreadable)."""
    unreadable: dict[int, str] = field(default_factory=dict)
    """Slots whose .grad is not a real number, and what it is ("None", "str '0.5000'", "complex")."""
    unreadable_data: dict[int, str] = field(default_factory=dict)
    """Slots whose .data is not a real number, and what it is."""
    error: EngineError | None = None
    message: str = ""
    """For a hang or a death: what the sandbox said."""
    seconds: float = 0.0
    died_of: str = ""
    """Why the worker died, as the sandbox says: "crash", "memory" or "tampered"."""

    @property
    def raised(self) -> bool:
        return self.stage in ("leaf", "forward", "backward")


def run(engine: EngineProcess, program: Program, timeout: float | None = None) -> Outcome:
    """Run ``program`` in the engine's worker; never raises for anything the engine does."""
    started = time.monotonic()
    try:
        answer = engine.run(program, timeout)
    except EngineFailed as failure:
        kind = failure.kind
        stage: Stage = "hang" if kind == "hang" else "deadline" if kind == "deadline" else "died"
        message = str(failure) if kind in ("hang", "crash") else f"{kind}: {failure}"
        return Outcome(program, stage, message=message, seconds=time.monotonic() - started,
                       died_of=kind if stage == "died" else "")
    outcome = from_answer(program, answer)
    outcome.seconds = time.monotonic() - started
    return outcome


def from_answer(program: Program, answer: RunAnswer) -> Outcome:
    """The worker's answer to a "run" request as an ``Outcome``: a raise while making an input is
    told apart ("leaf"), and every slot whose number is not real gets a description."""
    n = program.size
    data = _padded(answer.data, n)
    if answer.stage == "forward":
        slot = answer.slot
        stage: Stage = "leaf" if slot is not None and slot < len(program.inputs) else "forward"
        return Outcome(program, stage, slot, data, [None] * n, error=answer.error)
    if answer.stage == "backward":
        return Outcome(program, "backward", None, data, [None] * n, error=answer.error)
    grad = _padded(answer.grad, n)
    unreadable: dict[int, str] = {}
    unreadable_data: dict[int, str] = {}
    for entry in answer.unreadable:
        shown = "None" if entry.type == "NoneType" else f"{entry.type} {entry.repr}".strip()
        (unreadable if entry.field == "grad" else unreadable_data)[entry.slot] = shown
    for s, g in enumerate(grad):
        if g is None and s not in unreadable:
            unreadable[s] = "not a real number"
    for s, d in enumerate(data):
        if d is None and s not in unreadable_data:
            unreadable_data[s] = "not a real number"
    return Outcome(program, "done", None, data, grad, unreadable, unreadable_data)


def _padded(values: tuple[float | None, ...], n: int) -> list[float | None]:
    """Exactly ``n`` values: the answer's first ``n``, then None for slots it did not reach."""
    out = list(values[:n])
    return out + [None] * (n - len(out))


# ---- judging a run ----

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
        self.values_only = False
        """Judge only the values (an unseeded backward() was found: every gradient is 0 after it; or
        the gradients are no numbers at all, reported once)."""

    def out_of_time(self) -> bool:
        return self.deadline_hit or (self.deadline is not None and time.monotonic() > self.deadline)

    def run(self, program: Program, timeout: float | None = None) -> Outcome:
        self.runs += 1
        return run(self.engine, program, timeout)

    def details(self, program: Program) -> TypesAnswer:
        """What a "run" answer may not say: the engine's frame, unreadable values, reused objects."""
        try:
            answer = self.engine.probe("types", program_to_wire(program), HANG_PROBE)
        except EngineFailed:
            return TypesAnswer()
        if isinstance(answer, ProbeRaised):  # what was raised is all there is to say
            return TypesAnswer(error=answer.error)
        return answer if isinstance(answer, TypesAnswer) else TypesAnswer()

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
        unreadable = {s: d for s, d in outcome.unreadable.items()
                      if s < len(program.inputs) and not self.values_only}
        live = program.feeding_output()
        unreadable_data = {s: d for s, d in outcome.unreadable_data.items()
                           if s in live and s >= len(program.inputs)}
        data = list(outcome.data)
        mutated = {}
        for i, (_, value) in enumerate(program.inputs):
            d = data[i]
            if d is not None and d != value and not (math.isnan(d) and math.isnan(value)):
                mutated[i] = d
                data[i] = value  # judge the program as written: its inputs are what was asked for
        if unreadable_data:
            return Assessment(outcome, "unreadable")
        if unreadable:  # no gradients to judge, but the values still can be: a wrong one is the finding
            values = self._judge(program, data, [None] * len(outcome.grad))
            if values is not None and values.verdict == "fail":
                return Assessment(outcome, "fail", values, mutated=mutated)
            return Assessment(outcome, "unreadable")
        grad: list[float | None] = [None] * len(outcome.grad) if self.values_only else outcome.grad
        report = self._judge(program, data, grad)
        if report is None:
            return Assessment(outcome, "verifier-error", mutated=mutated)
        return Assessment(outcome, report.verdict, report, mutated=mutated)

    def judge(self, program: Program, data: list[float | None], grad: list[float | None]) -> Report | None:
        """The judge's report on numbers the engine gave for ``program`` (None where it gave none);
        None when the verifier itself failed (counted, never blamed on the engine)."""
        return self._judge(program, data, grad)

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
