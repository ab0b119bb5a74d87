"""A Report as HTML, for notebooks: the same tables as the text, the blamed node marked.

Colours are badges (white text on a solid colour) and a left border, so they
read on light and dark themes alike; everything else inherits the notebook's
own text colour. Every string from the report is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Report

MAX_NODES = 60
"""Node tables longer than this show only the nodes a fault names."""

COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "inconclusive": "#9a6700", "undefined": "#8250df",
           "error": "#57606a"}

STYLE = (
    "<style>"
    ".mgv-report table{border-collapse:collapse;margin:0.4em 0;font-size:0.9em}"
    ".mgv-report th,.mgv-report td{padding:2px 8px;text-align:left;"
    "border-bottom:1px solid rgba(128,128,128,.3)}"
    ".mgv-report td.num{font-family:monospace;text-align:right}"
    ".mgv-report td.exact{font-family:monospace}"
    ".mgv-report .badge{color:#fff;border-radius:4px;padding:1px 6px;font-weight:bold}"
    ".mgv-report tr.blamed td{font-weight:bold}"
    ".mgv-report tr.blamed td:first-child{border-left:4px solid " + COLOURS["fail"] + "}"
    ".mgv-report div.finding{border-left:4px solid " + COLOURS["fail"] + ";padding-left:8px;margin:0.6em 0}"
    "</style>"
)


def badge(verdict: str) -> str:
    colour = COLOURS.get(verdict, "#57606a")
    return f'<span class="badge" style="background:{colour}">{escape(verdict)}</span>'


def _number(x: float | None, digits: int = 17) -> str:
    return "-" if x is None else escape(f"{x:.{digits}g}")


def render_html(report: Report) -> str:
    """The report as a self-contained HTML fragment."""
    summary = report.render().splitlines()[0].split(": ", 1)[-1]
    parts = [STYLE, '<div class="mgv-report">', f"<p>{badge(report.verdict)} {escape(summary)}</p>"]
    if report.value is not None or report.exact_value:
        parts.append(f"<p>value <code>{_number(report.value)}</code>, exact "
                     f"<code>{escape(report.exact_value or '-')}</code></p>")
    if report.inputs:
        parts.append("<table><tr><th>input</th><th>autograd</th><th>exact</th><th>finite difference</th>"
                     "<th>rel. error</th><th>ulps</th><th>verdict</th><th>note</th></tr>")
        for r in report.inputs:
            parts.append(
                f"<tr><td>{escape(r.name)}</td><td class='num'>{_number(r.autograd)}</td>"
                f"<td class='exact'>{escape(r.exact)}</td><td class='exact'>{escape(r.fd)}</td>"
                f"<td class='num'>{_number(r.rel_error, 2)}</td><td class='num'>{_number(r.ulps, 3)}</td>"
                f"<td>{badge(r.verdict)}</td><td>{escape(r.note)}</td></tr>"
            )
        parts.append("</table>")
    if report.faults:
        parts.append("<table><tr><th>fault</th><th>step</th><th>what</th></tr>")
        names = report.program.names()
        for f in report.faults:
            at = names[f.culprit] if f.culprit is not None else f.name
            parts.append(f"<tr class='blamed'><td>{escape(f.kind)}</td><td>{escape(at)}"
                         f"{' (' + escape(f.op) + ')' if f.op else ''}</td><td>{escape(f.message)}</td></tr>")
        parts.append("</table>")
    parts.append(_nodes(report))
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>")
    parts.append("</div>")
    return "".join(parts)


def _nodes(report: Report) -> str:
    """Every node with its data and grad beside the exact ones; the culprits marked."""
    blamed = {f.culprit for f in report.faults if f.culprit is not None} | {f.slot for f in report.faults}
    if report.program.size > MAX_NODES and not blamed:
        return ""
    small = report.program.size <= MAX_NODES
    rows = report.nodes if small else [n for n in report.nodes if n.slot in blamed]
    out = ["<details><summary>nodes</summary><table><tr><th>node</th><th>op</th><th>data</th>"
           "<th>exact data</th><th>grad</th><th>exact grad</th></tr>"]
    for n in rows:
        mark = " class='blamed'" if n.slot in blamed else ""
        formula = f"{n.op}({', '.join(n.args)})" if n.op else "input"
        out.append(f"<tr{mark}><td>{escape(n.name)}</td><td>{escape(formula)}</td>"
                   f"<td class='num'>{_number(n.data)}</td><td class='exact'>{escape(n.exact_data)}</td>"
                   f"<td class='num'>{_number(n.grad)}</td>"
                   f"<td class='exact'>{escape(n.exact_grad)}</td></tr>")
    out.append("</table></details>")
    return "".join(out)
