"""What a campaign knows so far, shared by its phases: the result, which (op, layout) has a bug or passed.

The phases (``phases``) read and add to one ``Ledger``: ``record`` keeps a
finding if its (kind, op) is new and sets its op and layout aside, ``bad``
and ``good`` say where bugs were found and where battery cases passed,
``toolkit`` holds the ops that build small graphs, and ``check_time`` ends the
campaign (``Done``) at the deadline or at ``MAX_FINDINGS``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from micrograd.ops import OPS

from .battery import Tools
from .engine.answers import ProbeAnswer
from .engine.sandbox import EngineFailed, EngineProcess
from .engine.terms import LAYOUTS, Layout
from .engine.terms import Phase as Part
from .explain import explain
from .findings import Finding
from .fragile import classify, lost_digits
from .isolate import Context
from .survey import Survey
from .trial import Assessment, Lab

STOPPED = ("hang", "died", "memory", "tampered")
"""Kinds of finding where the engine's worker stopped answering: never retried, shrunk or re-run."""
MAX_FINDINGS = 10
"""Distinct bugs listed at most; the campaign stops looking after this many."""

Progress = Callable[[str], None]


@dataclass
class Depth:
    """How deep a chain the engine differentiates: what the deep-chain phase measured."""

    checked: bool = False
    works_to: int = 0
    """The deepest chain that worked."""
    failure: str | None = None
    """How the next depth failed (None: every depth tried worked)."""

    def max_depth(self, wanted: int = 60) -> int:
        """The chain depth random programs may use: well inside the engine's limit."""
        if self.failure is None:
            return wanted
        return max(0, min(wanted, self.works_to // 3))


@dataclass
class Campaign:
    """What the campaign ran and found."""

    findings: list[Finding] = field(default_factory=list)
    battery: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(op, layout) -> battery cases run (layouts include "fan-out" and "inner")."""
    battery_verdicts: Counter[str] = field(default_factory=Counter)
    shapes: Counter[str] = field(default_factory=Counter)
    """Shape family -> programs run."""
    shape_verdicts: Counter[str] = field(default_factory=Counter)
    chains: list[tuple[int, str]] = field(default_factory=list)
    """Each chain depth tried and what happened ("exact", "RecursionError in backward", "wrong ...")."""
    depth: Depth = field(default_factory=Depth)
    examples: int = 0
    """Random programs judged."""
    ops: Counter[str] = field(default_factory=Counter)
    """Steps per op in the random programs."""
    features: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)
    """Verdicts of the random programs."""
    limits: list[str] = field(default_factory=list)
    verifier_errors: list[str] = field(default_factory=list)
    verifier_count: int = 0
    remarks: list[str] = field(default_factory=list)
    """A few reasons behind inconclusive verdicts and imprecise forward values, with their programs."""
    seconds: float = 0.0
    first_fault_seconds: float | None = None
    """When the first fault turned up (before shrinking), from the audit's start."""
    deadline_hit: bool = False
    stopped: str = ""
    """Why the campaign ended early ("" when it ran every phase to the end)."""
    set_aside: list[str] = field(default_factory=list)
    """Ops and layouts left out of the random programs because a finding is about them."""

    @property
    def finding(self) -> Finding | None:
        """The first finding (None when there is none)."""
        return self.findings[0] if self.findings else None

    @property
    def verifier_failures(self) -> int:
        """Programs the verifier raised or timed out on (a bug in verify, not the engine's fault)."""
        return self.verifier_count


def keep_shortest(remarks: list[str], remark: str, kind: str, room: int) -> None:
    """Add ``remark`` to ``remarks``, keeping at most ``room`` of its kind: the shortest.

    A short example is one a reader can follow; the first found may be hundreds of steps.
    """
    if remark in remarks:  # the same program met again (battery and random phase): said once
        return
    same = [i for i, r in enumerate(remarks) if r.startswith(kind)]
    if len(same) < room:
        remarks.append(remark)
        return
    longest = max(same, key=lambda i: len(remarks[i]))
    if len(remark) < len(remarks[longest]):
        remarks[longest] = remark


class Done(Exception):
    """The campaign has nothing more to do."""


SUBSTITUTES: tuple[tuple[str, str], ...] = (
    ("mul", "x o c"), ("add", "x o c"), ("sub", "x o c"), ("add", "x o y"), ("mul", "x o y"),
    ("sub", "x o y"), ("add", "x o x"), ("mul", "x o x"), ("sub", "x o x"))
"""Steps a suspect op may be replaced with to test it in a graph, in the order tried."""


A = TypeVar("A", bound=ProbeAnswer)


class Ledger:
    """The engine, the lab that judges its runs, and what the phases have learned so far."""

    def __init__(self, engine: EngineProcess, survey: Survey, ops: Sequence[str] | None, progress: Progress,
                 started: float | None, deadline: float | None) -> None:
        self.engine = engine
        self.survey = survey
        self.chosen = set(OPS) if ops is None else set(ops)
        self.progress = progress
        self.lab = Lab(engine, started=started, deadline=deadline)
        self.result = Campaign()
        self.bad: set[tuple[str, str]] = set()
        """(op, layout) with a finding: skipped in the battery, left out of random programs."""
        self.good: Counter[tuple[str, str]] = Counter()
        """(op, layout) -> battery cases that passed."""
        self.toolkit = Tools(None, None)
        self.fan_out_two_ok = False
        """Every fan-out-2 shape and diamond of the graph shapes passed (set by that phase)."""

    def layouts(self, op: str) -> list[Layout]:
        return self.survey.layouts(op) if op in self.chosen else []

    def check_time(self) -> None:
        """``Done`` at the deadline or once ``MAX_FINDINGS`` are found."""
        if self.lab.out_of_time():
            self.result.deadline_hit = True
            self.result.stopped = "the deadline was hit"
            raise Done
        if len(self.result.findings) >= MAX_FINDINGS:
            self.result.stopped = f"{MAX_FINDINGS} findings: the limit"
            raise Done

    def fixed_probe(self, name: str, kind: type[A]) -> A | None:
        """The worker's answer to a probe of fixed programs, or None where it hangs, dies or answers in
        another kind (a hang or a death shows in the battery's own programs)."""
        self.check_time()
        try:
            answer = self.engine.probe(name)
        except EngineFailed:
            return None
        return answer if isinstance(answer, kind) else None

    def seconds(self) -> float:
        return time.monotonic() - self.lab.started

    def update_tools(self) -> None:
        """The ops that build small graphs: an edge (an op with a number) and a join of two Values."""
        def ok(op: str, layout: str) -> bool:
            return self.good[(op, layout)] > 0 and (op, layout) not in self.bad

        edge = next((t for t in (("mul", "x o c"), ("add", "x o c"), ("sub", "x o c"), ("div", "x o c"))
                     if ok(*t)), None)
        join = next((t for t in (("add", "x o y"), ("mul", "x o y"), ("sub", "x o y")) if ok(*t)), None)
        self.toolkit = Tools(edge, join)

    def context(self, phase: Part) -> Context:
        subs = [t for t in SUBSTITUTES if self.good[t] and t not in self.bad]
        return Context(phase, set(self.bad), subs, self.fan_out_two_ok)

    def found(self, a: Assessment, phase: Part) -> Finding:
        """The finding behind the failed run ``a``, explained, timed from when the run ended."""
        when = (a.at or time.monotonic()) - self.lab.started
        finding = explain(self.lab, a, self.context(phase))
        finding.found_seconds = when
        finding.fragility = classify(finding)
        return finding

    def record(self, finding: Finding) -> bool:
        """Keep ``finding`` if it is a new bug; True if it was new."""
        if self.result.first_fault_seconds is None:
            self.result.first_fault_seconds = finding.found_seconds
        for known in self.result.findings:
            if known.key == finding.key:
                if finding.layout not in known.layouts:
                    known.layouts.append(finding.layout)
                if finding.steps < known.steps:
                    finding.layouts = known.layouts
                    self.result.findings[self.result.findings.index(known)] = finding
                self._set_aside(finding)
                return False
        finding.layouts = [finding.layout]
        self.result.findings.append(finding)
        if finding.kind == "seed":  # every later gradient is that same 0: go on judging the values
            self.lab.values_only = True
        self._set_aside(finding)
        what = f"{finding.kind}{' in ' + finding.op if finding.op else ''}"
        self.progress(f"  finding {len(self.result.findings)}: {what} ({finding.phase}, "
                      f"{finding.steps} step{'' if finding.steps == 1 else 's'}, "
                      f"{finding.found_seconds:.1f} s)")
        return True

    def _set_aside(self, finding: Finding) -> None:
        if not finding.op or finding.kind == "lost-digits":  # a pass that lost digits: keep testing the op
            return
        if finding.layout in ("graph", "f(x)") or finding.kind in STOPPED:
            self.bad.update((finding.op, layout) for layout in LAYOUTS)
        else:
            self.bad.add((finding.op, finding.layout))
            if finding.layout == "x o y" and finding.kind != "lost-contribution":
                self.bad.add((finding.op, "x o x"))

    def noted(self, a: Assessment, phase: Part = "battery") -> None:
        """Keep what a run that is no finding may still tell: a depth limit, an inconclusive verdict,
        a gradient that lost its digits to a textbook rule (a fragility)."""
        fragile = lost_digits(a, phase)
        if fragile is not None and fragile.key not in {f.key for f in self.result.findings}:
            fragile.found_seconds = (a.at or time.monotonic()) - self.lab.started
            self.record(fragile)
        if a.verdict == "limit" and len(self.result.limits) < 3:
            self.result.limits.append(a.reason)
        report = a.report
        if report is None or report.verdict not in ("inconclusive", "pass"):
            return
        if report.verdict == "inconclusive":
            kind, room = "inconclusive", 2
            reasons = [r.note for r in report.inputs if r.verdict != "pass" and r.note] + report.notes
            reason = reasons[0] if reasons else "no reason given"
        else:
            kind, room = "imprecise forward", 1
            # The judge's note is found by its prefix: a Report gives its notes no kind to read
            # (that needs a field in verify/report, written by verify/judge).
            reason = next((n for n in report.notes if n.startswith(kind)), "")
        if reason:
            shown = a.outcome.program.source(leaf="Value").replace("\n", "; ")
            remark = f"{kind}: {reason.removeprefix(kind + ': ')}; program: {shown}"
            keep_shortest(self.result.remarks, remark, kind, room)
