"""A tensor audit as HTML, for notebooks: the same facts as the text, in the report's style."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..report.html import STYLE, badge

if TYPE_CHECKING:
    from .audit import Failure, TensorAudit


def render_html(result: TensorAudit) -> str:
    """The audit as a self-contained HTML fragment; every string is escaped."""
    parts = [STYLE, '<div class="mgv-report">',
             f"<p>{badge(result.verdict)} tensor engine <code>{escape(result.engine)}</code> "
             f"(dialect {escape(result.dialect)}): {result.programs} programs in {result.seconds:.1f} s</p>",
             f"<p>ops: {escape(' '.join(result.ops))}</p>"]
    parts += [f"<p>{badge('inconclusive')} {escape(note)}</p>" for note in result.fragilities]
    parts += [_failure(failure, k) for k, failure in enumerate(result.failures, 1)]
    parts.append("</div>")
    return "".join(parts)


def html_page(result: TensorAudit) -> str:
    """The notebook's view as a page of its own (``python -m verify audit --html FILE``)."""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>audit of {escape(result.engine)}</title></head>\n"
            f"<body>\n{render_html(result)}\n</body></html>\n")


def _failure(failure: Failure, number: int) -> str:
    f = failure.finding
    shapes = ", ".join(str(s) for s in f.shapes)
    rows = [("op", f.op or "(no single op)"), ("axis / pattern", f.pattern), ("shapes", shapes)]
    if f.wrong:
        rows.append(("wrong elements", ", ".join(str(w) for w in f.wrong)))
    if f.expected is not None and f.actual is not None:
        rows += [("expected", str(f.expected)), ("actual", str(f.actual))]
    table = "".join(f"<tr><th>{escape(k)}</th><td class='exact'>{escape(v)}</td></tr>" for k, v in rows)
    return (f"<div class='finding'><p>{badge('fail')} <b>finding {number}: {escape(f.kind)}</b></p>"
            f"<p>{escape(f.message)}</p><table>{table}</table>"
            f"<p>reproduce:</p><pre>{escape(failure.snippet)}</pre></div>")
