"""How parse errors name things: a reader's word for a kind of syntax, and "did you mean"."""

from __future__ import annotations

import ast
import difflib
from collections.abc import Sequence


def describe(node: ast.AST) -> str:
    """A reader's name for a kind of syntax."""
    words = {
        ast.Lambda: "a lambda", ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension", ast.GeneratorExp: "a generator expression",
        ast.JoinedStr: "an f-string", ast.Subscript: "indexing", ast.Compare: "a comparison",
        ast.BoolOp: "'and'/'or'", ast.IfExp: "a conditional expression", ast.NamedExpr: "':='",
        ast.Starred: "'*' unpacking", ast.Await: "'await'", ast.Yield: "'yield'",
        ast.YieldFrom: "'yield'", ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set",
        ast.Dict: "a dict", ast.Attribute: "attribute access", ast.Slice: "a slice",
        ast.Import: "an import", ast.ImportFrom: "an import", ast.FunctionDef: "a function definition",
        ast.AsyncFunctionDef: "a function definition", ast.ClassDef: "a class definition",
        ast.For: "a 'for' loop", ast.AsyncFor: "a 'for' loop", ast.While: "a 'while' loop",
        ast.If: "an 'if' statement", ast.With: "a 'with' statement", ast.AsyncWith: "a 'with' statement",
        ast.Try: "a 'try' statement", ast.Raise: "'raise'", ast.Assert: "'assert'", ast.Delete: "'del'",
        ast.Global: "'global'", ast.Nonlocal: "'nonlocal'", ast.Return: "'return'",
        ast.AnnAssign: "an annotated assignment", ast.Break: "'break'", ast.Continue: "'continue'",
        ast.Match: "a 'match' statement",
    }
    return words.get(type(node), type(node).__name__)


def suggest(name: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def shown(name: str, width: int = 40) -> str:
    """A name quoted in an error: its repr, cut to ``width`` characters (names may be 100,000 long)."""
    text = repr(name)
    return text if len(text) <= width else text[: width - 4] + "...'"
