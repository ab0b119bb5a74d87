"""The parser's grammar, read off the op table's ``notation`` so it is never listed twice.

"{0} + {1}" gives the ``+`` operator, "-{0}" unary minus, "{0}.tanh()" both
``x.tanh()`` and ``tanh(x)``, "abs({0})" the builtin ``abs(x)``.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass

from micrograd.ops import OPS, Op

# How Python spells each infix token of the op table's notation.
_PY_INFIX: dict[str, type[ast.operator]] = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
    "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult,
}
PY_TOKEN = {kind: token for token, kind in _PY_INFIX.items()}


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
    """Derive the accepted syntax from rows' notation; an unknown notation is an error."""
    infix: dict[type[ast.operator], list[Op]] = {}
    unary: dict[type[ast.unaryop], Op] = {}
    methods: dict[str, Op] = {}
    builtins: dict[str, Op] = {}
    for op in ops.values():
        n = op.notation
        if n.startswith("{0} ") and n.endswith(" {1}") and n[4:-4] in _PY_INFIX:
            infix.setdefault(_PY_INFIX[n[4:-4]], []).append(op)
        elif n == "-{0}":
            unary[ast.USub] = op
        elif n.startswith("{0}.") and n.endswith("()") and n[4:-2].isidentifier():
            methods[n[4:-2]] = op
        elif n.endswith("({0})") and n[:-5].isidentifier():
            builtins[n[:-5]] = op
        else:
            raise ValueError(f"op {op.name}: the parser does not know notation {n!r}")
    return Syntax({k: tuple(v) for k, v in infix.items()}, unary, methods, builtins)


SYNTAX = syntax_of(OPS)
