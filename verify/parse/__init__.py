"""Text to Program: a safe parser for formulas and micrograd snippets.

Two input forms share one grammar:

- a formula, ``a*b + b**3``, whose free names get values from ``--at``;
- a micrograd snippet: ``from micrograd import Value``, ``x = Value(2.0)``
  lines (the inputs), assignments and augmented assignments, and the
  harmless ``y.backward()`` and ``print(...)`` lines, which are ignored.

The syntax is derived from the op table's ``notation``, never listed twice
(``syntax``).

Safety: the text is only ever read by ``tokenize`` and ``ast.parse`` (which
execute nothing), after size checks (``guard``), and the tree is walked
against a whitelist (``statements``, ``expression``). Nothing is
evaluated except arithmetic on number literals, under limits on size,
nesting, node count and exponent size (``limits``).
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Mapping, Sequence

from .expression import ExpressionBuilder, is_dunder
from .graph import Ref, Term
from .guard import parse_tree
from .limits import MAX_BRACKETS, MAX_CHARS, MAX_DEPTH, MAX_EXPONENT, MAX_INT_BITS, MAX_NODES, MAX_OPERATORS
from .position import Place
from .result import Parsed, ParseError
from .statements import StatementBuilder
from .syntax import SYNTAX, Syntax, syntax_of

__all__ = [
    "MAX_CHARS", "MAX_BRACKETS", "MAX_DEPTH", "MAX_NODES", "MAX_OPERATORS", "MAX_EXPONENT", "MAX_INT_BITS",
    "Syntax", "syntax_of", "SYNTAX", "ParseError", "Place", "Parsed", "Term",
    "parse", "parse_number", "parse_at", "normal_name",
]


def parse(text: str, *, at: Mapping[str, float] | None = None, output: str | None = None) -> Parsed:
    """Parse a formula or a micrograd snippet into a Program.

    ``at`` gives values to free names (and overrides ``x = Value(...)``
    inputs); ``output`` picks the output by name. Names are compared as
    Python compares identifiers, after NFKC normalisation (fullwidth U+FF58 is ``x``).
    Raises ParseError.
    """
    tree = parse_tree(text)
    values = {normal_name(name): value for name, value in (at or {}).items()}
    if output is not None:
        output = normal_name(output)
        _check_new_name(output, f"--output {output}")
    return StatementBuilder(text, values).run(tree, output)


def normal_name(name: str) -> str:
    """A name as Python reads it: NFKC-normalised (PEP 3131), so fullwidth U+FF58 is ``x``."""
    return unicodedata.normalize("NFKC", name)


def parse_number(text: str, what: str = "value") -> float:
    """A number from constant arithmetic (``-4``, ``1/3``, ``2**0.5``), parsed as safely as formulas."""
    tree = parse_tree(text)
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        raise ParseError(f"{what} {text!r} is not a number")
    _check_only_numbers(body[0].value, text, what)
    builder = ExpressionBuilder(text, {})
    term = builder.expr(body[0].value)
    if isinstance(term, Ref):
        raise ParseError(f"{what} {text!r} is not a number", hint="names are not allowed here")
    return builder.as_float(term, body[0].value)


_NOT_FINITE = frozenset({"nan", "inf", "infinity"})


def _check_only_numbers(node: ast.expr, text: str, what: str) -> None:
    """A value is arithmetic on numbers: a name in it is refused as what it is, not as a formula's name."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    for name in (n for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called):
        if name.id.lower() in _NOT_FINITE:
            raise ParseError(f"{what} {text.strip()!r} is not a finite number",
                             hint="gradients are checked at finite points: give a finite number")
        raise ParseError(f"{what} {text.strip()!r} is not a number ({name.id!r} is a name)",
                         hint="a value is a number or arithmetic on numbers, such as 2, -1e-3, 1/3 or 2**0.5;"
                              " it cannot name another input")


def parse_at(items: Sequence[str]) -> dict[str, float]:
    """``["a=-4", "b=2"]`` -> ``{"a": -4.0, "b": 2.0}``, for ``--at``."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = (part.strip() for part in item.partition("="))
        if not equals or not number:
            raise ParseError(f"--at expects NAME=VALUE, got {item!r}", hint="for example: --at a=-4 b=2")
        name = normal_name(name)
        _check_new_name(name, f"--at {item}")
        if name in values:
            raise ParseError(f"--at gives {name!r} twice")
        try:
            values[name] = parse_number(number, "the value")
        except ParseError as error:
            raise ParseError(f"--at {item}: {error.message}", hint=error.hint) from None
    return values


def _check_new_name(name: str, where: str) -> None:
    if not name.isidentifier():
        raise ParseError(f"{where}: {name!r} is not a name")
    if is_dunder(name):
        raise ParseError(f"{where}: names with double underscores are not allowed")
    if name in SYNTAX.functions or name == "Value":
        raise ParseError(f"{where}: {name!r} is a function name; pick another name")
