"""Expressions to graph nodes: a whitelisted walk of the syntax tree, and constant folding.

Arithmetic on number literals is the only thing ever computed, under the
limits on integer size and exponent size.
"""

from __future__ import annotations

import ast
import math

from micrograd.ops import Op

from ..program import notation
from .graph import Call, Input, Ref, Term
from .limits import MAX_EXPONENT, MAX_INT_BITS, MAX_NODES
from .position import Place, place_of, source_line
from .result import ParseError
from .syntax import PY_TOKEN, SYNTAX
from .wording import describe, shown, suggest

_FOREIGN_MODULES = ("math", "np", "numpy", "torch", "mpmath", "sympy", "cmath")


def is_dunder(name: str) -> bool:
    return name.startswith("__") or name.endswith("__")


class ExpressionBuilder:
    """Walks whitelisted expressions and records inputs and steps."""

    def __init__(self, text: str, at: dict[str, float]) -> None:
        self.text = text
        self.at = at
        self.nodes: list[Input | Call] = []
        self.named: dict[int, str] = {}  # node -> the name it was first bound to
        self.env: dict[str, Term] = {}
        self.used_at: set[str] = set()

    # ---- errors ----
    def fail(self, message: str, node: ast.AST | None = None, hint: str | None = None) -> ParseError:
        if node is None or getattr(node, "lineno", None) is None:
            return ParseError(message, hint=hint)
        place = self.place(node)
        return ParseError(message, line=place.line, col=place.col, width=place.width,
                          source=source_line(self.text, place.line), hint=hint)

    def place(self, node: ast.AST) -> Place:
        return place_of(self.text, node)

    # ---- expressions ----
    def expr(self, node: ast.expr) -> Term:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.lookup(node)
        if isinstance(node, ast.BinOp):
            return self.chain(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            row = SYNTAX.unary.get(type(node.op))
            if row is None:
                raise self.fail(f"operator {'not' if isinstance(node.op, ast.Not) else '~'} is not supported",
                                node, hint=self._operators_hint())
            return self.apply(row, (operand,), node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Attribute):
            raise self.fail(f"attribute access '.{node.attr}' is not allowed", node,
                            hint="methods are called with no arguments, like x.tanh()"
                            if node.attr in SYNTAX.methods else None)
        raise self.fail(f"{describe(node)} is not allowed in a formula", node)

    def chain(self, node: ast.BinOp) -> Term:
        """``a + b + ... + z``, which ast nests to the left one BinOp per operator, walked without
        recursion, left to right as Python evaluates it: a flat chain may be as long as the limits allow."""
        spine = [node]
        while isinstance(spine[-1].left, ast.BinOp):
            spine.append(spine[-1].left)
        value = self.expr(spine[-1].left)
        for link in reversed(spine):
            value = self.binary(link.op, value, self.expr(link.right), link)
        return value

    def _operators_hint(self) -> str:
        return "operators: " + " ".join(sorted({PY_TOKEN[k] for k in SYNTAX.infix})) + " and unary -"

    def number(self, node: ast.Constant) -> Term:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = "a string" if isinstance(value, (str, bytes)) else repr(value)
            raise self.fail(f"{kind} is not a number", node)
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"{value} is not a finite number", node)
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise self.fail("integer literal is too large", node)
        return value

    def lookup(self, node: ast.Name) -> Term:
        name = node.id
        if is_dunder(name):
            raise self.fail("names with double underscores are not allowed", node)
        if name in self.env:
            return self.env[name]
        if name in self.at:
            self.used_at.add(name)
            self.nodes.append(Input(name, self.at[name], self.place(node)))
            ref = Ref(len(self.nodes) - 1)
            self.env[name] = ref
            self.named[ref.index] = name
            return ref
        if name in SYNTAX.functions:
            raise self.fail(f"{name!r} is a function; call it, like {name}(x)", node)
        if name == "Value":
            raise self.fail("Value(...) makes an input; write it on its own line, like 'x = Value(2.0)'",
                            node)
        known = list(self.env) + list(self.at) + list(SYNTAX.functions)
        hint = suggest(name, known)
        if hint is None:
            missing = self._missing(name)
            values = " ".join(f"{shown(n)[1:-1]}=VALUE" for n in missing)
            hint = f"give it a value with --at {values}" if len(missing) == 1 else \
                f"give them values with --at {values}"
        raise self.fail(f"unknown name {shown(name)}", node, hint)

    def _missing(self, first: str) -> list[str]:
        """``first`` and every other name the text reads but nothing gives a value: all told at once."""
        try:
            tree = ast.parse(self.text)  # it parsed before: within the limits
        except SyntaxError:  # an indented text is parsed dedented (guard): the first name will do
            return [first]
        walked = list(ast.walk(tree))
        stored = {n.id for n in walked if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        called = {id(n.func) for n in walked if isinstance(n, ast.Call)}
        read = sorted((n for n in walked if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
                       and id(n) not in called), key=lambda n: (n.lineno, n.col_offset))
        missing = [first]
        for n in read:
            if n.id in missing or n.id in stored or n.id in self.env or n.id in self.at \
                    or n.id in SYNTAX.functions or n.id == "Value" or is_dunder(n.id):
                continue
            missing.append(n.id)
        return missing

    def call(self, node: ast.Call) -> Term:
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
            if is_dunder(name):
                raise self.fail("names with double underscores are not allowed", func)
            if isinstance(func.value, ast.Name) and func.value.id in _FOREIGN_MODULES and \
                    func.value.id not in self.env:
                raise self.fail(f"{func.value.id}.{name} is not available", func,
                                hint=f"write {name}(x)" if name in SYNTAX.functions else None)
            if name in SYNTAX.builtins:
                raise self.fail(f"there is no method .{name}()", func, hint=f"write {name}(x)")
            if name == "backward":
                raise self.fail("backward() belongs on its own line", func)
            if name not in SYNTAX.methods:
                raise self.fail(f"unknown method .{shown(name)[1:-1]}()", func,
                                hint=suggest(name, list(SYNTAX.methods)) or self._functions_hint())
            if node.args or node.keywords:
                raise self.fail(f".{name}() takes no arguments", node)
            return self.apply(SYNTAX.methods[name], (self.expr(func.value),), node)
        if isinstance(func, ast.Name):
            name = func.id
            if is_dunder(name):
                raise self.fail("names with double underscores are not allowed", func)
            if name == "Value":
                raise self.fail("Value(...) makes an input; write it on its own line, like 'x = Value(2.0)'",
                                node)
            row = SYNTAX.functions.get(name)
            if row is None:
                raise self.fail(f"unknown function {shown(name)}", func,
                                hint=suggest(name, list(SYNTAX.functions)) or self._functions_hint())
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                raise self.fail(f"{name}(...) takes exactly one argument", node)
            return self.apply(row, (self.expr(node.args[0]),), node)
        raise self.fail(f"calling {describe(func)} is not allowed", node)

    def _functions_hint(self) -> str:
        return "functions: " + ", ".join(sorted(SYNTAX.functions))

    def binary(self, kind: ast.operator, left: Term, right: Term, node: ast.AST) -> Term:
        rows = SYNTAX.infix.get(type(kind))
        if rows is None:
            raise self.fail(f"operator {PY_TOKEN.get(type(kind), type(kind).__name__)} is not supported",
                            node, hint=self._operators_hint())
        operands = (left, right)
        if all(not isinstance(x, Ref) for x in operands):
            return self.fold(rows[0], operands, node)
        for row in rows:
            if all(i not in row.constant or (not isinstance(x, Ref) and float(x) in row.domain[i])
                   for i, x in enumerate(operands)):
                return self.apply(row, operands, node)
        raise self.fail(f"no op of the table applies to {PY_TOKEN[type(kind)]} here", node)

    def apply(self, row: Op, operands: tuple[Term, ...], node: ast.AST) -> Term:
        if all(not isinstance(x, Ref) for x in operands):
            return self.fold(row, operands, node)
        for i in row.constant:
            k = operands[i]
            if not isinstance(k, Ref) and abs(k) > MAX_EXPONENT:
                raise self.fail(f"exponent {k} is too large (the limit is {MAX_EXPONENT})", node)
        args = tuple(x if isinstance(x, Ref) else self.as_float(x, node) for x in operands)
        if len(self.nodes) >= MAX_NODES:
            raise self.fail(f"more than {MAX_NODES:,} operations", node)
        self.nodes.append(Call(row, args, self.place(node)))
        return Ref(len(self.nodes) - 1)

    def fold(self, row: Op, operands: tuple[Term, ...], node: ast.AST) -> Term:
        """Compute an op on plain numbers, as Python would, within limits."""
        xs = tuple(x for x in operands if not isinstance(x, Ref))
        written = row.write(*(repr(x) for x in xs))
        written_as = notation(row)
        try:
            if written_as.form in ("infix", "prefix"):  # as Python computes it: 2 ** 3 stays an int
                if written_as.word == "**":
                    _check_power(xs[0], xs[1])
                result = written_as.apply(*xs)
            else:
                result = row.forward(*(float(x) for x in xs))
        except OverflowError:
            raise self.fail(f"{written} is too large", node) from None
        except (ArithmeticError, ValueError) as error:
            raise self.fail(f"{written} is undefined: {error}", node) from None
        except _TooLarge as error:
            raise self.fail(f"{written} is too large: {error}", node) from None
        if isinstance(result, complex):
            raise self.fail(f"{written} is not a real number", node)
        if isinstance(result, int) and not isinstance(result, bool):
            if result.bit_length() > MAX_INT_BITS:
                raise self.fail(f"{written} is too large", node)
            return result
        if not isinstance(result, float) or not math.isfinite(result):
            raise self.fail(f"{written} is not a finite number", node)
        return result

    def as_float(self, x: int | float, node: ast.AST) -> float:
        try:
            value = float(x)
        except OverflowError:
            raise self.fail("number is too large for a float", node) from None
        if not math.isfinite(value):
            raise self.fail(f"{value} is not a finite number", node)
        return value

    def as_ref(self, term: Term, node: ast.AST | None, what: str) -> Ref:
        if not isinstance(term, Ref):
            raise self.fail(f"{what} is a plain number, not a Value: there is nothing to differentiate",
                            node, hint="give names values with --at, e.g. --at x=2")
        return term


class _TooLarge(Exception):
    pass


def _check_power(base: int | float, exponent: int | float) -> None:
    """Refuse x ** k whose result would be huge before Python tries to compute it."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1 \
            and exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise _TooLarge(f"about 2**{exponent * math.log2(abs(base)):.3g}")
