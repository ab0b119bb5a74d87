"""Read text into a syntax tree, within the size limits: ``ast.parse`` and ``tokenize`` only, after checks.

Nothing here executes the text. The checks on the tokens before ``ast.parse``
keep it fast, in bounded memory and inside the recursion ``ast.parse`` itself
can take (see ``limits``); the checks after bound what the builder will walk.

Depth is about nesting, not length: a flat chain ``a + b - c + ...`` or
``a * b / c * ...`` is one level however long (``ast`` nests it to the left,
one ``BinOp`` per operator), while ``-(-(-x))``, ``tanh(tanh(x))``,
``x.tanh().tanh()`` and ``x ** y ** z`` nest one level per operator.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import sys
import tokenize

from .limits import MAX_BRACKETS, MAX_CHARS, MAX_DEPTH, MAX_NODES, MAX_OPERATORS
from .position import char_column, line_and_column, source_line
from .result import ParseError

_SURROGATE = re.compile("[\ud800-\udfff]")

_OPERATORS = frozenset({
    "+", "-", "*", "/", "//", "%", "@", "**", "<<", ">>", "&", "|", "^", "~",
    "<", ">", "<=", ">=", "==", "!=", ".", ":=",
    "+=", "-=", "*=", "/=", "//=", "%=", "@=", "**=", "<<=", ">>=", "&=", "|=", "^=",
})
"""Tokens that each make at least one syntax node (``BinOp``, ``UnaryOp``, ``Attribute``, ...)."""
_UNARY = frozenset({"+", "-", "~"})
_CLOSING = frozenset({")", "]", "}"})
_CHAIN_BREAKERS = frozenset({",", ";", "=", ":", "->"})

# Operators ast nests to the left that are one chain when they follow each other (same precedence).
_GROUPS: dict[type[ast.operator], int] = {
    ast.Add: 1, ast.Sub: 1,
    ast.Mult: 2, ast.Div: 2, ast.FloorDiv: 2, ast.Mod: 2, ast.MatMult: 2,
    ast.LShift: 3, ast.RShift: 3, ast.BitAnd: 4, ast.BitXor: 5, ast.BitOr: 6,
}


def parse_tree(text: str) -> ast.Module:
    """``ast.parse`` after the checks that keep it fast and in bounded memory."""
    if len(text) > MAX_CHARS:
        raise ParseError(f"input is {len(text):,} characters long; the limit is {MAX_CHARS:,}")
    if "\0" in text:
        raise ParseError("input contains a NUL character")
    _check_text(text)
    _check_tokens(text)
    indent = _common_indent(text)
    try:
        tree = _ast_parse(_dedent(text, indent) if indent else text)
    except SyntaxError as error:
        line = error.lineno or 1
        col = (error.offset or 1) + (len(indent) if source_line(text, line).startswith(indent) else 0)
        raise ParseError(f"syntax error: {error.msg}", line=line, col=col,
                         source=source_line(text, line)) from None
    except (MemoryError, RecursionError):
        # CPython's parser gives up this way on some input it cannot take: nesting beyond what the token
        # checks see, or a very long run of tokens that is not Python ("x x x ..."): its stack overflows.
        raise ParseError("input is too complex for Python's parser (its stack overflowed): too deeply "
                         "nested, or a very long line that is not Python") from None
    except ValueError as error:
        raise ParseError(f"input cannot be parsed: {error}") from None
    if indent:
        _shift_columns(tree, len(indent))
    _check_tree(tree, text)
    return tree


def _common_indent(text: str) -> str:
    """The spaces and tabs every non-blank line starts with: a formula typed as ``" -x"``, or a snippet
    pasted from an indented block, is read as if it started at column 1 (Python says "unexpected indent")."""
    if "\r" in text.replace("\r\n", ""):
        return ""  # old Mac line ends: left to Python, whose lines they are
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    while indent and not all(line.startswith(indent) for line in lines):
        indent = indent[:-1]
    return indent


def _dedent(text: str, indent: str) -> str:
    return "\n".join(line[len(indent):] if line.startswith(indent) else line for line in text.split("\n"))


def _shift_columns(tree: ast.AST, width: int) -> None:
    """Put the positions of a tree parsed from the dedented text back on the text as given (ASCII indent:
    bytes and characters agree)."""
    for node in ast.walk(tree):
        if isinstance(getattr(node, "col_offset", None), int):
            node.col_offset += width  # type: ignore[attr-defined]
        if isinstance(getattr(node, "end_col_offset", None), int):
            node.end_col_offset += width  # type: ignore[attr-defined]


def _ast_parse(text: str) -> ast.Module:
    # On 3.11 the depth ast can build scales with the Python recursion left to the caller: give it room,
    # so that what parses does not depend on how deep the caller's stack is (3.12+ use a fixed C limit).
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4000))
    try:
        return ast.parse(text, mode="exec")
    finally:
        sys.setrecursionlimit(limit)


def _check_text(text: str) -> None:
    """A lone surrogate is not text: it comes from bytes that were not UTF-8 (``surrogateescape``)."""
    found = _SURROGATE.search(text)
    if found is None:
        return
    code = ord(found.group())
    line, col = line_and_column(text, found.start())
    hint = (f"it stands for the byte 0x{code - 0xDC00:02x}, which is not UTF-8: give the input as UTF-8 text"
            if 0xDC80 <= code <= 0xDCFF else "give the input as UTF-8 text")
    raise ParseError(f"input contains a lone surrogate U+{code:04X}, which is not a character", line=line,
                     col=col, source=None, hint=hint)


class _Level:
    """One bracket level of the token scan: the runs of nesting operators seen at it."""

    __slots__ = ("pow", "trailers")

    def __init__(self) -> None:
        self.trailers = 0  # x.tanh().tanh(): each '.' and call '(' or '[' nests one level
        self.pow = 0  # x ** y ** z nests to the right


def _check_tokens(text: str) -> None:
    """Limits read off the tokens, so that ``ast.parse`` never sees what it cannot build.

    Brackets nested more than MAX_BRACKETS; unary operators, trailers (``.name``,
    calls, indexing) or ``**`` nested more than MAX_DEPTH; more than
    MAX_OPERATORS operators in all.
    """
    scan = _Scan(text)
    previous: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            scan.step(token, previous)
            previous = token
    except (tokenize.TokenError, SyntaxError):
        pass  # ast.parse reports the syntax error, with its position


class _Scan:
    """The token scan's state: the bracket levels open, the run of unary operators, the operators seen."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.levels = [_Level()]
        self.operators = 0
        self.unary = 0

    def step(self, token: tokenize.TokenInfo, previous: tokenize.TokenInfo | None) -> None:
        """Count one token; ``ParseError`` once a limit is passed."""
        kind, string = token.type, token.string
        level = self.levels[-1]
        operand_before = previous is not None and _ends_operand(previous)
        if kind == tokenize.OP and string in "([{":
            self._open(token, level, operand_before)
        elif kind == tokenize.OP and string in _CLOSING:
            if len(self.levels) > 1:
                self.levels.pop()
            self.unary = 0
        elif kind == tokenize.OP and string in _OPERATORS:
            self._operator(token, level, operand_before)
        elif kind == tokenize.NAME and string == "not":
            self.operators += 1
            if not operand_before:  # 'not x', not the 'not' of 'x not in y'
                self._unary(token)
        elif kind == tokenize.NAME and previous is not None and previous.string == "." \
                and previous.type == tokenize.OP:
            pass  # the name of an attribute continues the trailer run
        else:
            self.unary = 0
            if kind == tokenize.NEWLINE or string in _CHAIN_BREAKERS or keyword.iskeyword(string):
                level.pow = 0
            level.trailers = 0
        if self.operators > MAX_OPERATORS:
            raise self._error(token, f"input has more than {MAX_OPERATORS:,} operators; the limits are "
                                     f"{MAX_OPERATORS:,} operators and {MAX_NODES:,} syntax nodes")

    def _open(self, token: tokenize.TokenInfo, level: _Level, operand_before: bool) -> None:
        if token.string != "{" and operand_before:  # a call or an index: a trailer
            self.operators += 1
            self._trailer(token, level)
        else:
            level.trailers = 0
        self.levels.append(_Level())
        if len(self.levels) - 1 > MAX_BRACKETS:
            raise self._error(token, f"brackets are nested more than {MAX_BRACKETS} deep")
        self.unary = 0

    def _operator(self, token: tokenize.TokenInfo, level: _Level, operand_before: bool) -> None:
        string = token.string
        self.operators += 1
        if string == "." and operand_before:
            self._trailer(token, level)
        elif string in _UNARY and not operand_before:
            self._unary(token)
        else:
            self.unary = 0
            level.trailers = 0
            if string == "**":
                level.pow += 1
                if level.pow > MAX_DEPTH:
                    raise self._nested(token, "powers")
            else:
                level.pow = 0

    def _trailer(self, token: tokenize.TokenInfo, level: _Level) -> None:
        level.trailers += 1
        if level.trailers > MAX_DEPTH:
            raise self._nested(token, "calls and attributes")

    def _unary(self, token: tokenize.TokenInfo) -> None:
        self.unary += 1
        if self.unary > MAX_DEPTH:
            raise self._nested(token, "unary operators")

    def _nested(self, token: tokenize.TokenInfo, what: str) -> ParseError:
        return self._error(token, f"expression is nested more than {MAX_DEPTH} deep ({what})")

    def _error(self, token: tokenize.TokenInfo, message: str) -> ParseError:
        line, col = token.start
        return ParseError(message, line=line, col=col + 1, source=source_line(self.text, line))


def _ends_operand(token: tokenize.TokenInfo) -> bool:
    """Whether an operand ends with ``token``, so that what follows is a binary operator or a trailer."""
    if token.type == tokenize.NAME:
        return not keyword.iskeyword(token.string) or token.string in ("True", "False", "None")
    if token.type in (tokenize.NUMBER, tokenize.STRING):
        return True
    if token.type == tokenize.OP:
        return token.string in _CLOSING
    return token.type == getattr(tokenize, "FSTRING_END", -1)  # 3.12+ tokenizes f-strings in parts


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
        if isinstance(node, ast.BinOp):
            left = node.left
            flat = isinstance(left, ast.BinOp) and _GROUPS.get(type(left.op), 0) == \
                _GROUPS.get(type(node.op), -1)
            stack.append((left, depth if flat else depth + 1))
            stack.append((node.op, depth + 1))
            stack.append((node.right, depth + 1))
            continue
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
