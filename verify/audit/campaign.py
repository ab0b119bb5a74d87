"""The campaign: the battery, graph shapes and deep chains, then random programs; every bug, not the first.

Phases, in order, each an object of ``phases`` (or ``random_phase``) run on
one ``ledger.Ledger``, every run judged by ``check_run`` through ``trial.Lab``:

0. what the survey already showed (``SurveyFindings``);
1. battery, first round: every op in every layout the engine has, at the usual points; then
   augmented assignment (``augmented``);
2. each op inside the two smallest graphs (its operand reused; its operand an inner node);
3. graph shapes (fan-out, diamonds, a reconvergent ladder, twins, a sum of 1,000 terms);
4. battery, second round: the tails of every op's domain;
5. chains of 1e3 to 1e5 steps whose every gradient is checked exactly; then several backward()
   calls and a training loop (``accumulate``), once every one-backward() bug these phases can
   find is known;
6. random programs drawn by Hypothesis (generation only: shrinking is ours), with every op and layout
   that already has a finding set aside, so that the next bug can show.

A failure becomes a ``Finding`` through ``explain.explain`` (isolated, shrunk, blamed); a new
one is kept when its (kind, op) is new, up to ``MAX_FINDINGS``. The campaign stops cleanly at
the deadline and says so. At the end, findings that are the same in several ops become one
finding of the engine, and each is run again to see that it reproduces.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from .accumulate import Accumulation
from .augmented import Augmented
from .composite import resolve
from .engine.sandbox import EngineProcess
from .equal import explain_equal
from .findings import Finding
from .ledger import STOPPED, Campaign, Done, Ledger, Progress
from .phases import Battery, Chains, Shapes, SmallGraphs, SurveyFindings
from .random_phase import RandomPrograms
from .reproduce import program_snippet, reproduce, reproduce_snippet
from .survey import Survey

REPRODUCE_MAX_STEPS = 50
"""Findings whose minimal program has more steps than this are not re-run in fresh interpreters."""


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
    ledger = Ledger(engine, survey, ops, progress or (lambda _: None), started, deadline)
    began = time.monotonic()
    try:
        SurveyFindings().run(ledger)
        Battery(core=True).run(ledger)
        Augmented().run(ledger)
        ledger.update_tools()
        SmallGraphs().run(ledger)
        Shapes().run(ledger)
        Battery(core=False).run(ledger)
        ledger.update_tools()
        Chains().run(ledger)
        Accumulation().run(ledger)
        RandomPrograms(max_examples, seed_value).run(ledger)
    except Done:
        pass
    _finish(ledger)
    ledger.result.seconds = time.monotonic() - began
    return ledger.result


def _finish(ledger: Ledger) -> None:
    result = ledger.result
    result.verifier_errors = list(ledger.lab.verifier_errors)
    result.verifier_count = ledger.lab.verifier_failures
    _merge_engine_wide(ledger)
    explain_equal(ledger.lab, result.findings)
    result.remarks += resolve(ledger.lab, result.findings)
    engine = ledger.lab.engine
    # a class in memory has no file a fresh interpreter could load: re-run it in the worker
    fresh = engine.plan.how != "object"
    for finding in result.findings:
        if (finding.kind in (*STOPPED, "in-place", "accumulation") or finding.steps > REPRODUCE_MAX_STEPS
                or ledger.lab.out_of_time()):
            continue
        if fresh:
            snippet = program_snippet(engine.spec, finding.program, engine.ready)
            finding.reproduced = reproduce_snippet(ledger.lab, finding, snippet)
            finding.reproduced_in = "fresh interpreters running the program as printed"
        else:
            finding.reproduced = reproduce(ledger.lab, finding)
            finding.reproduced_in = "the worker"


def _merge_engine_wide(ledger: Ledger) -> None:
    """The same finding in two or more ops, with a cause no op owns, is one finding of the engine."""
    findings = ledger.result.findings
    for kind in ("lost-contribution", "unreadable"):
        same = [f for f in findings if f.kind == kind and f.op]
        ops = {f.op for f in same}
        if kind == "lost-contribution":
            same = [f for f in same if f.layout == "x o x"]
            ops = {f.op for f in same}
            binary = {op for op in ledger.chosen if "x o x" in ledger.survey.layouts(op)}
            engine_wide = len(ops) >= 2 and ops >= {op for op in binary if ledger.good[(op, "x o y")]}
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
