"""The campaign: the battery, graph shapes and deep chains, then random programs; every bug, not the first.

Phases, in order, each judged by ``check_run`` through ``diagnose.Lab``:

1. battery, first round: every op in every layout the engine has, at the usual points;
2. each op inside the two smallest graphs (its operand reused; its operand an inner node);
3. battery, second round: the tails of every op's domain;
4. graph shapes (fan-out, diamonds, a reconvergent ladder, twins, a sum of 1,000 terms) and chains
   of 1e3 to 1e5 steps whose every gradient is checked exactly;
5. random programs drawn by Hypothesis (generation only: shrinking is ours), with every op and layout
   that already has a finding set aside, so that the next bug can show.

A failure becomes a ``Finding`` through ``diagnose.explain`` (isolated, shrunk, blamed); a new
one is kept when its (kind, op) is new, up to ``MAX_FINDINGS``. The campaign stops cleanly at
the deadline and says so.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

from micrograd.ops import OPS

from ..program import Program
from .battery import Case, Tools, chain_program, graph_cases, op_cases, shape_cases
from .coverage import features
from .diagnose import Assessment, Context, Lab, explain, reproduce, reproduce_snippet, single
from .findings import Finding, layout_of, stopped_kind
from .sandbox import EngineFailed, EngineProcess
from .snippet import program_snippet
from .survey import Survey

STOPPED = ("hang", "died", "memory", "tampered")
"""Kinds of finding where the engine's worker stopped answering: never retried, shrunk or re-run."""
MAX_FINDINGS = 10
"""Distinct bugs listed at most; the campaign stops looking after this many."""
DEPTHS = (1_000, 10_000, 100_000)
"""Chains whose every gradient is checked exactly."""
_BISECTIONS = 14
MAX_GRAPH_EXPLANATIONS = 3
"""Graph failures of the random phase that are shrunk and explained (each may take seconds)."""
REPRODUCE_MAX_STEPS = 50
"""Findings whose minimal program has more steps than this are not re-run in fresh interpreters."""

Progress = Callable[[str], None]


@dataclass
class Campaign:
    """What the campaign did and found."""

    findings: list[Finding] = field(default_factory=list)
    battery: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(op, layout) -> battery cases run (layouts include "fan-out" and "inner")."""
    battery_verdicts: Counter[str] = field(default_factory=Counter)
    shapes: Counter[str] = field(default_factory=Counter)
    """Shape family -> programs run."""
    shape_verdicts: Counter[str] = field(default_factory=Counter)
    chains: list[tuple[int, str]] = field(default_factory=list)
    """Each chain depth tried and what happened ("exact", "RecursionError in backward", "wrong ...")."""
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
    same = [i for i, r in enumerate(remarks) if r.startswith(kind)]
    if len(same) < room:
        remarks.append(remark)
        return
    longest = max(same, key=lambda i: len(remarks[i]))
    if len(remark) < len(remarks[longest]):
        remarks[longest] = remark


class _Stop(BaseException):
    """Ends a Hypothesis run at once (a new finding, the deadline, the finding limit)."""


class _Done(Exception):
    """The campaign has nothing more to do."""


def run_campaign(
    engine: EngineProcess,
    survey: Survey,
    *,
    max_examples: int,
    seed_value: int,
    ops: Sequence[str] | None = None,
    progress: Progress | None = None,
    started: float | None = None,
    deadline: float | None = None,
) -> Campaign:
    """Audit ``engine`` on what the survey found; ``deadline`` is a ``time.monotonic()`` value."""
    state = _State(engine, survey, ops, progress or (lambda _: None), started, deadline)
    began = time.monotonic()
    try:
        state.survey_findings()
        state.battery(core=True)
        state.tools()
        state.graphs()
        state.shapes()
        state.battery(core=False)
        state.tools()
        state.chains()
        state.random(max_examples, seed_value)
    except _Done:
        pass
    state.finish()
    state.result.seconds = time.monotonic() - began
    return state.result


class _State:
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
        self.graph_explained = 0
        self.raw_seen: dict[tuple[str, str, str], tuple[str, str]] = {}
        """(judge's fault kind, op, layout) -> the finding key it was explained as."""

    # ---- bookkeeping ----

    def layouts(self, op: str) -> list[str]:
        return self.survey.layouts(op) if op in self.chosen else []

    def check_time(self) -> None:
        if self.lab.out_of_time():
            self.result.deadline_hit = True
            self.result.stopped = "the deadline was hit"
            raise _Done
        if len(self.result.findings) >= MAX_FINDINGS:
            self.result.stopped = f"{MAX_FINDINGS} findings: the limit"
            raise _Done

    def seconds(self) -> float:
        return time.monotonic() - self.lab.started

    def context(self, phase: str) -> Context:
        subs = [t for t in (("mul", "x o c"), ("add", "x o c"), ("sub", "x o c"), ("add", "x o y"),
                            ("mul", "x o y"), ("sub", "x o y"), ("add", "x o x"), ("mul", "x o x"),
                            ("sub", "x o x")) if self.good[t] and t not in self.bad]
        return Context(phase, set(self.bad), subs, self.fan_out_two_ok,
                       [f for f in self.result.findings if f.layout == "graph"])

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
        self._set_aside(finding)
        what = f"{finding.kind}{' in ' + finding.op if finding.op else ''}"
        self.progress(f"  finding {len(self.result.findings)}: {what} ({finding.phase}, "
                      f"{finding.steps} step{'' if finding.steps == 1 else 's'}, "
                      f"{finding.found_seconds:.1f} s)")
        return True

    def _set_aside(self, finding: Finding) -> None:
        if not finding.op:
            return
        if finding.layout in ("graph", "f(x)") or finding.kind in STOPPED:
            self.bad.update((finding.op, layout) for layout in ("f(x)", "x o y", "x o c", "c o x", "x o x"))
        else:
            self.bad.add((finding.op, finding.layout))
            if finding.layout == "x o y" and finding.kind != "lost-contribution":
                self.bad.add((finding.op, "x o x"))

    def found(self, a: Assessment, phase: str) -> Finding:
        when = (a.at or time.monotonic()) - self.lab.started
        finding = explain(self.lab, a, self.context(phase))
        finding.found_seconds = when
        return finding

    # ---- phase 0: what the survey already showed ----

    def survey_findings(self) -> None:
        hung = [(op, layout, s) for op, per in self.survey.status.items() if op in self.chosen
                for layout, s in per.items() if s.state == "hangs" and "skipped" not in s.reason]
        if hung:
            op, layout, status = hung[0]
            others = ", ".join(o for o, _, _ in hung[1:])
            program = _probe_program(op, layout)
            message = (f"{_written(program)} did not finish within the probe's time limit "
                       f"({status.reason})" + (f"; so did {others}" if others else ""))
            finding = Finding("hang", op, layout, program, message, phase="survey", confirmed=True,
                              shrunk=False, evidence=[f"{o} ({lay}) hangs" for o, lay, _ in hung],
                              found_seconds=self.seconds())
            self.record(finding)
            for o, _, _ in hung:
                self.bad.update((o, lay) for lay in ("f(x)", "x o y", "x o c", "c o x", "x o x", "hang"))
        problem = self.survey.backward_problem
        if problem is not None:
            program = Program((("x", 0.7), ("y", 1.3)), (_join_step(problem["op"]),))
            if "hang" in problem:
                kind = stopped_kind(problem.get("failed", "hang"))
                what = "did not finish" if kind == "hang" else "failed"
                finding = Finding(kind, "", "graph", program,
                                  f"backward() after {_written(program)} {what} ({problem['hang']}); "
                                  "so it does whichever op combines the two leaves", phase="survey",
                                  confirmed=True, shrunk=False, found_seconds=self.seconds())
            else:
                from .outcome import EngineError, Frame

                frame = problem.get("frame")
                error = EngineError(problem["type"], problem["message"],
                                    None if not frame else Frame(frame["file"], frame["line"],
                                                                 frame["function"], frame["source"]))
                finding = Finding("crash", "", "graph", program,
                                  f"backward() after {_written(program)} raised {error.shown()}, "
                                  "whichever op combines the two leaves", phase="survey", confirmed=True,
                                  error=error, stage="backward", found_seconds=self.seconds())
            self.record(finding)
            self.result.stopped = "backward() fails on every program: nothing else can be judged"
            raise _Done
        bad = self.survey.backward_grads
        if bad:
            program = Program((("x", 0.7), ("y", 1.3)), (_join_step(self.survey.join),))
            shown = ", ".join(f"{k}.grad is {v}" for k, v in bad.items())
            finding = Finding("unreadable", "", "graph", program,
                              f"after {_written(program)} and backward(), {shown}: not a real number",
                              phase="survey", confirmed=True, found_seconds=self.seconds())
            self.record(finding)
            self.result.stopped = "gradients are not numbers: nothing else can be judged"
            raise _Done

    # ---- phases 1 and 3: the battery ----

    def battery(self, core: bool) -> None:
        self.progress(f"battery ({'the usual points' if core else 'the tails'}) ...")
        for op in OPS:
            for layout in self.layouts(op):
                for case in op_cases(op, [layout]):
                    if case.core != core:
                        continue
                    self.check_time()
                    if (op, "hang") in self.bad:
                        break
                    self.run_case(case, "battery")

    def run_case(self, case: Case, phase: str) -> Assessment:
        timeout = None
        a = self.lab.check(case.program, timeout)
        self._count(case, a, phase)
        if a.verdict in ("hang", "died"):
            self.bad.add((case.op, "hang"))  # each further case would cost the time limit again
        if a.failed:
            if phase == "shapes" and self._explained_by_known(a):
                return a
            if phase == "battery" and self._quick_key(a) in {f.key for f in self.result.findings}:
                return a  # the same bug again, at another point: nothing new to explain
            finding = self.found(a, phase)
            self.record(finding)
            if phase == "battery":
                self.bad.add((case.op, case.layout))
                if finding.kind in STOPPED:
                    self.bad.add((case.op, "hang"))
        elif a.verdict == "pass" and phase == "battery":
            self.good[(case.op, case.layout)] += 1
        return a

    def _count(self, case: Case, a: Assessment, phase: str) -> None:
        if phase == "battery":
            self.result.battery[(case.op, case.layout)] += 1
            self.result.battery_verdicts[a.verdict] += 1
        else:
            self.result.shapes[case.layout] += 1
            self.result.shape_verdicts[a.verdict] += 1
        if a.verdict == "limit" and len(self.result.limits) < 3:
            self.result.limits.append(a.reason)
        self._remark(a)

    def _quick_key(self, a: Assessment) -> tuple[str, str]:
        """The key a one-step failure's finding will have, without explaining it (cheap)."""
        step = a.outcome.program.steps[-1]
        if a.verdict != "fail" or a.fault is None:
            return (a.verdict, step.op)
        kind = a.fault.kind
        if kind in ("forward", "non-finite", "seed"):
            return (kind, step.op if kind != "seed" else "")
        if layout_of(step) == "x o x" and (step.op, "x o y") not in self.bad:
            return ("lost-contribution", step.op)
        return ("wrong-rule", step.op)

    def _explained_by_known(self, a: Assessment) -> bool:
        return any((s.op, layout_of(s)) in self.bad for s in a.outcome.program.steps)

    def _remark(self, a: Assessment) -> None:
        report = a.report
        if report is None or report.verdict not in ("inconclusive", "pass"):
            return
        if report.verdict == "inconclusive":
            kind, room = "inconclusive", 2
            reasons = [r.note for r in report.inputs if r.verdict != "pass" and r.note] + report.notes
            reason = reasons[0] if reasons else "no reason given"
        else:
            kind, room = "imprecise forward", 1
            reason = next((n for n in report.notes if n.startswith(kind)), "")
        if reason:
            shown = a.outcome.program.source(leaf="Value").replace("\n", "; ")
            remark = f"{kind}: {reason.removeprefix(kind + ': ')}; program: {shown}"
            keep_shortest(self.result.remarks, remark, kind, room)

    # ---- phase 2: each op in the smallest graphs ----

    def tools(self) -> None:
        def ok(op: str, layout: str) -> bool:
            return self.good[(op, layout)] > 0 and (op, layout) not in self.bad

        edge = next((t for t in (("mul", "x o c"), ("add", "x o c"), ("sub", "x o c"), ("div", "x o c"))
                     if ok(*t)), None)
        join = next((t for t in (("add", "x o y"), ("mul", "x o y"), ("sub", "x o y")) if ok(*t)), None)
        self.toolkit = Tools(edge, join)

    def graphs(self) -> None:
        if self.toolkit.join is None:
            return
        self.progress("each op in a small graph ...")
        for op in OPS:
            for layout in self.layouts(op):
                if layout == "x o x" or (op, layout) in self.bad:
                    continue
                for case in graph_cases(op, layout, self.toolkit):
                    self.check_time()
                    if (op, layout) in self.bad:
                        break
                    a = self.lab.check(case.program)
                    self.result.battery[(op, case.layout)] += 1
                    self.result.battery_verdicts[a.verdict] += 1
                    if a.failed:
                        finding = self.found(a, "battery")
                        self.record(finding)
                        if finding.op == op:
                            self.bad.add((op, layout))
                        break

    # ---- phase 4: graph shapes and deep chains ----

    def shapes(self) -> None:
        cases = shape_cases(self.toolkit)
        if not cases:
            return
        self.progress(f"graph shapes ({len(cases)} programs) ...")
        failed: list[tuple[Case, Assessment]] = []
        for case in cases:
            self.check_time()
            a = self.lab.check(case.program)
            self._count(case, a, "shapes")
            if a.failed:
                failed.append((case, a))
        # Whether two uses are enough to go wrong tells traversal order from lost contributions.
        self.fan_out_two_ok = not any(c.layout.startswith(("diamond", "fan-out 2")) for c, _ in failed)
        explained = 0
        for _, a in sorted(failed, key=lambda f: len(f[0].program.steps)):
            self.check_time()
            if self._explained_by_known(a) or explained >= 2:
                continue
            if any(f.layout == "graph" and not f.op for f in self.result.findings) and \
                    self._quick_graph(a):
                continue
            explained += 1
            self.record(self.found(a, "shapes"))

    def _quick_graph(self, a: Assessment) -> bool:
        """A graph failure of the kind an engine-wide finding already explains."""
        kinds = {f.kind for f in self.result.findings if f.layout == "graph" and not f.op}
        fault = a.fault
        return fault is not None and (fault.kind in ("lost-contribution", "traversal", "wrong-rule")
                                      and bool(kinds & {"lost-contribution", "traversal"}))

    def chains(self) -> None:
        edge = self.toolkit.edge
        if edge is not None and edge[0] in ("add", "sub", "mul"):
            payload: tuple[str, str, float] = (edge[0], edge[1], 1.0)
        elif self.toolkit.join is not None and self.toolkit.join[0] in ("add", "sub"):
            payload = (self.toolkit.join[0], "x o y", 0.0)
        elif self.toolkit.join is not None and self.toolkit.join[0] == "mul":
            payload = ("mul", "x o y", 1.0)
        else:
            return
        self.progress("deep chains ...")
        self.survey.depth_checked = True

        def probe(depth: int) -> tuple[str, int | None]:
            """"exact", "wrong" (with the depth the gradients stop at), or the failure."""
            try:
                answer = self.engine.request("depth", (depth, *payload))
            except EngineFailed as failure:
                return f"{failure.kind}: {failure}", None
            if "error" in answer and "ok" not in answer:
                e = answer["error"]
                return (f"{e['type']}: {e['message']}" if isinstance(e, dict) else str(e)), None
            if not answer["ok"]:
                return f"{answer['error']} in {answer['stage']}", None
            if answer["first_wrong"] is not None:
                return "wrong", answer["first_wrong"]
            return "exact", None

        good, bad, why, wrong_at = 0, None, None, None
        for depth in DEPTHS:
            self.check_time()
            what, at = probe(depth)
            shown = what if what != "wrong" else f"gradients wrong below depth {at}"
            self.result.chains.append((depth, shown))
            if what != "exact":
                bad, why, wrong_at = depth, what, at
                break
            good = depth
        if bad is not None and why is not None and (why == "wrong" or "RecursionError" in why):
            lo = max(good, 100 if why != "wrong" else 1)
            if good == 0 and why != "wrong":
                what, at = probe(100)
                if what == "exact":
                    good = lo = 100
            for _ in range(_BISECTIONS):
                if bad - lo <= 1:
                    break
                middle = (lo + bad) // 2
                what, at = probe(middle)
                if what == "exact":
                    lo = good = middle
                elif (what == "wrong") == (why == "wrong"):
                    bad, wrong_at = middle, at if what == "wrong" else wrong_at
                else:
                    break
        if why == "wrong":
            self.survey.depth_ok = good
            self.survey.depth_failure = None
            program = chain_program(bad or 0, *payload)
            step = program.steps[0]
            text = OPS[step.op].write("y", "z" if payload[1] == "x o y" else repr(payload[2]))
            message = (f"a chain of {bad:,} steps (y = {text}, repeated): every gradient must be exactly 1, "
                       f"but the gradients are wrong from depth {wrong_at:,} down (the chain of {good:,} "
                       "steps is exact): backward silently stops partway (a depth cap, or a truncated pass)")
            finding = Finding("traversal", "", "graph", program, message, phase="shapes", node="x",
                              expected="1.0", actual="not 1", confirmed=True, shrunk=False,
                              found_seconds=self.seconds(),
                              evidence=[f"chain of {d:,}: {w}" for d, w in self.result.chains])
            self.record(finding)
        else:
            self.survey.depth_ok = good
            self.survey.depth_failure = None if bad is None else f"{why} at depth {bad}"

    # ---- phase 5: random programs ----

    def random(self, max_examples: int, seed_value: int) -> None:
        from ..strategies import expressions_in

        remaining = max_examples
        rounds = 0
        while remaining > 0:
            self.check_time()
            layouts = {op: {lay for lay in self.layouts(op) if (op, lay) not in self.bad}
                       for op in OPS if op in self.chosen}
            layouts = {op: lays for op, lays in layouts.items() if lays}
            if not layouts:
                self.result.stopped = self.result.stopped or "no op is left to draw random programs from"
                return
            self.result.set_aside = sorted(f"{op} ({layout})" for op, layout in self.bad)
            strategy = expressions_in(layouts, max_depth=self.survey.max_depth())
            self.progress(f"random programs ({remaining} to go, seed {seed_value + rounds}) ...")
            done = self._hypothesis(strategy, remaining, seed_value + rounds)
            remaining -= done
            rounds += 1
            if done == 0:
                break

    def _hypothesis(self, strategy: Any, n: int, seed_value: int) -> int:
        count = [0]
        every = max(1, n // 5)

        @settings(max_examples=n, database=None, deadline=None, derandomize=False, phases=(Phase.generate,),
                  report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
                  verbosity=Verbosity.quiet, print_blob=False)
        @seed(seed_value)
        @given(strategy)
        def audit_one(program: Program) -> None:
            if self.lab.out_of_time() or len(self.result.findings) >= MAX_FINDINGS:
                raise _Stop
            count[0] += 1
            self.result.examples += 1
            self.result.ops.update(step.op for step in program.steps)
            self.result.features.update(features(program))
            if self.result.examples % every == 0:
                self.progress(f"  {self.result.examples} random programs")
            if self.judge_random(program):
                raise _Stop

        with contextlib.suppress(_Stop):
            audit_one()
        if self.lab.out_of_time():
            self.result.deadline_hit = True
            self.result.stopped = "the deadline was hit"
            raise _Done
        return count[0]

    def judge_random(self, program: Program) -> bool:
        """Judge one random program; True when it gave a new finding (the draw then restarts)."""
        a = self.lab.check(program)
        self.result.verdicts[a.verdict] += 1
        if a.verdict == "limit" and len(self.result.limits) < 3:
            self.result.limits.append(a.reason)
        self._remark(a)
        if not a.failed:
            return False
        raw = self._raw(a)
        if raw is not None and raw in self.raw_seen:
            return False
        graph_level = self._graph_level(a)
        if graph_level:
            if any(f.layout == "graph" and (not f.op or any(s.op == f.op for s in program.steps))
                   for f in self.result.findings):
                return False
            if self.graph_explained >= MAX_GRAPH_EXPLANATIONS:
                return False
            self.graph_explained += 1
        finding = self.found(a, "random")
        if raw is not None:
            self.raw_seen[raw] = finding.key
        return self.record(finding)

    def _raw(self, a: Assessment) -> tuple[str, str, str] | None:
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

    def _graph_level(self, a: Assessment) -> bool:
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
        from .diagnose import one_step
        from .outcome import engine_values

        q = one_step(program, fault.culprit, engine_values(a.outcome))
        return self.lab.check(q).verdict == "pass"

    # ---- the end ----

    def finish(self) -> None:
        result = self.result
        result.verifier_errors = list(self.lab.verifier_errors)
        result.verifier_count = self.lab.verifier_failures
        self._merge_engine_wide()
        engine = self.lab.engine
        # a class in memory has no file a fresh interpreter could load: re-run it in the worker
        fresh = engine.plan.how != "object"
        for finding in result.findings:
            if finding.kind in STOPPED or finding.steps > REPRODUCE_MAX_STEPS or self.lab.out_of_time():
                continue
            if fresh:
                snippet = program_snippet(engine.spec, finding.program, engine.ready)
                finding.reproduced = reproduce_snippet(self.lab, finding, snippet)
                finding.reproduced_in = "fresh interpreters running the program as printed"
            else:
                finding.reproduced = reproduce(self.lab, finding)
                finding.reproduced_in = "the worker"

    def _merge_engine_wide(self) -> None:
        """The same finding in two or more ops, with a cause no op owns, is one finding of the engine."""
        findings = self.result.findings
        for kind in ("lost-contribution", "unreadable"):
            same = [f for f in findings if f.kind == kind and f.op]
            ops = {f.op for f in same}
            if kind == "lost-contribution":
                same = [f for f in same if f.layout == "x o x"]
                ops = {f.op for f in same}
                binary = {op for op in self.chosen if "x o x" in self.survey.layouts(op)}
                engine_wide = len(ops) >= 2 and ops >= {op for op in binary if self.good[(op, "x o y")]}
            else:
                engine_wide = len(ops) >= 2
            if not engine_wide:
                continue
            first = min(same, key=lambda f: f.steps)
            merged = Finding(kind, "", first.layout, first.program,
                             f"{first.message} (the same in {', '.join(sorted(ops))}: "
                             "the engine's, not one op's)",
                             phase=first.phase, culprit=first.culprit, operand=first.operand, node=first.node,
                             expected=first.expected, actual=first.actual,
                             evidence=[f.message for f in same], confirmed=True, report=first.report,
                             layouts=sorted({f.layout for f in same}), found_seconds=min(f.found_seconds
                                                                                       for f in same),
                             shrink_seconds=first.shrink_seconds, original_steps=first.original_steps)
            keep = [f for f in findings if f not in same]
            if not any(f.key == merged.key for f in keep):
                keep.insert(findings.index(same[0]) if same[0] in findings else 0, merged)
            findings[:] = keep


def _probe_program(op: str, layout: str) -> Program:
    from ..program import Const, Step

    row = OPS[op]
    if row.arity == 1:
        return Program((("x", 0.7),), (Step(op, (0,)),))
    right = {"powi": 3.0, "powc": 0.5}.get(op, 1.3)
    if layout == "x o y":
        return Program((("x", 0.7), ("y", right)), (Step(op, (0, 1)),))
    if layout == "x o c":
        return Program((("x", 0.7),), (Step(op, (0, Const(right))),))
    return Program((("x", right),), (Step(op, (Const(0.7), 0)),))


def _join_step(op: str) -> Any:
    from ..program import Step

    return Step(op, (0, 1))


def _written(program: Program) -> str:
    from .diagnose import written

    return written(program)


__all__ = ["MAX_FINDINGS", "Campaign", "keep_shortest", "run_campaign", "single"]
