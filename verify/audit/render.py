"""Render an audit for people (coverage table, limits, the minimal failing program) and as JSON."""

from __future__ import annotations

from typing import Any

from micrograd.ops import OPS

from .api import Audit
from .campaign import Finding
from .coverage import FEATURES
from .probe import FORMS, forms_of
from .snippet import program_snippet

_FORM_TITLES = {"v": "f(x)", "vv": "x∘y", "vc": "x∘2", "cv": "2∘x"}


def render(result: Audit) -> str:
    """The audit as text: coverage, findings, and on a fault a pasteable reproduction."""
    campaign = result.campaign
    lines = [f"audit of {result.spec.text} (class {result.class_name}), seed {result.seed}", ""]
    lines += _op_table(result)
    lines += ["", f"features covered (programs out of {campaign.examples}):"]
    width = max(len(text) for _, text in FEATURES)
    for key, text in FEATURES:
        lines.append(f"  {text:<{width}}  {campaign.features[key]:>5}")
    lines += ["", "engine behaviour:"]
    lines += [f"  {line}" for line in _behaviour(result)]
    verdicts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(campaign.verdicts.items()))
    lines += ["", f"{campaign.examples} programs in {campaign.seconds:.1f} s ({verdicts or 'none judged'})"]
    for error in campaign.verifier_errors:
        lines.append(f"  verifier error (not blamed on the engine): {error}")
    for remark in campaign.remarks:
        lines.append(f"  not a fault: {remark}")
    finding = campaign.finding
    if finding is None:
        lines.append("no fault found")
    else:
        lines += ["", *_fault(result, finding)]
    failure = result.verifier_failure()
    if failure is not None:
        lines += ["", f"VERIFIER FAILED: {failure}"]
    return "\n".join(lines) + "\n"


def _op_table(result: Audit) -> list[str]:
    survey, counts = result.survey, result.campaign.ops
    chosen = set(OPS) if result.ops is None else set(result.ops)
    lines = [f"  {'op':<8} {'f(x)':>5} {'x∘y':>5} {'x∘2':>5} {'2∘x':>5}  {'steps':>6}  status"]
    for op in OPS:
        marks = []
        for form in ("v", *FORMS):
            if form not in forms_of(op):
                marks.append("")
            else:
                marks.append("yes" if survey.works(op, form) else "no")
        if op not in survey.drawable_ops():
            main = forms_of(op)[0]
            status = f"not tested: {survey.forms.get(op, {}).get(main) or 'absent'}"
        elif op not in chosen:
            status = "not tested: left out by --ops"
        else:
            status = "tested" + (f" (probe: {survey.notes[op]})" if op in survey.notes else "")
        cells = " ".join(f"{mark:>5}" for mark in marks)
        lines.append(f"  {op:<8} {cells}  {counts[op]:>6}  {status}")
    return lines


def _behaviour(result: Audit) -> list[str]:
    survey = result.survey
    if survey.depth_failure is None:
        depth = f"deep graphs: a chain {survey.depth_ok:,} deep works"
    else:
        depth = (f"deep graphs: works to depth {survey.depth_ok:,}; {survey.depth_failure} "
                 f"(a finding, not a fault: programs stay below depth {survey.max_depth()})")
    lines = [depth, survey.twice_behaviour()]
    lines += [f"met in the campaign: {limit}" for limit in result.campaign.limits]
    return lines


def snippet(result: Audit, finding: Finding) -> str:
    """The failing program as a script for the audited engine (``snippet.program_snippet``)."""
    return program_snippet(result.spec, finding.program, result.ready)


def _fault(result: Audit, finding: Finding) -> list[str]:
    program = finding.program
    where = "" if not finding.op else f" in {finding.op}"
    count = len(program.steps)
    size = f"{count} step{'' if count == 1 else 's'}" + ("" if finding.shrunk else ", not shrunk")
    lines = [f"FAULT: {finding.kind}{where} ({size})", "", "minimal failing program:"]
    lines += [f"    {line}" for line in snippet(result, finding).splitlines()]
    point = ", ".join(f"{n} = {v!r}" for n, v in program.inputs)
    lines += ["", f"at {point}"]
    report = finding.report
    if report is not None and report.faults:
        blamed = report.faults[0]
        operands = ", ".join(repr(x) for x in blamed.operands)
        lines.append(f"blamed: {blamed.name} = {blamed.op}({operands}), {blamed.kind}: "
                     f"expected {blamed.expected}, engine gave {blamed.actual!r}")
        lines.append(f"        {blamed.message}")
    else:
        lines.append(f"blamed: {finding.op or 'unknown'}: {finding.message}")
    if report is not None:
        lines += ["", *("  " + line for line in report.render().splitlines())]
    lines += ["", f"reproduce: {result.reproduce()}"]
    return lines


def to_dict(result: Audit) -> dict[str, Any]:
    """The audit as JSON-ready data."""
    survey, campaign = result.survey, result.campaign
    chosen = set(OPS) if result.ops is None else set(result.ops)
    ops = {
        op: {
            "forms": {form: survey.forms.get(op, {}).get(form, "absent") is None for form in forms_of(op)},
            "tested": op in survey.drawable_ops() and op in chosen,
            "steps": campaign.ops[op],
            "why_not": survey.forms.get(op, {}).get(forms_of(op)[0]),
        }
        for op in OPS
    }
    finding = campaign.finding
    fault = None
    if finding is not None:
        fault = {
            "kind": finding.kind, "op": finding.op, "message": finding.message,
            "shrunk": finding.shrunk, "steps": len(finding.program.steps),
            "inputs": dict(finding.program.inputs), "snippet": snippet(result, finding),
            "report": None if finding.report is None else finding.report.to_dict(),
        }
    return {
        "engine": result.spec.text, "class": result.class_name, "seed": result.seed,
        "max_examples": result.max_examples, "examples": campaign.examples,
        "seconds": round(campaign.seconds, 3), "ok": result.exit_code == 0, "exit_code": result.exit_code,
        "ops": ops, "features": {key: campaign.features[key] for key, _ in FEATURES},
        "verdicts": dict(campaign.verdicts), "verifier_errors": list(campaign.verifier_errors),
        "remarks": list(campaign.remarks),
        "depth": {"works_to": survey.depth_ok, "failure": survey.depth_failure},
        "backward_twice": {**survey.twice, "summary": survey.twice_behaviour()},
        "limits_met": list(campaign.limits), "fault": fault, "reproduce": result.reproduce(),
    }
