"""Render a Report as text for a terminal: summary line, input table, blamed op, notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .style import Style

if TYPE_CHECKING:
    from . import InputRow, Report

MAX_ROWS = 20
"""Inputs shown in full; beyond this, passing inputs are counted rather than listed."""


def render(report: Report, style: Style) -> str:
    """The whole report as text, the verdicts painted in ``style``."""
    lines = [f"{style.paint(report.verdict.upper(), report.verdict)}: {_summary(report)}"]
    if report.value is not None or report.exact_value:
        lines.append(f"  value  {report.value!r}   exact {report.exact_value or '-'}")
    rows = report.inputs
    if rows:
        shown = rows if len(rows) <= MAX_ROWS else [r for r in rows if r.verdict != "pass"][:MAX_ROWS]
        table = [("input", "autograd", "exact", "rel.error", "ulps", "verdict")]
        table += [_cells(r) for r in shown]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for k, row in enumerate(table):
            cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
            if k:
                cells[-1] = style.paint(cells[-1], row[-1])
            lines.append("  " + "  ".join(cells).rstrip())
        if len(shown) < len(rows):
            lines.append(f"  ... and {len(rows) - len(shown)} more inputs, all passing")
        for r in shown:
            if r.note:
                lines.append(f"  {r.name}: {r.note}")
    if report.faults:
        first = report.faults[0]
        names = report.program.names()
        at = names[first.culprit] if first.culprit is not None else first.name
        lines.append(f"blamed: {first.kind} in {first.op or 'no single op'} at {at}")
        lines.append(f"  {first.message}")
        for fault in report.faults[1:6]:
            lines.append(f"  also: {fault.message}")
        if len(report.faults) > 6:
            lines.append(f"  ... and {len(report.faults) - 6} more faults")
    for note in report.notes:
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _summary(report: Report) -> str:
    n = len(report.inputs)
    gradients = _count(n, "input gradient")
    passing = sum(1 for r in report.inputs if r.verdict == "pass")
    if report.verdict == "undefined":
        return "the function or its gradient is undefined at this point (not an engine fault)"
    if report.verdict == "fail":
        return (f"{_count(len(report.faults), 'fault')}; {passing} of {gradients} "
                f"{'agrees' if passing == 1 else 'agree'} with the exact ones")
    if report.verdict == "inconclusive":
        return f"{passing} of {gradients} confirmed; the rest cannot be decided (see notes)"
    lossy = sum(1 for r in report.inputs if r.note)
    if lossy:
        every = "the input gradient is" if n == 1 else f"all {n} input gradients are"
        return (f"{every} what a correct float64 engine computes here; {lossy} "
                "from rules that lose digits (see notes)")
    every = "the input gradient agrees" if n == 1 else f"all {n} input gradients agree"
    return f"{every} with the exact gradient to rounding"


def _count(n: int, noun: str) -> str:
    """"1 fault", "2 faults"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cells(r: InputRow) -> tuple[str, str, str, str, str, str]:
    rel = "-" if r.rel_error is None else f"{r.rel_error:.2g}"
    ulps = "-" if r.ulps is None else f"{r.ulps:.3g}"
    autograd = "-" if r.autograd is None else repr(r.autograd)
    return (r.name, autograd, r.exact, rel, ulps, r.verdict)
