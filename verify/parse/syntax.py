"""The parser's grammar, read off the op table's ``notation`` so it is never listed twice.

Each row's notation is read once, by ``verify.program.notation`` (the reading
the engine caller uses too): "{0} + {1}" gives the ``+`` operator, "-{0}"
unary minus, "{0}.tanh()" both ``x.tanh()`` and ``tanh(x)``, "abs({0})" the
builtin ``abs(x)``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from micrograd.ops import OPS, Op

from ..program import notation

# How Python's syntax tree spells each infix token that ``notation`` reads (also named in error messages).
_PY_INFIX: dict[str, type[ast.operator]] = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
    "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult,
}
PY_TOKEN = {kind: token for token, kind in _PY_INFIX.items()}
_PY_PREFIX: dict[str, type[ast.unaryop]] = {"-": ast.USub}


@dataclass(frozen=True)
class Syntax:
    """The grammar read off the op table."""

    infix: dict[type[ast.operator], tuple[Op, ...]]
    unary: dict[type[ast.unaryop], Op]
    methods: dict[str, Op]  # x.name()  and  name(x)
    builtins: dict[str, Op]  # name(x) only

    @property
    def functions(self) -> dict[str, Op]:
        return {**self.methods, **self.builtins}


def syntax_of(ops: Mapping[str, Op]) -> Syntax:
    """Derive the accepted syntax from rows' notation; an unknown notation is a ``ValueError``."""
    infix: dict[type[ast.operator], list[Op]] = {}
    unary: dict[type[ast.unaryop], Op] = {}
    methods: dict[str, Op] = {}
    builtins: dict[str, Op] = {}
    for op in ops.values():
        written = notation(op)
        if written.form == "infix":
            infix.setdefault(_PY_INFIX[written.word], []).append(op)
        elif written.form == "prefix":
            unary[_PY_PREFIX[written.word]] = op
        elif written.form == "method":
            methods[written.word] = op
        else:
            builtins[written.word] = op
    return Syntax({k: tuple(v) for k, v in infix.items()}, unary, methods, builtins)


SYNTAX = syntax_of(OPS)
