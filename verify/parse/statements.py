"""A whole input to a Parsed: one formula, or a micrograd snippet's statements.

A snippet may have ``from micrograd import Value``, ``x = Value(2.0)`` inputs,
assignments and augmented assignments, and the harmless ``y.backward()`` and
``print(...)`` lines, which are checked and then ignored, never run.
"""

from __future__ import annotations

import ast

from .expression import ExpressionBuilder, is_dunder
from .graph import Input, Ref, Term, to_parsed
from .result import Parsed, ParseError
from .syntax import SYNTAX
from .wording import describe, suggest

_IGNORED_IMPORTS = ("micrograd", "micrograd.engine")
_SHOWABLE_ATTRIBUTES = ("data", "grad")


class StatementBuilder(ExpressionBuilder):
    """Walks a whole whitelisted syntax tree, a formula or a snippet, and records inputs and steps."""

    def __init__(self, text: str, at: dict[str, float]) -> None:
        super().__init__(text, at)
        self.last_assigned: str | None = None
        self.backward_of: str | None = None
        self.tree: ast.Module | None = None

    def run(self, tree: ast.Module, output: str | None) -> Parsed:
        self.tree = tree
        body = tree.body
        if not body:
            raise ParseError("input is empty", hint='give a formula such as "a*b + b**3" --at a=-4 b=2')
        formula = len(body) == 1 and isinstance(body[0], ast.Expr) and not self._ignorable(body[0].value)
        if formula:
            assert isinstance(body[0], ast.Expr)
            root = self.as_ref(self.expr(body[0].value), body[0].value, "the formula")
            if isinstance(self.nodes[root.index], Input):
                raise self.fail("the formula is just an input: there is nothing to differentiate",
                                body[0].value)
            if output is not None and output in self.env:
                raise ParseError(f"--output {output!r} is a name the formula uses; the output needs a name "
                                 "of its own", hint="pick another name, or leave --output out")
            label = output or next(n for n in ("f", "y", "out", "result") if n not in self.env)
            self.named[root.index] = label
            self._check_at_used()
            return to_parsed(self.nodes, self.named, self.env, root, self.text, self.text.strip())
        for statement in body:
            self.statement(statement)
        self._check_at_used()
        name = output or self.backward_of or self.last_assigned
        if name is None:
            raise ParseError("nothing is computed: no assignment found",
                             hint="write e.g. 'y = x * x', or give a single formula")
        if name not in self.env:
            raise ParseError(f"--output {name!r} is not assigned in the snippet",
                             hint=suggest(name, list(self.env)))
        root = self.as_ref(self.env[name], None, f"output {name!r}")
        if isinstance(self.nodes[root.index], Input):
            raise ParseError(f"output {name!r} is an input: there is nothing to differentiate",
                             hint="name the computed value with --output NAME")
        return to_parsed(self.nodes, self.named, self.env, root, self.text, None)

    def _check_at_used(self) -> None:
        unused = [name for name in self.at if name not in self.used_at]
        if unused:
            raise ParseError(f"--at gives {unused[0]!r}, which the input never uses",
                             hint=suggest(unused[0], list(self.env) + self._free_names()))

    def _free_names(self) -> list[str]:
        tree = self.tree if self.tree is not None else ast.Module(body=[], type_ignores=[])
        return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)})

    def _ignorable(self, node: ast.expr) -> bool:
        """print(...), x.backward() and bare strings: lines a snippet may have that compute nothing."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return True
        if not isinstance(node, ast.Call):
            return False
        f = node.func
        return (isinstance(f, ast.Name) and f.id == "print") or (
            isinstance(f, ast.Attribute) and f.attr == "backward")

    def statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Import):
            raise self.fail("only the import 'from micrograd import Value' is allowed", node)
        if isinstance(node, ast.ImportFrom):
            names = [(a.name, a.asname) for a in node.names]
            if node.module in _IGNORED_IMPORTS and node.level == 0 and names == [("Value", None)]:
                return
            raise self.fail("only the import 'from micrograd import Value' is allowed", node)
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
                raise self.fail("assign to one plain name per line, like 'y = a * b'", node)
            self.assign(node.targets[0], node.value)
            return
        if isinstance(node, ast.AugAssign):
            if not isinstance(node.target, ast.Name):
                raise self.fail("assign to one plain name per line, like 'y += a * b'", node)
            old = self.lookup(node.target)
            self.bind(node.target, self.binary(node.op, old, self.expr(node.value), node))
            return
        if isinstance(node, ast.Expr):
            value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                return  # a docstring
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print":
                self.check_print(value)
                return
            if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) \
                    and value.func.attr == "backward":
                self.check_backward(value)
                return
            raise self.fail("an expression on its own line computes nothing here", node,
                            hint="assign it to a name, like 'y = ...', or give it as the only line")
        if isinstance(node, ast.Pass):
            return
        raise self.fail(f"{describe(node)} is not allowed", node,
                        hint="a snippet may only have Value(...) inputs, assignments, "
                             ".backward() and print(...)")

    def assign(self, target: ast.Name, value: ast.expr) -> None:
        name = target.id
        if is_dunder(name):
            raise self.fail("names with double underscores are not allowed", target)
        if name in SYNTAX.functions or name in ("Value", "print"):
            raise self.fail(f"{name!r} is a function name; pick another name", target)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "Value":
            self.new_input(name, value)
        else:
            self.bind(target, self.expr(value))

    def bind(self, target: ast.Name, value: Term) -> None:
        name = target.id
        self.env[name] = value
        self.last_assigned = name
        if isinstance(value, Ref):
            self.named.setdefault(value.index, name)

    def new_input(self, name: str, call: ast.Call) -> None:
        if len(call.args) != 1 or any(k.arg != "label" for k in call.keywords):
            raise self.fail("write an input as 'x = Value(2.0)'", call)
        for keyword in call.keywords:
            if not (isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str)):
                raise self.fail("label= takes a string literal", keyword.value)
        if name in self.at:
            value = self.at[name]
            self.used_at.add(name)
        else:
            term = self.expr(call.args[0])
            if isinstance(term, Ref):
                raise self.fail("Value(...) takes a number", call.args[0],
                                hint=f"to reuse a Value, write '{name} = {ast.unparse(call.args[0])}'")
            value = self.as_float(term, call.args[0])
        self.nodes.append(Input(name, value, self.place(call)))
        index = len(self.nodes) - 1
        self.named[index] = name
        self.env[name] = Ref(index)
        self.last_assigned = name

    def check_backward(self, call: ast.Call) -> None:
        func = call.func
        assert isinstance(func, ast.Attribute)
        if not isinstance(func.value, ast.Name) or call.args or call.keywords:
            raise self.fail("only 'y.backward()' on a name is understood", call)
        term = self.lookup(func.value)
        self.as_ref(term, func.value, f"{func.value.id!r}")
        self.backward_of = func.value.id

    def check_print(self, call: ast.Call) -> None:
        """print(...) is skipped, never run; it may only show text, names, .data and .grad."""
        for keyword in call.keywords:
            if keyword.arg not in ("sep", "end", "flush") or not isinstance(keyword.value, ast.Constant):
                raise self.fail("print(...) may only take sep=, end= and flush= constants", keyword.value)
        for arg in call.args:
            self.check_shown(arg)

    def check_shown(self, node: ast.expr) -> None:
        hint = "print(...) may only show text, names, and their .data or .grad"
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)):
            return
        if isinstance(node, ast.Name):
            self.lookup(node)
            return
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.attr in _SHOWABLE_ATTRIBUTES:
            self.lookup(node.value)
            return
        if isinstance(node, ast.JoinedStr):
            for part in node.values:
                if isinstance(part, ast.Constant):
                    continue
                if not isinstance(part, ast.FormattedValue):
                    raise self.fail(f"{describe(part)} is not allowed in print", part, hint)
                self.check_shown(part.value)
                spec = part.format_spec
                if spec is not None and not (isinstance(spec, ast.JoinedStr) and all(
                        isinstance(v, ast.Constant) for v in spec.values)):
                    raise self.fail("a computed format spec is not allowed in print", spec, hint)
            return
        raise self.fail(f"{describe(node)} is not allowed in print", node, hint)
