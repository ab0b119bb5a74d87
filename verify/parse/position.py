"""Where a syntax node is in the text: 1-based line and character column (ast counts UTF-8 bytes)."""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

_NEWLINE = re.compile(r"\r\n|\r|\n")
"""Python's line ends (``str.splitlines`` also splits on form feeds and U+2028, which Python does not)."""


@dataclass(frozen=True)
class Place:
    """Where a piece of text is: 1-based line and column, width in characters."""

    line: int
    col: int
    width: int


@functools.lru_cache(maxsize=4)
def lines_of(text: str) -> tuple[str, ...]:
    """The lines as Python numbers them (cached: every node's position reads them)."""
    return tuple(_NEWLINE.split(text))


def source_line(text: str, line: int) -> str:
    lines = lines_of(text)
    return lines[line - 1] if 0 < line <= len(lines) else ""


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and character column of ``text[index]``."""
    before = _NEWLINE.split(text[:index])
    return len(before), len(before[-1]) + 1


def char_column(text: str, node: ast.AST) -> int | None:
    """1-based character column (ast counts UTF-8 bytes)."""
    line = getattr(node, "lineno", None)
    offset = getattr(node, "col_offset", None)
    if line is None or offset is None:
        return None
    return len(source_line(text, line).encode()[:offset].decode(errors="replace")) + 1


def place_of(text: str, node: ast.AST) -> Place:
    """The node's extent; a node spanning several lines runs to the end of its first."""
    line: int = getattr(node, "lineno", 1)
    col = char_column(text, node) or 1
    end_line = getattr(node, "end_lineno", None)
    end_offset = getattr(node, "end_col_offset", None)
    if end_line == line and end_offset is not None:
        end = len(source_line(text, line).encode()[:end_offset].decode(errors="replace")) + 1
        return Place(line, col, max(1, end - col))
    return Place(line, col, max(1, len(source_line(text, line)) - col + 1))
