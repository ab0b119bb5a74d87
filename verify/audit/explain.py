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

import time

from .findings import Finding
from .isolate import (
    ISOLATION_RUNS,
    Context,
    death,
    graph_crash,
    rounded,
    same_crash,
    same_verdict,
    shrunk_then,
    single,
)
from .raises import one_step
from .shrink import rebuild
from .substitute import explain_graph
from .trial import HANG_PROBE, Assessment, Lab
from .values import engine_values


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
                return shrunk_then(lab, qa, ctx, same_crash(qa), single)
        return shrunk_then(lab, a, ctx, same_crash(a), single)
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
                return rounded(lab, single(lab, qa), qa)
        if v in ("hang", "died"):
            verb = "hangs" if v == "hang" else "dies"
            return Finding(death(a), "", "graph", program,
                           f"the engine {verb} on this program ({a.reason}), "
                           "though each of its steps alone runs",
                           shrunk=False)
        return shrunk_then(lab, a, ctx, same_verdict(v), graph_crash)
    fault = a.fault
    assert fault is not None and a.report is not None
    if fault.culprit is not None and fault.culprit >= n and fault.op and fault.kind in (
            "forward", "wrong-rule", "non-finite"):
        q = one_step(program, fault.culprit, values)
        for _ in range(ISOLATION_RUNS):
            qa = lab.check(q)
            if qa.verdict == "fail":
                found = rounded(lab, single(lab, qa), qa)
                found.evidence.insert(0, f"in the {len(program.steps)}-step program the judge blamed "
                                         f"{program.names()[fault.culprit]}; alone it fails too")
                return found
            if qa.verdict != "pass":
                break
    return explain_graph(lab, a, ctx)
