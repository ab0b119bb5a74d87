"""Render a Report as text for a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report


def render(report: Report, color: bool = False) -> str:
    lines = [f"verdict: {report.verdict}"]
    for r in report.inputs:
        lines.append(f"  {r.name}: autograd={r.autograd!r} exact={r.exact} verdict={r.verdict}")
    for f in report.faults:
        lines.append(f"  fault at {f.name} ({f.op}): {f.message}")
    lines.extend(f"  note: {n}" for n in report.notes)
    return "\n".join(lines)
