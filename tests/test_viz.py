"""DOT pictures of graphs: nodes, edges, labels, highlight, escaping, rendering."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from micrograd import Value
from micrograd.viz import GraphvizMissingError, draw_dot, render

NODE_STARTS = {f"n{i}" for i in range(10)}


def small_graph() -> tuple[Value, Value, Value, Value]:
    """c = a * b + 1 at a = 2, b = -3, after backward."""
    a, b = Value(2.0), Value(-3.0)
    ab = a * b
    c = ab + 1
    c.backward()
    return a, b, ab, c


def body_lines(dot: str) -> list[str]:
    return [line.strip() for line in dot.splitlines()]


def test_small_graph_nodes_and_edges_by_hand() -> None:
    *_, c = small_graph()
    lines = body_lines(draw_dot(c))
    # operands come before the node they feed: a, b, a*b, the constant 1, then c.
    # c = -6 + 1 = -5; dc/da = b = -3, dc/db = a = 2, dc/d(ab) = dc/dc = 1
    nodes = [
        'n0 [label="{ data 2 | grad -3 }"];',
        'n1 [label="{ data -3 | grad 2 }"];',
        'n2 [label="{ x * y | data -6 | grad 1 }"];',
        'n3 [label="1", shape=plaintext];',
        'n4 [label="{ x + y | data -5 | grad 1 }"];',
    ]
    edges = [
        'n0 -> n2 [label="x"];',
        'n1 -> n2 [label="y"];',
        'n2 -> n4 [label="x"];',
        'n3 -> n4 [label="y"];',
    ]
    assert [line for line in lines if line[:2] in NODE_STARTS and "->" not in line] == nodes
    assert [line for line in lines if "->" in line] == edges
    assert lines[0] == "digraph micrograd {"
    assert lines[-1] == "}"
    assert "rankdir=LR;" in lines


def test_rankdir_is_passed_on_and_checked() -> None:
    *_, c = small_graph()
    assert "rankdir=TB;" in body_lines(draw_dot(c, rankdir="TB"))
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_dot(c, rankdir="sideways")


def test_unary_op_has_one_unlabelled_edge() -> None:
    x = Value(-1.0)
    lines = body_lines(draw_dot(x.relu()))
    assert 'n1 [label="{ x.relu() | data 0 | grad 0 }"];' in lines
    assert "n0 -> n1;" in lines


def test_same_operand_twice_gives_two_edges() -> None:
    a = Value(3.0)
    lines = body_lines(draw_dot(a + a))
    assert [line for line in lines if "->" in line] == ['n0 -> n1 [label="x"];', 'n0 -> n1 [label="y"];']


def test_highlight_colours_only_the_given_nodes() -> None:
    *_, ab, c = small_graph()
    lines = body_lines(draw_dot(c, highlight=[ab]))
    red = [line for line in lines if "color=red" in line]
    assert red == ['n2 [label="{ x * y | data -6 | grad 1 }", color=red, fontcolor=red, penwidth=2];']


def test_labels_are_shown_and_escaped() -> None:
    a, b, _, c = small_graph()
    lines = body_lines(draw_dot(c, labels={a: "a", b: 'b{|}<>"\\'}))
    assert 'n0 [label="{ a | data 2 | grad -3 }"];' in lines
    assert 'n1 [label="{ b\\{\\|\\}\\<\\>\\"\\\\ | data -3 | grad 2 }"];' in lines


def test_deep_graph_needs_no_recursion() -> None:
    x = Value(0.5)
    y = x
    for _ in range(20_000):  # far past Python's recursion limit
        y = y * 1.0
    dot = draw_dot(y)
    # 20,000 products, 20,000 constants, the leaf; two edges per product
    assert dot.count("shape=plaintext") == 20_000
    assert dot.count("->") == 40_000


def test_draw_dot_refuses_non_values() -> None:
    with pytest.raises(TypeError, match="takes a Value"):
        draw_dot(3.0)  # type: ignore[arg-type]


def test_render_dot_needs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    *_, c = small_graph()
    path = render(c, tmp_path / "graph.dot")
    assert path.read_text(encoding="utf-8") == draw_dot(c)
    given = render("digraph { a -> b }", tmp_path / "given.gv")
    assert given.read_text(encoding="utf-8") == "digraph { a -> b }"


def test_render_image_without_graphviz_package_raises(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # as if not installed
    *_, c = small_graph()
    with pytest.raises(GraphvizMissingError, match=r"graphviz Python package: pip install"):
        render(c, tmp_path / "graph.png")
    assert not (tmp_path / "graph.png").exists()
    assert issubclass(GraphvizMissingError, RuntimeError)


def test_render_image_without_dot_program_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' to be found
    *_, c = small_graph()
    with pytest.raises(GraphvizMissingError, match="Graphviz 'dot' program"):
        render(c, tmp_path / "graph.svg")


def test_render_unknown_format_is_refused(tmp_path: Path) -> None:
    *_, c = small_graph()
    with pytest.raises(ValueError, match="cannot tell the format"):
        render(c, tmp_path / "graph.jpeg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs the Graphviz 'dot' program")
def test_render_png_with_graphviz(tmp_path: Path) -> None:
    pytest.importorskip("graphviz")
    *_, c = small_graph()
    path = render(c, tmp_path / "graph.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
