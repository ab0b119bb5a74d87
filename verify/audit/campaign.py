"""The campaign: Hypothesis draws programs, the engine runs them, ``check_run`` judges, failures shrink.

Hypothesis runs a ``@given`` test programmatically (seeded, no example
database, no deadline). The first fault fixes what is being shrunk (its kind
and blamed op): while shrinking, a program that fails differently counts as
passing, so the minimal program shows the same bug that was found.
"""

from __future__ import annotations

import signal
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis.errors import Flaky

from ..program import Program
from ..strategies import expressions
from .coverage import depth, features
from .sandbox import EngineFailed, EngineProcess
from .survey import Survey

if TYPE_CHECKING:
    from ..report import Report


@dataclass
class Finding:
    """A fault: what went wrong, on which op, in which (shrunk) program."""

    kind: str
    """"gradient" or "forward" (a wrong number), "error" (the engine raised),
    "timeout" or "crash" (the worker hung or died)."""
    op: str
    """The blamed op, "backward" for an error inside backward()."""
    program: Program
    message: str
    report: Report | None = None
    shrunk: bool = True

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.op)


@dataclass
class Campaign:
    """What the campaign did and found."""

    examples: int = 0
    shrink_steps: int = 0
    finding: Finding | None = None
    ops: Counter[str] = field(default_factory=Counter)
    features: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    limits: list[str] = field(default_factory=list)
    verifier_errors: list[str] = field(default_factory=list)
    """The first few errors of the verifier itself, each with where it was raised and the program."""
    remarks: list[str] = field(default_factory=list)
    """A few reasons behind inconclusive verdicts and imprecise forward values, with their programs."""
    seconds: float = 0.0
    first_fault_seconds: float | None = None
    """When the first fault turned up (before shrinking), from the campaign's start."""

    @property
    def verifier_failures(self) -> int:
        """Programs the verifier raised or timed out on (a bug in verify, not the engine's fault)."""
        return self.verdicts["verifier error"]


def keep_shortest(remarks: list[str], remark: str, kind: str, room: int) -> None:
    """Add ``remark`` to ``remarks``, keeping at most ``room`` of its kind: the shortest.

    A short example is one a reader can follow; the first found may be hundreds of steps.
    """
    same = [i for i, r in enumerate(remarks) if r.startswith(kind)]
    if len(same) < room:
        remarks.append(remark)
        return
    longest = max(same, key=lambda i: len(remarks[i]))
    if len(remark) < len(remarks[longest]):
        remarks[longest] = remark


VERIFY_TIMEOUT = 30.0
"""Seconds the verifier may spend on one program before it gives up on it."""


class VerifierTimeout(Exception):
    """The exact oracle took too long on one program (never blamed on the engine)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    # SIGALRM exists on POSIX and works in the main thread only; elsewhere no limit.
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(*_: object) -> None:
        raise VerifierTimeout(f"no verdict within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_SHALLOW = 100
"""Graphs shallower than this never excuse a RecursionError."""


class _Fault(Exception):
    """Raised inside the Hypothesis test to mark a failing program."""


class _Abort(BaseException):
    """Stops the campaign at once: shrinking a hang would cost a timeout per attempt."""


Progress = Callable[[str], None]


def run_campaign(
    engine: EngineProcess,
    survey: Survey,
    *,
    max_examples: int,
    seed_value: int,
    ops: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> Campaign:
    """Audit ``engine`` on ``max_examples`` programs drawn from the ops the survey found."""
    drawable = [op for op in survey.drawable_ops() if ops is None or op in ops]
    strategy = expressions(
        ops=drawable,
        max_depth=survey.max_depth(),
        constants_left=[op for op in survey.constants_left() if op in drawable],
        constants_right=[op for op in survey.constants_right() if op in drawable],
    )
    state = _State(engine, max_examples, progress or (lambda _: None))

    @settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    @seed(seed_value)
    @given(strategy)
    def audit_one(program: Program) -> None:
        state.judge(program)

    started = time.monotonic()
    try:
        audit_one()
    except (_Fault, _Abort):
        pass
    except Flaky:
        # The engine failed once and then passed on the same program.
        if state.result.finding is not None:
            state.result.finding.message += " (not reproducible: the engine is nondeterministic)"
    if state.result.finding is None and state.unblamed is not None:
        state.result.finding = state.unblamed
        state.unblamed.shrunk = False
    state.result.seconds = time.monotonic() - started
    return state.result


class _State:
    def __init__(self, engine: EngineProcess, max_examples: int, progress: Progress) -> None:
        self.engine = engine
        self.max_examples = max_examples
        self.progress = progress
        self.result = Campaign()
        self.every = max(1, max_examples // 10)
        self.unblamed: Finding | None = None
        self.started = time.monotonic()

    def judge(self, program: Program) -> None:
        result = self.result
        if result.finding is None:
            result.examples += 1
            result.ops.update(step.op for step in program.steps)
            result.features.update(features(program))
            if result.examples % self.every == 0:
                self.progress(f"  {result.examples}/{self.max_examples} programs, no fault yet")
        else:
            result.shrink_steps += 1
            if result.shrink_steps % 50 == 0:
                self.progress(f"  shrinking: {result.shrink_steps} attempts, "
                              f"smallest so far {len(result.finding.program.steps)} steps")
        finding = self._run(program)
        if finding is None:
            return
        if finding.kind == "gradient":
            # The verifier saw wrong gradients but could not pin one op. Keep looking
            # for a fault it can blame; report this one only if none turns up.
            if self.unblamed is None or _size(program) < _size(self.unblamed.program):
                self.unblamed = finding
            return
        if result.finding is None:
            result.first_fault_seconds = time.monotonic() - self.started
            self.progress(f"  fault after {result.examples} programs: {finding.kind} in {finding.op}; "
                          f"shrinking...")
        elif finding.key != result.finding.key:
            return  # another fault: keep shrinking the first one
        if result.finding is None or _size(program) <= _size(result.finding.program):
            result.finding = finding
        if finding.kind in ("timeout", "crash"):
            finding.shrunk = False
            raise _Abort()
        raise _Fault()

    def _run(self, program: Program) -> Finding | None:
        try:
            answer = self.engine.request("run", program)
        except EngineFailed as failure:
            # Forward or backward: no telling which op hung, so none is blamed.
            return Finding(failure.kind, "", program, str(failure))
        stage = answer["stage"]
        if stage != "done":
            error = answer["error"]
            text = f"{error['type']}: {error['message']}".rstrip(": ")
            # Python's default limit allows ~1,000 frames: on a shallow graph a
            # RecursionError is the engine's bug, on a deep one its known limit.
            if error["type"] == "RecursionError" and depth(program) >= _SHALLOW:
                if len(self.result.limits) < 3:
                    self.result.limits.append(f"{text} in {stage} ({len(program.steps)} steps)")
                return None
            if stage == "forward":
                slot, n = answer["slot"], len(program.inputs)
                if slot < n:  # making an input raised
                    name, value = program.inputs[slot]
                    return Finding("error", "leaf", program, f"input {name} = {value!r} raised {text}")
                j = slot - n
                return Finding("error", program.steps[j].op, program, f"step {j + 1} raised {text}")
            return Finding("error", "backward", program, f"backward() raised {text}")
        return self._check(program, answer["data"], answer["grad"])

    def _remark(self, program: Program, report: Report) -> None:
        """Keep a few reasons a program was not a clean pass (two inconclusive, one imprecise)."""
        if report.verdict == "inconclusive":
            kind, room = "inconclusive", 2
            reasons = [r.note for r in report.inputs if r.verdict != "pass" and r.note] + report.notes
            reason = reasons[0] if reasons else "no reason given"
        else:
            kind, room = "imprecise forward", 1
            reason = next((n for n in report.notes if n.startswith(kind)), "")
        if reason:
            shown = program.source(leaf="Value").replace("\n", "; ")
            remark = f"{kind}: {reason.removeprefix(kind + ': ')}; program: {shown}"
            keep_shortest(self.result.remarks, remark, kind, room)

    def _check(self, program: Program, data: list[Any], grad: list[Any]) -> Finding | None:
        from ..judge.verdict import check_run

        try:
            with _time_limit(VERIFY_TIMEOUT):
                report = check_run(program, data, grad)
        except Exception as error:  # the verifier's own fault: never blamed on the engine, never quiet
            shown = program.source(leaf="Value").replace("\n", "; ")
            message = f"{type(error).__name__}: {error} ({_raised_at(error)}) on: {shown}"
            if not self.result.verifier_failures:
                self.progress(f"  the verifier failed on a program (a bug in verify): {message}")
            if len(self.result.verifier_errors) < 3:
                self.result.verifier_errors.append(message)
            self.result.verdicts["verifier error"] += 1
            return None
        if self.result.finding is None:
            self.result.verdicts[report.verdict] += 1
            self._remark(program, report)
        if report.verdict != "fail":
            return None
        if report.faults:
            blamed = report.faults[0]
            return Finding(blamed.kind, blamed.op, program, blamed.message, report)
        return Finding("gradient", "", program, "gradients disagree (no op blamed)", report)


def _raised_at(error: BaseException) -> str:
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
"""The folder that holds verify/: paths inside it are shown relative to it."""


def _size(program: Program) -> tuple[int, int]:
    return (len(program.steps), len(program.inputs))
