"""The campaign's last phase: random programs drawn by Hypothesis, each judged, every new bug explained.

Generation only (shrinking is the audit's own, in ``isolate``): each new
finding sets its op and layout aside, and the draw restarts without them, so
that the next bug can show. A failure the judge blames the same way as one
already explained is skipped cheaply; graph-level failures (every step right
alone) are explained at most ``MAX_GRAPH_EXPLANATIONS`` times.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from micrograd.ops import OPS

from ..program import Program
from .coverage import features
from .engine.probes import layouts_of
from .engine.terms import TITLES
from .findings import layout_of
from .ledger import MAX_FINDINGS, Done, Ledger
from .raises import one_step
from .trial import Assessment
from .values import engine_values

MAX_GRAPH_EXPLANATIONS = 3
"""Graph failures of the random phase that are shrunk and explained (each may take seconds)."""


class _Stop(BaseException):
    """Ends a Hypothesis run at once (a new finding, the deadline, the finding limit)."""


class RandomPrograms:
    """``max_examples`` random programs over the ops and layouts not set aside, from ``seed_value`` on."""

    def __init__(self, max_examples: int, seed_value: int) -> None:
        self.max_examples = max_examples
        self.seed_value = seed_value
        self.graph_explained = 0
        self.raw_seen: dict[tuple[str, str, str], tuple[str, str]] = {}
        """(judge's fault kind, op, layout) -> the finding key it was explained as."""

    def run(self, ledger: Ledger) -> None:
        from ..strategies import expressions_in

        remaining = self.max_examples
        rounds = 0
        while remaining > 0:
            ledger.check_time()
            layouts = {op: {lay for lay in ledger.layouts(op) if (op, lay) not in ledger.bad}
                       for op in OPS if op in ledger.chosen}
            layouts = {op: lays for op, lays in layouts.items() if lays}
            if not layouts:
                ledger.result.stopped = ledger.result.stopped or "no op is left to draw random programs from"
                return
            ledger.result.set_aside = set_aside(ledger.bad)
            strategy = expressions_in(layouts, max_depth=ledger.result.depth.max_depth())
            ledger.progress(f"random programs ({remaining} to go, seed {self.seed_value + rounds}) ...")
            done = self._draw(ledger, strategy, remaining, self.seed_value + rounds)
            remaining -= done
            rounds += 1
            if done == 0:
                break

    def _draw(self, ledger: Ledger, strategy: Any, n: int, seed_value: int) -> int:
        """Judge up to ``n`` programs of ``strategy``; how many were judged before a stop."""
        count = [0]
        every = max(1, n // 5)
        result = ledger.result

        @settings(max_examples=n, database=None, deadline=None, derandomize=False, phases=(Phase.generate,),
                  report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
                  verbosity=Verbosity.quiet, print_blob=False)
        @seed(seed_value)
        @given(strategy)
        def audit_one(program: Program) -> None:
            if ledger.lab.out_of_time() or len(result.findings) >= MAX_FINDINGS:
                raise _Stop
            count[0] += 1
            result.examples += 1
            result.ops.update(step.op for step in program.steps)
            result.features.update(features(program))
            if result.examples % every == 0:
                ledger.progress(f"  {result.examples} random programs")
            if self.judge(ledger, program):
                raise _Stop

        with contextlib.suppress(_Stop), hypothesis_files_elsewhere():
            audit_one()
        if ledger.lab.out_of_time():
            result.deadline_hit = True
            result.stopped = "the deadline was hit"
            raise Done
        return count[0]

    def judge(self, ledger: Ledger, program: Program) -> bool:
        """Judge one random program; True when it gave a new finding (the draw then restarts)."""
        a = ledger.lab.check(program)
        ledger.result.verdicts[a.verdict] += 1
        ledger.noted(a, "random")
        if not a.failed:
            return False
        raw = _raw(a)
        if raw is not None and raw in self.raw_seen:
            return False
        if _graph_level(ledger, a):
            if any(f.layout == "graph" and (not f.op or any(s.op == f.op for s in program.steps))
                   for f in ledger.result.findings):
                return False
            if self.graph_explained >= MAX_GRAPH_EXPLANATIONS:
                return False
            self.graph_explained += 1
        finding = ledger.found(a, "random")
        if raw is not None:
            self.raw_seen[raw] = finding.key
        return ledger.record(finding)


def set_aside(bad: set[tuple[str, str]]) -> list[str]:
    """The (op, layout) pairs left out of random programs, as the op table writes them ("add (x∘y)").

    Only layouts the op has: a unary op set aside whole is "tanh (f(x))", not every layout.
    """
    return [f"{op} ({TITLES[lay]})" for op in OPS for lay in layouts_of(op) if (op, lay) in bad]


@contextlib.contextmanager
def hypothesis_files_elsewhere() -> Iterator[None]:
    """While the audit draws, Hypothesis keeps its files in a temporary folder, removed after.

    Its home is ``./.hypothesis`` by default: with no example database it still caches the
    constants of local modules there, and the audit must not write into the user's folder. The
    previous home is put back, so a Hypothesis run of the user's own in this process is unchanged.
    """
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    previous = storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="micrograd-verified-") as scratch:
        set_hypothesis_home_dir(scratch)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)


def _raw(a: Assessment) -> tuple[str, str, str] | None:
    """The judge's blame in a few words, to skip failures already explained."""
    program = a.outcome.program
    n = len(program.inputs)
    fault = a.fault
    if a.verdict == "fail" and fault is not None and fault.culprit is not None and fault.culprit >= n:
        step = program.steps[fault.culprit - n]
        return (fault.kind, step.op, layout_of(step))
    if a.verdict == "crash" and a.outcome.stage == "forward" and a.outcome.slot is not None \
            and a.outcome.slot >= n:
        step = program.steps[a.outcome.slot - n]
        return ("crash", step.op, layout_of(step))
    return None


def _graph_level(ledger: Ledger, a: Assessment) -> bool:
    """A wrong gradient whose blamed step is right alone: the graph's fault (costly to explain)."""
    if a.verdict != "fail" or a.fault is None:
        return False
    fault = a.fault
    program = a.outcome.program
    n = len(program.inputs)
    if fault.kind in ("lost-contribution", "traversal"):
        return True
    if fault.culprit is None or fault.culprit < n:
        return fault.kind != "forward"
    q = one_step(program, fault.culprit, engine_values(a.outcome))
    return ledger.lab.check(q).verdict == "pass"
