"""``index.html``: the class summary as one page, each engine linking to its full report."""

from __future__ import annotations

from html import escape
from typing import Any

from .summary import groups

STYLE = """<style>
body { font-family: system-ui, sans-serif; margin: 2em; }
table { border-collapse: collapse; }
td, th { padding: .2em .8em; text-align: left; border-bottom: 1px solid #ddd; }
.pass { color: #060; } .fail { color: #b00; font-weight: bold; } .error, .unusable { color: #a60; }
code { background: #f4f4f4; padding: 0 .2em; }
</style>"""


def render_index(rows: list[dict[str, Any]], head: str) -> str:
    """The page: ``head``, a table of the engines (label linking the report), the bugs by op and kind."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>class audit</title>',
             STYLE, "</head><body>", f"<h1>Class audit</h1><p>{escape(head)}</p>",
             "<table><tr><th>engine</th><th>verdict</th><th>faults</th><th>fragile</th>"
             "<th>root cause</th><th>seconds</th><th>spec</th></tr>"]
    for r in rows:
        label = escape(r["label"])
        link = f'<a href="{escape(r["report"])}">{label}</a>' if r.get("report") else label
        fragile = escape("; ".join(r["fragilities"]))
        parts.append(
            f"<tr><td>{link}</td><td class=\"{escape(r['verdict'])}\">{escape(r['verdict'])}</td>"
            f"<td>{r['faults']}</td><td title=\"{fragile}\">{len(r['fragilities'])}</td>"
            f"<td>{escape(', '.join(r['root_cause_ops']) or '-')}</td><td>{r['seconds']:.1f}</td>"
            f"<td><code>{escape(r['spec'])}</code></td></tr>")
    parts.append("</table>")
    found = groups(rows)
    if found:
        parts.append("<h2>By op and kind of bug</h2><ul>")
        for group in found:
            parts.append(f"<li>{escape(group.words(len(rows)))}: {escape(', '.join(group.labels))}<br>"
                         f"<code>{escape(group.example)}</code> ({escape(group.example_label)})</li>")
        parts.append("</ul>")
    errors = [r for r in rows if r["verdict"] in ("unusable", "error")]
    if errors:
        parts.append("<h2>Not audited or not vouched for</h2><ul>")
        parts += [f"<li>{escape(r['label'])}: {escape(r['error'] or '')}</li>" for r in errors]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
