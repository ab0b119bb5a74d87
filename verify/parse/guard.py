"""Read text into a syntax tree, within the size limits: ``ast.parse`` and ``tokenize`` only, after checks.

Nothing here executes the text. The checks before ``ast.parse`` keep it fast
and in bounded memory; the checks after bound what the builder will walk.
"""

from __future__ import annotations

import ast
import io
import tokenize

from .limits import MAX_BRACKETS, MAX_CHARS, MAX_DEPTH, MAX_NODES
from .position import char_column, source_line
from .result import ParseError


def parse_tree(text: str) -> ast.Module:
    """``ast.parse`` after the checks that keep it fast and in bounded memory."""
    if len(text) > MAX_CHARS:
        raise ParseError(f"input is {len(text):,} characters long; the limit is {MAX_CHARS:,}")
    if "\0" in text:
        raise ParseError("input contains a NUL character")
    _check_brackets(text)
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as error:
        line = error.lineno or 1
        source = text.splitlines()[line - 1] if text.splitlines()[line - 1:line] else ""
        raise ParseError(f"syntax error: {error.msg}", line=line, col=error.offset or 1,
                         source=source) from None
    except (MemoryError, RecursionError, ValueError):
        # CPython's parser gives up on some deeply nested input this way.
        raise ParseError("input is nested too deeply to parse") from None
    _check_tree(tree, text)
    return tree


def _check_brackets(text: str) -> None:
    depth = 0
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    try:
        for token in tokens:
            if token.type != tokenize.OP:
                continue
            if token.string in "([{":
                depth += 1
                if depth > MAX_BRACKETS:
                    line, col = token.start
                    raise ParseError(f"brackets are nested more than {MAX_BRACKETS} deep",
                                     line=line, col=col + 1, source=source_line(text, line))
            elif token.string in ")]}":
                depth -= 1
    except (tokenize.TokenError, SyntaxError):
        pass  # ast.parse reports the syntax error, with its position


def _check_tree(tree: ast.Module, text: str) -> None:
    count = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ParseError(f"input has more than {MAX_NODES:,} syntax nodes")
        if depth > MAX_DEPTH:
            line = getattr(node, "lineno", None)
            raise ParseError(f"expression is nested more than {MAX_DEPTH} deep", line=line,
                             col=char_column(text, node), source=source_line(text, line) if line else None)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
