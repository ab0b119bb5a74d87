"""Render an audit for people (coverage, behaviour, every finding with its minimal program) and as JSON.

Renderers only format the ``Finding`` and ``Campaign`` fields: nothing here
decides anything or reads message text.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from micrograd.ops import OPS

from .api import AuditResult
from .composite import root_of
from .coverage import FEATURES
from .engine.probes import layouts_of
from .engine.terms import LAYOUTS, TITLES
from .findings import Finding
from .reproduce import finding_snippet

if TYPE_CHECKING:
    from ..judge.fragility import Fragility
    from ..report.style import Style


def render(result: AuditResult, style: Style | None = None) -> str:
    """The audit as text: coverage, behaviour, and every finding with a pasteable reproduction;
    ``style`` paints verdicts in the report's colours (``verify.report.style``; none by default)."""
    from ..report.style import Style

    paint = (style or Style()).paint
    campaign = result.campaign
    lines = [f"audit of {result.spec.text} (class {result.class_name}), seed {result.seed}", ""]
    lines += _op_table(result, paint)
    lines += ["", *_shapes(result)]
    lines += ["", f"random programs: {campaign.examples} (features: programs out of {campaign.examples})"]
    width = max(len(text) for _, text in FEATURES)
    for key, text in FEATURES:
        lines.append(f"  {text:<{width}}  {campaign.features[key]:>5}")
    if campaign.set_aside:
        lines.append(f"  set aside after a finding: {', '.join(campaign.set_aside)}")
    lines += ["", "engine behaviour:"]
    lines += [f"  {line}" for line in _behaviour(result)]
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(campaign.verdicts.items()))
    battery = sum(campaign.battery.values()) + sum(campaign.shapes.values())
    lines += ["", f"{battery} battery programs and {campaign.examples} random programs in "
                  f"{result.seconds:.1f} s (random: {verdicts or 'none judged'})"]
    if campaign.stopped:
        lines.append(f"stopped early: {campaign.stopped}")
    for error in campaign.verifier_errors:
        lines.append(f"  verifier error (not blamed on the engine): {error}")
    for remark in campaign.remarks:
        lines.append(paint(f"  not a fault: {remark}", "dim"))
    lines += engine_said(result)
    findings, fragile = result.faults, result.fragilities
    if not findings:
        lines.append(paint("DEADLINE HIT: no fault found in what was run", "inconclusive")
                     if campaign.deadline_hit else paint("no fault found", "pass"))
    else:
        count = len(findings)
        lines += ["", paint(f"{count} finding{'' if count == 1 else 's'}:", "fail")]
        for i, finding in enumerate(findings, 1):
            lines += ["", *_finding(result, finding, i, paint=paint)]
    if fragile:
        count = len(fragile)
        counts = "exit 1 with --strict" if not result.strict else "--strict: they fail the audit"
        lines += ["", f"{count} {'fragility' if count == 1 else 'fragilities'} (what an accepted textbook "
                      f"formula for the op also does at the same point; {counts}):"]
        for i, finding in enumerate(fragile, 1):
            lines += ["", *_finding(result, finding, i, "FRAGILITY", paint)]
    if campaign.findings:
        lines += ["", f"reproduce: {result.reproduce()}"]
    failure = result.verifier_failure()
    if failure is not None:
        lines += ["", paint(f"VERIFIER FAILED: {failure}", "fail")]
    return "\n".join(lines) + "\n"


def engine_said(result: AuditResult) -> list[str]:
    """What the engine itself printed (stdout, stderr: at import, in ops, in backward) and what
    loading it remarked (notebook cells that ran, that raised), each line labelled as the engine's."""
    lines = [f"  loading: {note}" for note in (result.ready.notes if result.ready else ())]
    lines += [f"  {line}" for line in result.engine_output.labelled()]
    return ["", "the engine's own output:", *lines] if lines else []


def tested(result: AuditResult, op: str) -> bool:
    """An op is tested when some program with it actually ran."""
    campaign = result.campaign
    return campaign.ops[op] > 0 or any(campaign.battery[(op, layout)] for layout in (*LAYOUTS, "fan-out",
                                                                                       "inner"))


@dataclass(frozen=True)
class OpRow:
    """One op's line of the coverage table."""

    op: str
    cells: tuple[str, ...]
    """Per layout of LAYOUTS: battery programs run, "-" (no such layout), "no" (the engine lacks it);
    a "!" marks a layout a finding showed in."""
    graphs: int
    random: int
    status: str
    faulty: bool


def op_rows(result: AuditResult) -> list[OpRow]:
    """The coverage table as data: what ran for each op, and its status."""
    survey, campaign = result.survey, result.campaign
    chosen = set(OPS) if result.ops is None else set(result.ops)
    bad = {(f.op, layout) for f in result.faults for layout in f.layouts}
    rows = []
    for op in OPS:
        cells = []
        for layout in LAYOUTS:
            if layout not in layouts_of(op):
                cells.append("-")
            elif not survey.present(op, layout):
                cells.append("no")
            else:
                n = campaign.battery[(op, layout)]
                cells.append(f"{n}{'!' if (op, layout) in bad else ''}")
        graphs = campaign.battery[(op, "fan-out")] + campaign.battery[(op, "inner")]
        faults = sorted({f.kind for f in result.faults if f.op == op})
        fragile = sorted({f.kind for f in result.fragilities if f.op == op})
        if any(s.state == "hangs" for s in survey.status.get(op, {}).values()):
            faults = sorted({*faults, "hang"})
        if op not in chosen:
            status = "not tested: left out by --ops"
        elif not survey.layouts(op):
            status = f"not tested: {survey.why_not(op)}"
        elif not tested(result, op) and not faults:
            status = "not tested: nothing ran (the audit stopped first)"
        else:
            status = f"FAULT ({', '.join(faults)})" if faults else "tested"
            if fragile:
                status += f"; fragile ({', '.join(fragile)})"
            missing = [TITLES[lay] for lay in layouts_of(op) if not survey.present(op, lay)]
            if missing:
                status += f"; not tested in {', '.join(missing)}: {survey.why_not(op)}"
            if op in survey.notes:
                status += f" (probe: {survey.notes[op]})"
        rows.append(OpRow(op, tuple(cells), graphs, campaign.ops[op], status, bool(faults)))
    return rows


def _op_table(result: AuditResult, paint: Callable[[str, str], str]) -> list[str]:
    head = " ".join(f"{TITLES[layout]:>5}" for layout in LAYOUTS)
    lines = ["battery programs per op and layout (-: the op has no such layout; no: the engine lacks it)",
             f"  {'op':<8} {head}  {'graphs':>6}  {'random':>6}  status"]
    for row in op_rows(result):
        line = " ".join(f"{c:>5}" for c in row.cells)
        kind = ("fail" if row.faulty else "inconclusive" if "fragile" in row.status
                else "dim" if row.status.startswith("not tested") else "")  # "tested" stays plain
        lines.append(f"  {row.op:<8} {line}  {row.graphs:>6}  {row.random:>6}  {paint(row.status, kind)}")
    return lines


def _shapes(result: AuditResult) -> list[str]:
    campaign = result.campaign
    if not campaign.shapes:
        return ["graph shapes: none run (the engine has no op to build them from, or the audit stopped)"]
    families: Counter[str] = Counter()
    for family, n in campaign.shapes.items():
        families[family.split(" (")[0]] += n
    shown = ", ".join(f"{family} x{n}" for family, n in families.items())
    verdicts = ", ".join(f"{n} {v}" for v, n in sorted(campaign.shape_verdicts.items()))
    lines = [f"graph shapes: {shown} ({verdicts})"]
    if campaign.chains:
        lines.append("deep chains: " + ", ".join(f"{d:,} steps {what}" for d, what in campaign.chains))
    return lines


def _behaviour(result: AuditResult) -> list[str]:
    survey, chain = result.survey, result.campaign.depth
    if not chain.checked:
        depth = "deep graphs: not measured"
    elif chain.failure is None:
        depth = f"deep graphs: a chain {chain.works_to:,} deep works, every gradient exact"
    else:
        depth = (f"deep graphs: works to depth {chain.works_to:,}; {chain.failure} "
                 f"(a limit, not a fault: random programs stay below depth {chain.max_depth()})")
    lines = [depth, survey.twice_behaviour()]
    lines += [f"met in the campaign: {limit}" for limit in result.campaign.limits]
    return lines


def snippet(result: AuditResult, finding: Finding) -> str:
    """The failing program as a script for the audited engine (``reproduce.finding_snippet``)."""
    return finding_snippet(result.spec, finding, result.ready)


def title(finding: Finding) -> str:
    where = f" in {finding.op}" if finding.op else (" (the engine's backward)" if finding.layout == "graph"
                                                    else "")
    layout = TITLES[finding.layout]
    steps = finding.steps
    size = f"{steps} step{'' if steps == 1 else 's'}"
    if not finding.shrunk:
        size += ", not shrunk"
    return (f"{finding.kind}{where} ({layout}, {size}, found by the {finding.phase} after "
            f"{finding.found_seconds:.1f} s)")


def _finding(result: AuditResult, finding: Finding, number: int, heading: str = "FINDING",
             paint: Callable[[str, str], str] = lambda text, _: text) -> list[str]:
    kind = "fail" if finding.fragility is None else "inconclusive"
    lines = [paint(f"{heading} {number}: {title(finding)}", kind), f"  {finding.message}"]
    if finding.fragility is not None:
        lines.append(f"  fragility: {finding.fragility.sentence()}")
    if finding.follows_from:
        root = root_of(finding, result.campaign.findings)
        via = f" (through {finding.follows_from})" if root != finding.follows_from else ""
        lines.append(f"  follows from: {root}{via}: the engine builds {finding.op} as {finding.built_as}, "
                     "bit for bit, so this is not a bug of its own")
    if finding.error is not None:
        stage = f" in {finding.stage}" if finding.stage else ""
        lines.append(f"  exception: {finding.error.shown()}{stage}")
        if finding.error.frame is not None:
            lines.append(f"  raised at: {finding.error.frame.shown()}")
    said = bool(finding.expected) and finding.expected in finding.message  # the message said it already
    if (finding.expected or finding.actual) and not said:
        of = f" (gradient of {finding.node})" if finding.node and finding.kind != "forward" else ""
        lines.append(f"  expected {finding.expected or '?'}, the engine gave {finding.actual or '?'}{of}")
    others = [TITLES[lay] for lay in finding.layouts if lay != finding.layout]
    if others:
        lines.append(f"  also seen in: {', '.join(others)}")
    lines += ["  minimal program:"]
    lines += [f"      {line}" for line in snippet(result, finding).splitlines()]
    if finding.evidence:
        lines.append("  how it was blamed:")
        lines += [f"    {line}" for line in finding.evidence[:6]]
    if finding.reproduced is not None:
        lines.append(f"  {reproduction(finding)}")
    if finding.original_steps and finding.original_steps != finding.steps:
        lines.append(f"  shrunk from {finding.original_steps} steps in {finding.shrink_seconds:.1f} s "
                     f"({finding.shrink_attempts} attempts)")
    return lines


def reproduction(finding: Finding) -> str:
    """How often the minimal program showed the bug again, and where."""
    assert finding.reproduced is not None
    k, n = finding.reproduced
    where = f" in {finding.reproduced_in}" if finding.reproduced_in else ""
    said = "yes" if k == n else "no" if k == 0 else "sometimes"
    why = ("" if k == n else " (the engine is nondeterministic: set order, ids?)" if k
           else " (the snippet does not show it: please report this)")
    return f"reproduces: {said}, {k} of {n} runs{where}{why}"


def finding_dict(result: AuditResult, finding: Finding) -> dict[str, Any]:
    program = finding.program
    error = None if finding.error is None else finding.error.to_wire()
    return {
        "kind": finding.kind, "op": finding.op, "layout": finding.layout, "layouts": list(finding.layouts),
        "phase": finding.phase, "message": finding.message, "node": finding.node,
        "culprit": finding.culprit, "operand": finding.operand,
        "expected": finding.expected, "actual": finding.actual, "confirmed": finding.confirmed,
        "evidence": list(finding.evidence), "stage": finding.stage, "error": error,
        "steps": finding.steps, "inputs": dict(program.inputs), "shrunk": finding.shrunk,
        "original_steps": finding.original_steps, "shrink_seconds": round(finding.shrink_seconds, 3),
        "found_seconds": round(finding.found_seconds, 3),
        "reproduced": None if finding.reproduced is None else list(finding.reproduced),
        "reproduced_in": finding.reproduced_in,
        "snippet": snippet(result, finding),
        "category": finding.category,
        "built_as": finding.built_as,
        "follows_from": root_of(finding, result.campaign.findings) if finding.follows_from else "",
        "fragility": None if finding.fragility is None else fragility_dict(finding.fragility),
        "report": None if finding.report is None else finding.report.to_dict(),
    }


def fragility_dict(fragility: Fragility) -> dict[str, Any]:
    return {"formula": fragility.formula, "what": fragility.what, "digits_lost": fragility.digits_lost,
            "robust": fragility.robust}


def schema() -> dict[str, Any]:
    """The JSON Schema of ``to_dict``'s document (``audit.schema.json``, shipped with the package): one
    document for a scalar audit (``$defs/scalar``) and a tensor audit (``$defs/tensor``); a scalar
    finding's ``report`` refers to ``verify.report.schema()`` by its ``$id``."""
    import json
    from importlib.resources import files

    loaded: dict[str, Any] = json.loads(files(__package__).joinpath("audit.schema.json").read_text("utf-8"))
    return loaded


def _json_number(x: Any) -> Any:
    """A non-finite float as its repr ("nan", "inf"): JSON has no such numbers."""
    return repr(x) if isinstance(x, float) and not math.isfinite(x) else x


def to_dict(result: AuditResult) -> dict[str, Any]:
    """The audit as JSON-ready data."""
    survey, campaign = result.survey, result.campaign
    chosen = set(OPS) if result.ops is None else set(result.ops)
    ops = {
        op: {
            "layouts": {layout: survey.present(op, layout) for layout in layouts_of(op)},
            "battery": {layout: campaign.battery[(op, layout)]
                        for layout in (*layouts_of(op), "fan-out", "inner")},
            "tested": op in chosen and bool(survey.layouts(op)) and tested(result, op),
            "steps": campaign.ops[op],
            "why_not": None if survey.layouts(op) else survey.why_not(op),
        }
        for op in OPS
    }
    return {
        "engine": result.spec.text, "class": result.class_name, "seed": result.seed,
        "max_examples": result.max_examples, "examples": campaign.examples,
        "seconds": round(result.seconds, 3), "ok": result.ok, "exit_code": result.exit_code,
        "deadline": result.deadline, "deadline_hit": campaign.deadline_hit, "stopped": campaign.stopped,
        "ops": ops, "shapes": dict(campaign.shapes), "shape_verdicts": dict(campaign.shape_verdicts),
        "chains": [{"depth": d, "result": w} for d, w in campaign.chains],
        "battery_verdicts": dict(campaign.battery_verdicts),
        "features": {key: campaign.features[key] for key, _ in FEATURES},
        "verdicts": dict(campaign.verdicts), "verifier_errors": list(campaign.verifier_errors),
        "verifier_failures": campaign.verifier_failures,
        "remarks": list(campaign.remarks), "set_aside": list(campaign.set_aside),
        "depth": {"works_to": campaign.depth.works_to, "failure": campaign.depth.failure},
        "backward_twice": {**{k: _json_number(v) for k, v in survey.twice.items()},
                           "summary": survey.twice_behaviour()},
        "limits_met": list(campaign.limits),
        "findings": [finding_dict(result, f) for f in result.faults],
        "fragilities": [finding_dict(result, f) for f in result.fragilities],
        "strict": result.strict, "verdict": result.verdict,
        "reproduce": result.reproduce(),
        "engine_output": result.engine_output.to_dict(),
        "load_notes": list(result.ready.notes) if result.ready else [],
    }
