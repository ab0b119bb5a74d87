"""Rich output in notebooks: the Report as HTML (parsed, not just non-empty); draw_dot as picture or text."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from html.parser import HTMLParser

import pytest

import verify
from micrograd import Value
from micrograd.viz import Dot, draw_dot


class _Tables(HTMLParser):
    """Every table's rows as (classes of the row, cell texts); and every badge's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[tuple[str, list[str]]]] = []
        self.badges: list[str] = []
        self._cell: list[str] | None = None
        self._in_badge = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append((attributes.get("class") or "", []))
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "span" and "badge" in (attributes.get("class") or ""):
            self._in_badge = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1][1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "span":
            self._in_badge = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_badge:
            self.badges.append(data)


def _parsed(report: verify.Report) -> _Tables:
    parser = _Tables()
    parser.feed(report._repr_html_())
    parser.close()
    return parser


def _example() -> tuple[Value, dict[str, Value]]:
    x, y = Value(0.5), Value(-1.25)
    z = (x * y).tanh() + x.exp()
    z.backward()
    return z, {"x": x, "y": y}


def test_a_passing_report_is_a_table_of_inputs_under_a_pass_badge() -> None:
    out, inputs = _example()
    parsed = _parsed(verify.check(out, inputs=inputs))
    assert parsed.badges[0] == "pass"
    inputs_table = parsed.tables[0]
    assert inputs_table[0][1][:3] == ["input", "autograd", "exact"]
    assert [row[1][0] for row in inputs_table[1:]] == ["x", "y"]
    assert all(row[1][6] == "pass" for row in inputs_table[1:])
    assert not any("blamed" in cls for table in parsed.tables for cls, _ in table)


def test_a_failing_report_marks_the_blamed_step(plant_rule: Callable[..., None]) -> None:
    plant_rule("tanh", lambda out, x: 2.0 * (1.0 - out * out))
    out, inputs = _example()
    report = verify.check(out, inputs=inputs)
    parsed = _parsed(report)
    assert parsed.badges[0] == "fail"
    faults = parsed.tables[1]
    assert faults[0][1] == ["fault", "step", "what"]
    assert faults[1][0] == "blamed" and faults[1][1][0] == "wrong-rule" and "(tanh)" in faults[1][1][1]
    nodes = parsed.tables[2]
    blamed = [cells for cls, cells in nodes if cls == "blamed"]
    culprit = report.program.names()[report.faults[0].culprit]  # type: ignore[index]
    assert culprit in [cells[0] for cells in blamed]


def test_text_from_the_report_is_escaped() -> None:
    x = Value(1e-300)
    out = x.sigmoid()
    out.backward()
    report = verify.check(out, inputs={"x": x})
    report.notes.append("a note with <b>markup</b> & an ampersand")
    html = report._repr_html_()
    assert "<b>markup</b>" not in html and "&lt;b&gt;markup&lt;/b&gt; &amp; an ampersand" in html


def test_ipython_shows_the_text_report() -> None:
    out, inputs = _example()
    report = verify.check(out, inputs=inputs)
    shown: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            shown.append(s)

    report._repr_pretty_(Printer(), False)
    assert shown == [report.render()]


def test_draw_dot_is_dot_text_that_a_notebook_can_show() -> None:
    out, _ = _example()
    dot = draw_dot(out)
    assert isinstance(dot, Dot) and isinstance(dot, str) and dot.startswith("digraph micrograd {")
    assert dot._repr_markdown_() == f"```dot\n{dot}```"


def test_without_graphviz_the_picture_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # as if not installed
    out, _ = _example()
    assert draw_dot(out)._repr_svg_() is None


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz 'dot' program")
def test_with_graphviz_a_notebook_shows_the_picture() -> None:
    pytest.importorskip("graphviz")
    out, _ = _example()
    svg = draw_dot(out)._repr_svg_()
    assert svg is not None and "<svg" in svg
