"""Pictures of a Value's graph: DOT source, no Graphviz needed; rendering optional.

``draw_dot(root)`` returns DOT text: one box per node with its op, data and
grad, numbers used as operands drawn as bare numbers, edges from operands to
the node they feed (labelled x / y for two-operand ops), and the nodes in
``highlight`` in red. ``render(root, "graph.svg")`` writes a file; ``.dot``
needs nothing, other formats need the ``graphviz`` Python package and the
Graphviz ``dot`` program.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from .engine import Constant, Value

RANKDIRS = ("LR", "RL", "TB", "BT")
IMAGE_FORMATS = ("svg", "png", "pdf")
OPERAND_NAMES = ("x", "y")  # how an op's notation names its operands here


class GraphvizMissingError(RuntimeError):
    """Rendering to an image needs the ``graphviz`` package and the ``dot`` program."""


class Dot(str):
    """DOT source, which a notebook shows as a picture when Graphviz is there and as text otherwise."""

    __slots__ = ()

    def _repr_svg_(self) -> str | None:
        try:
            import graphviz  # type: ignore[import-not-found, import-untyped, unused-ignore]

            svg: bytes = graphviz.Source(str(self)).pipe(format="svg")
        except Exception:  # no package, no dot program, or dot refused: the text will do
            return None
        return svg.decode()

    def _repr_markdown_(self) -> str:
        return f"```dot\n{self}```"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def draw_dot(
    root: Value,
    *,
    highlight: Collection[Value] = (),
    rankdir: str = "LR",
    labels: Mapping[Value, str] | None = None,
) -> Dot:
    """DOT source of the graph that computes ``root`` (a ``str``; in a notebook, a picture).

    ``highlight``: nodes drawn in red (e.g. the node a check blames).
    ``labels``: optional names shown in nodes' boxes, e.g. ``{a: "a"}``.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot takes a Value, not {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    red = {id(v) for v in highlight}
    names = {id(v): name for v, name in labels.items()} if labels else {}
    order, operands = _topological(root)
    number = {id(v): i for i, v in enumerate(order)}

    lines = [
        "digraph micrograd {",
        f"  rankdir={rankdir};",
        '  node [shape=record, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for v in order:
        attrs = [f'label="{_node_label(v, names.get(id(v)))}"']
        if isinstance(v, Constant):
            attrs.append("shape=plaintext")
        if id(v) in red:
            attrs.append("color=red, fontcolor=red, penwidth=2")
        lines.append(f"  n{number[id(v)]} [{', '.join(attrs)}];")
    for v in order:
        binary = len(operands[id(v)]) == 2
        for position, parent in enumerate(operands[id(v)]):
            label = f' [label="{OPERAND_NAMES[position]}"]' if binary else ""
            lines.append(f"  n{number[id(parent)]} -> n{number[id(v)]}{label};")
    lines.append("}")
    return Dot("\n".join(lines) + "\n")


def render(root_or_dot_source: Value | str, path: str | os.PathLike[str]) -> Path:
    """Write the graph of a Value (or given DOT source) to ``path``; returns the path.

    The format follows the suffix: ``.dot`` / ``.gv`` always work; ``.svg``,
    ``.png`` and ``.pdf`` raise ``GraphvizMissingError`` unless the
    ``graphviz`` package (``pip install 'micrograd-verified[viz]'``) and the
    Graphviz ``dot`` program are installed.
    """
    target = Path(path)
    source = root_or_dot_source if isinstance(root_or_dot_source, str) else draw_dot(root_or_dot_source)
    suffix = target.suffix.lower().lstrip(".")
    if suffix in ("dot", "gv"):
        target.write_text(source, encoding="utf-8")
        return target
    if suffix not in IMAGE_FORMATS:
        known = ", ".join(f".{s}" for s in ("dot", "gv", *IMAGE_FORMATS))
        raise ValueError(f"cannot tell the format of {str(target)!r}: use one of {known}")
    try:
        import graphviz  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        raise GraphvizMissingError(
            f"rendering .{suffix} needs the graphviz Python package: pip install 'micrograd-verified[viz]'"
            " (and the Graphviz 'dot' program, e.g. apt install graphviz); .dot files need neither"
        ) from None
    try:
        image: bytes = graphviz.Source(source).pipe(format=suffix)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizMissingError(
            f"rendering .{suffix} needs the Graphviz 'dot' program on PATH"
            " (e.g. apt install graphviz, brew install graphviz); .dot files need nothing"
        ) from error
    target.write_bytes(image)
    return target


def _topological(root: Value) -> tuple[list[Value], dict[int, tuple[Value, ...]]]:
    """Every node of root's graph, operands before the nodes they feed; no recursion.

    Also each node's operands, read once: a number operand is a fresh
    ``Constant`` on every read of ``parents``, so edges must use these.
    """
    order: list[Value] = []
    operands: dict[int, tuple[Value, ...]] = {}
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        operands[id(node)] = parents = node.parents
        stack.extend((p, False) for p in reversed(parents) if id(p) not in seen)
    return order, operands


def _node_label(v: Value, name: str | None) -> str:
    if isinstance(v, Constant):
        return _escape(_number(v.data))
    fields = [] if name is None else [name]
    if v.rule is not None:
        fields.append(v.rule.write(*OPERAND_NAMES[: v.rule.arity]))
    fields += [f"data {_number(v.data)}", f"grad {_number(v.grad)}"]
    return "{ " + " | ".join(_escape(f) for f in fields) + " }"


def _number(x: float) -> str:
    return f"{x:.6g}"


def _escape(text: str) -> str:
    # Backslash first; then record-label syntax ({ } | < >) and the DOT quote.
    for char in '\\{}|<>"':
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")
