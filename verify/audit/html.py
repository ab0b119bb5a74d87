"""An audit as HTML, for notebooks: the verdict, the coverage table, every finding with its program.

The same facts as the text (``render``), in the report's style (``verify.report.html``):
badges and left borders that read on light and dark themes. Every string is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..report.html import STYLE, badge
from .engine.terms import LAYOUTS, TITLES
from .render import engine_said, op_rows, reproduction, snippet, title

if TYPE_CHECKING:
    from .api import AuditResult
    from .findings import Finding


def render_html(result: AuditResult) -> str:
    """The audit as a self-contained HTML fragment."""
    parts = [STYLE, '<div class="mgv-report">',
             f"<p>{badge(result.verdict)} {escape(result.summary())}</p>",
             f"<p>audit of <code>{escape(result.spec.text)}</code> (class {escape(result.class_name)}), "
             f"seed {result.seed}</p>"]
    for i, finding in enumerate(result.faults, 1):
        parts.append(_finding(result, finding, i))
    if result.fragilities:
        parts.append("<p>fragilities: what an accepted textbook formula for the op also does at the "
                     "same point (exit 0 unless strict)</p>")
    for i, finding in enumerate(result.fragilities, 1):
        parts.append(_finding(result, finding, i))
    parts.append(_coverage(result))
    said = engine_said(result)
    if said:
        parts.append(f"<details><summary>{escape(said[1])}</summary><pre>"
                     f"{escape(chr(10).join(line[2:] for line in said[2:]))}</pre></details>")
    failure = result.verifier_failure()
    if failure is not None:
        parts.append(f"<p>{badge('error')} {escape(failure)}</p>")
    parts.append(f"<p>reproduce: <code>{escape(result.reproduce())}</code></p></div>")
    return "".join(parts)


def html_page(result: AuditResult) -> str:
    """The notebook's view of the audit as a page of its own (``python -m verify audit --html FILE``)."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>audit of {escape(result.spec.text)}</title></head>\n"
            f"<body>\n{render_html(result)}\n</body></html>\n")


def _coverage(result: AuditResult) -> str:
    head = "".join(f"<th>{escape(TITLES[layout])}</th>" for layout in LAYOUTS)
    out = ["<details><summary>coverage: battery programs per op and layout</summary>",
           f"<table><tr><th>op</th>{head}<th>graphs</th><th>random</th><th>status</th></tr>"]
    for row in op_rows(result):
        mark = " class='blamed'" if row.faulty else ""
        cells = "".join(f"<td class='num'>{escape(c)}</td>" for c in row.cells)
        out.append(f"<tr{mark}><td>{escape(row.op)}</td>{cells}<td class='num'>{row.graphs}</td>"
                   f"<td class='num'>{row.random}</td><td>{escape(row.status)}</td></tr>")
    out.append("</table></details>")
    return "".join(out)


def _finding(result: AuditResult, finding: Finding, number: int) -> str:
    word = "finding" if finding.fragility is None else "fragility"
    out = [f"<div class='{word}'><p>{badge('fail' if finding.fragility is None else 'inconclusive')} "
           f"<b>{word} {number}: {escape(title(finding))}</b></p>",
           f"<p>{escape(finding.message)}</p>"]
    if finding.fragility is not None:
        out.append(f"<p>fragility: {escape(finding.fragility.sentence())}</p>")
    if finding.error is not None:
        out.append(f"<p>exception: <code>{escape(finding.error.shown())}</code>"
                   + (f" in {escape(finding.stage)}" if finding.stage else "") + "</p>")
    if finding.expected or finding.actual:
        out.append(f"<p>expected <code>{escape(finding.expected or '?')}</code>, the engine gave "
                   f"<code>{escape(finding.actual or '?')}</code>"
                   + (f" (gradient of {escape(finding.node)})" if finding.node else "") + "</p>")
    out.append(f"<p>minimal program:</p><pre>{escape(snippet(result, finding))}</pre>")
    if finding.reproduced is not None:
        out.append(f"<p>{escape(reproduction(finding))}</p>")
    if finding.evidence:
        out.append("<details><summary>how it was blamed</summary><ul>"
                   + "".join(f"<li>{escape(line)}</li>" for line in finding.evidence) + "</ul></details>")
    if finding.report is not None:
        out.append("<details><summary>the judge's report on the minimal program</summary>"
                   + finding.report._repr_html_() + "</details>")
    out.append("</div>")
    return "".join(out)
