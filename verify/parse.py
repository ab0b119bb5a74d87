"""Text to Program: a safe parser for formulas and micrograd snippets.

Two input forms share one grammar:

- a formula, ``a*b + b**3``, whose free names get values from ``--at``;
- a micrograd snippet: ``from micrograd import Value``, ``x = Value(2.0)``
  lines (the inputs), assignments and augmented assignments, and the
  harmless ``y.backward()`` and ``print(...)`` lines, which are ignored.

The syntax is derived from the op table's ``notation``, never listed twice:
"{0} + {1}" gives the ``+`` operator, "-{0}" unary minus, "{0}.tanh()" both
``x.tanh()`` and ``tanh(x)``, "abs({0})" the builtin ``abs(x)``.

Safety: the text is only ever read by ``tokenize`` and ``ast.parse`` (which
execute nothing), after size checks, and the tree is walked against a
whitelist. Nothing is evaluated except arithmetic on number literals, under
limits on size, nesting, node count and exponent size.
"""

from __future__ import annotations

import ast
import difflib
import io
import math
import tokenize
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from micrograd.ops import OPS, Op

from .program import Arg, Const, Program, Step, caller

MAX_CHARS = 100_000  # characters of input text
MAX_BRACKETS = 100  # nesting of ( [ { in the raw text
MAX_DEPTH = 200  # depth of the syntax tree
MAX_NODES = 20_000  # syntax tree nodes, and so also program steps
MAX_EXPONENT = 1024  # |k| in x ** k for a constant k
MAX_INT_BITS = 1100  # integer constants beyond this cannot become floats anyway

# How Python spells each infix token of the op table's notation.
_PY_INFIX: dict[str, type[ast.operator]] = {
    "+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "**": ast.Pow,
    "//": ast.FloorDiv, "%": ast.Mod, "@": ast.MatMult,
}
_PY_TOKEN = {kind: token for token, kind in _PY_INFIX.items()}
_IGNORED_IMPORTS = ("micrograd", "micrograd.engine")
_SHOWABLE_ATTRIBUTES = ("data", "grad")
_FOREIGN_MODULES = ("math", "np", "numpy", "torch", "mpmath", "sympy", "cmath")


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


class ParseError(Exception):
    """Bad input: a message, where it is (1-based line and column), and a hint."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        col: int | None = None,
        width: int = 1,
        source: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.width = max(1, width)
        self.source = source
        self.hint = hint

    def render(self) -> str:
        """``error: ...`` with the line, a caret under the culprit and the hint."""
        where = f" (line {self.line}, column {self.col})" if self.line and self.col else ""
        lines = [f"error: {self.message}{where}"]
        if self.source is not None and self.col is not None and len(self.source) <= 200:
            width = min(self.width, max(1, len(self.source) - self.col + 1))
            lines.append(f"  {self.source}")
            lines.append("  " + " " * (self.col - 1) + "^" * width)
        if self.hint:
            lines.append(f"  {self.hint}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Span:
    """Where a piece of text is: 1-based line and column, width in characters."""

    line: int
    col: int
    width: int


@dataclass(frozen=True)
class Parsed:
    """A parsed formula or snippet: the program and how to talk about it."""

    program: Program
    labels: tuple[str, ...]  # one per slot: the user's name (earlier values c_1, c_2), else v1, v2, ...
    output: str  # the output's label
    spans: tuple[Span | None, ...]  # one per slot
    lines: tuple[str, ...]  # the source lines, for pointing at a slot
    formula: str | None  # the source when the input was a single expression

    def error_at(self, slot: int, message: str, hint: str | None = None) -> ParseError:
        """A ParseError pointing at the text that made ``slot``."""
        span = self.spans[slot]
        if span is None:
            return ParseError(message, hint=hint)
        return ParseError(message, line=span.line, col=span.col, width=span.width,
                          source=self.lines[span.line - 1], hint=hint)


def parse(text: str, *, at: Mapping[str, float] | None = None, output: str | None = None) -> Parsed:
    """Parse a formula or a micrograd snippet into a Program.

    ``at`` gives values to free names (and overrides ``x = Value(...)``
    inputs); ``output`` picks the output by name. Raises ParseError.
    """
    tree = _parse_tree(text)
    return _Builder(text, dict(at or {})).run(tree, output)


def parse_number(text: str, what: str = "value") -> float:
    """A number from constant arithmetic (``-4``, ``1/3``, ``2**0.5``), parsed as safely as formulas."""
    tree = _parse_tree(text)
    body = tree.body
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        raise ParseError(f"{what} {text!r} is not a number")
    builder = _Builder(text, {})
    term = builder.expr(body[0].value)
    if isinstance(term, _Ref):
        raise ParseError(f"{what} {text!r} is not a number", hint="names are not allowed here")
    return builder.as_float(term, body[0].value)


def parse_at(items: Sequence[str]) -> dict[str, float]:
    """``["a=-4", "b=2"]`` -> ``{"a": -4.0, "b": 2.0}``, for ``--at``."""
    values: dict[str, float] = {}
    for item in items:
        name, equals, number = (part.strip() for part in item.partition("="))
        if not equals or not number:
            raise ParseError(f"--at expects NAME=VALUE, got {item!r}", hint="for example: --at a=-4 b=2")
        _check_new_name(name, f"--at {item}")
        if name in values:
            raise ParseError(f"--at gives {name!r} twice")
        try:
            values[name] = parse_number(number, f"--at {name}:")
        except ParseError as error:
            raise ParseError(f"--at {item}: {error.message}", hint=error.hint) from None
    return values


# ---------------------------------------------------------------- internals

@dataclass(frozen=True)
class _Ref:
    """A node of the graph being built (an input or a step)."""

    index: int


Term = _Ref | int | float
"""What an expression evaluates to: a graph node, or a plain number."""


@dataclass
class _Input:
    name: str
    value: float
    span: Span | None


@dataclass
class _Call:
    op: Op
    args: tuple[Term, ...]
    span: Span | None


def _parse_tree(text: str) -> ast.Module:
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
                                     line=line, col=col + 1, source=_line(text, line))
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
                             col=_column(text, node), source=_line(text, line) if line else None)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _column(text: str, node: ast.AST) -> int | None:
    """1-based character column (ast counts UTF-8 bytes)."""
    line = getattr(node, "lineno", None)
    offset = getattr(node, "col_offset", None)
    if line is None or offset is None:
        return None
    return len(_line(text, line).encode()[:offset].decode(errors="replace")) + 1


def _check_new_name(name: str, where: str) -> None:
    if not name.isidentifier():
        raise ParseError(f"{where}: {name!r} is not a name")
    if name.startswith("__") or name.endswith("__"):
        raise ParseError(f"{where}: names with double underscores are not allowed")
    if name in SYNTAX.functions or name == "Value":
        raise ParseError(f"{where}: {name!r} is a function name; pick another name")


def _describe(node: ast.AST) -> str:
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


def _suggest(name: str, known: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


def _is_dunder(name: str) -> bool:
    return name.startswith("__") or name.endswith("__")


class _Builder:
    """Walks a whitelisted syntax tree and records inputs and steps."""

    def __init__(self, text: str, at: dict[str, float]) -> None:
        self.text = text
        self.at = at
        self.nodes: list[_Input | _Call] = []
        self.named: dict[int, str] = {}  # node -> the name it was first bound to
        self.env: dict[str, Term] = {}
        self.used_at: set[str] = set()
        self.last_assigned: str | None = None
        self.backward_of: str | None = None

    # ---- errors ----
    def fail(self, message: str, node: ast.AST | None = None, hint: str | None = None) -> ParseError:
        if node is None or getattr(node, "lineno", None) is None:
            return ParseError(message, hint=hint)
        span = self.span(node)
        return ParseError(message, line=span.line, col=span.col, width=span.width,
                          source=_line(self.text, span.line), hint=hint)

    def span(self, node: ast.AST) -> Span:
        line: int = getattr(node, "lineno", 1)
        col = _column(self.text, node) or 1
        end_line = getattr(node, "end_lineno", None)
        end_offset = getattr(node, "end_col_offset", None)
        if end_line == line and end_offset is not None:
            end = len(_line(self.text, line).encode()[:end_offset].decode(errors="replace")) + 1
            return Span(line, col, max(1, end - col))
        return Span(line, col, max(1, len(_line(self.text, line)) - col + 1))

    # ---- statements ----
    def run(self, tree: ast.Module, output: str | None) -> Parsed:
        body = tree.body
        if not body:
            raise ParseError("input is empty", hint='give a formula such as "a*b + b**3" --at a=-4 b=2')
        formula = len(body) == 1 and isinstance(body[0], ast.Expr) and not self._ignorable(body[0].value)
        if formula:
            assert isinstance(body[0], ast.Expr)
            root = self.as_ref(self.expr(body[0].value), body[0].value, "the formula")
            if isinstance(self.nodes[root.index], _Input):
                raise self.fail("the formula is just an input: there is nothing to differentiate",
                                body[0].value)
            label = output or next(n for n in ("f", "y", "out", "result") if n not in self.env)
            self.named[root.index] = label
            self._check_at_used()
            return self._finish(root, self.text.strip())
        for statement in body:
            self.statement(statement)
        self._check_at_used()
        name = output or self.backward_of or self.last_assigned
        if name is None:
            raise ParseError("nothing is computed: no assignment found",
                             hint="write e.g. 'y = x * x', or give a single formula")
        if name not in self.env:
            raise ParseError(f"--output {name!r} is not assigned in the snippet",
                             hint=_suggest(name, list(self.env)))
        root = self.as_ref(self.env[name], None, f"output {name!r}")
        if isinstance(self.nodes[root.index], _Input):
            raise ParseError(f"output {name!r} is an input: there is nothing to differentiate",
                             hint="name the computed value with --output NAME")
        return self._finish(root, None)

    def _check_at_used(self) -> None:
        unused = [name for name in self.at if name not in self.used_at]
        if unused:
            raise ParseError(f"--at gives {unused[0]!r}, which the input never uses",
                             hint=_suggest(unused[0], list(self.env) + self._free_names()))

    def _free_names(self) -> list[str]:
        return sorted({n.id for n in ast.walk(ast.parse(self.text)) if isinstance(n, ast.Name)})

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
        raise self.fail(f"{_describe(node)} is not allowed", node,
                        hint="a snippet may only have Value(...) inputs, assignments, "
                             ".backward() and print(...)")

    def assign(self, target: ast.Name, value: ast.expr) -> None:
        name = target.id
        if _is_dunder(name):
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
        if isinstance(value, _Ref):
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
            if isinstance(term, _Ref):
                raise self.fail("Value(...) takes a number", call.args[0],
                                hint=f"to reuse a Value, write '{name} = {ast.unparse(call.args[0])}'")
            value = self.as_float(term, call.args[0])
        self.nodes.append(_Input(name, value, self.span(call)))
        index = len(self.nodes) - 1
        self.named[index] = name
        self.env[name] = _Ref(index)
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
                    raise self.fail(f"{_describe(part)} is not allowed in print", part, hint)
                self.check_shown(part.value)
                spec = part.format_spec
                if spec is not None and not (isinstance(spec, ast.JoinedStr) and all(
                        isinstance(v, ast.Constant) for v in spec.values)):
                    raise self.fail("a computed format spec is not allowed in print", spec, hint)
            return
        raise self.fail(f"{_describe(node)} is not allowed in print", node, hint)

    # ---- expressions ----
    def expr(self, node: ast.expr) -> Term:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.lookup(node)
        if isinstance(node, ast.BinOp):
            return self.binary(node.op, self.expr(node.left), self.expr(node.right), node)
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
        raise self.fail(f"{_describe(node)} is not allowed in a formula", node)

    def _operators_hint(self) -> str:
        return "operators: " + " ".join(sorted({_PY_TOKEN[k] for k in SYNTAX.infix})) + " and unary -"

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
        if _is_dunder(name):
            raise self.fail("names with double underscores are not allowed", node)
        if name in self.env:
            return self.env[name]
        if name in self.at:
            self.used_at.add(name)
            self.nodes.append(_Input(name, self.at[name], self.span(node)))
            ref = _Ref(len(self.nodes) - 1)
            self.env[name] = ref
            self.named[ref.index] = name
            return ref
        if name in SYNTAX.functions:
            raise self.fail(f"{name!r} is a function; call it, like {name}(x)", node)
        if name == "Value":
            raise self.fail("Value(...) makes an input; write it on its own line, like 'x = Value(2.0)'",
                            node)
        known = list(self.env) + list(self.at) + list(SYNTAX.functions)
        hint = _suggest(name, known) or f"give it a value with --at {name}=VALUE"
        raise self.fail(f"unknown name {name!r}", node, hint)

    def call(self, node: ast.Call) -> Term:
        func = node.func
        if isinstance(func, ast.Attribute):
            name = func.attr
            if _is_dunder(name):
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
                raise self.fail(f"unknown method .{name}()", func,
                                hint=_suggest(name, list(SYNTAX.methods)) or self._functions_hint())
            if node.args or node.keywords:
                raise self.fail(f".{name}() takes no arguments", node)
            return self.apply(SYNTAX.methods[name], (self.expr(func.value),), node)
        if isinstance(func, ast.Name):
            name = func.id
            if _is_dunder(name):
                raise self.fail("names with double underscores are not allowed", func)
            if name == "Value":
                raise self.fail("Value(...) makes an input; write it on its own line, like 'x = Value(2.0)'",
                                node)
            row = SYNTAX.functions.get(name)
            if row is None:
                raise self.fail(f"unknown function {name!r}", func,
                                hint=_suggest(name, list(SYNTAX.functions)) or self._functions_hint())
            if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
                raise self.fail(f"{name}(...) takes exactly one argument", node)
            return self.apply(row, (self.expr(node.args[0]),), node)
        raise self.fail(f"calling {_describe(func)} is not allowed", node)

    def _functions_hint(self) -> str:
        return "functions: " + ", ".join(sorted(SYNTAX.functions))

    def binary(self, kind: ast.operator, left: Term, right: Term, node: ast.AST) -> Term:
        rows = SYNTAX.infix.get(type(kind))
        if rows is None:
            raise self.fail(f"operator {_PY_TOKEN.get(type(kind), type(kind).__name__)} is not supported",
                            node, hint=self._operators_hint())
        operands = (left, right)
        if all(not isinstance(x, _Ref) for x in operands):
            return self.fold(rows[0], operands, node)
        for row in rows:
            if all(i not in row.constant or (not isinstance(x, _Ref) and float(x) in row.domain[i])
                   for i, x in enumerate(operands)):
                return self.apply(row, operands, node)
        raise self.fail(f"no op of the table applies to {_PY_TOKEN[type(kind)]} here", node)

    def apply(self, row: Op, operands: tuple[Term, ...], node: ast.AST) -> Term:
        if all(not isinstance(x, _Ref) for x in operands):
            return self.fold(row, operands, node)
        for i in row.constant:
            k = operands[i]
            if not isinstance(k, _Ref) and abs(k) > MAX_EXPONENT:
                raise self.fail(f"exponent {k} is too large (the limit is {MAX_EXPONENT})", node)
        args = tuple(x if isinstance(x, _Ref) else self.as_float(x, node) for x in operands)
        if len(self.nodes) >= MAX_NODES:
            raise self.fail(f"more than {MAX_NODES:,} operations", node)
        self.nodes.append(_Call(row, args, self.span(node)))
        return _Ref(len(self.nodes) - 1)

    def fold(self, row: Op, operands: tuple[Term, ...], node: ast.AST) -> Term:
        """Compute an op on plain numbers, as Python would, within limits."""
        xs = tuple(x for x in operands if not isinstance(x, _Ref))
        written = row.write(*(repr(x) for x in xs))
        try:
            if row.notation.startswith("{0} ") or row.notation == "-{0}":
                if row.notation == "{0} ** {1}":
                    _check_power(xs[0], xs[1])
                result = caller(row)(*xs)
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

    def as_ref(self, term: Term, node: ast.AST | None, what: str) -> _Ref:
        if not isinstance(term, _Ref):
            raise self.fail(f"{what} is a plain number, not a Value: there is nothing to differentiate",
                            node, hint="give names values with --at, e.g. --at x=2")
        return term

    # ---- the Program ----
    def _finish(self, root: _Ref, formula: str | None) -> Parsed:
        """Keep every input and the steps the output depends on; number the slots."""
        live = {root.index}
        for index in range(root.index, -1, -1):
            node = self.nodes[index]
            if index in live and isinstance(node, _Call):
                live.update(a.index for a in node.args if isinstance(a, _Ref))
        inputs = [i for i, n in enumerate(self.nodes) if isinstance(n, _Input)]
        steps = [i for i, n in enumerate(self.nodes) if isinstance(n, _Call) and i in live]
        order = inputs + steps
        slot = {index: s for s, index in enumerate(order)}
        labels = self._labels(order)
        program_inputs = []
        for i in inputs:
            node = self.nodes[i]
            assert isinstance(node, _Input)
            program_inputs.append((labels[slot[i]], node.value))
        program_steps = []
        for i in steps:
            call = self.nodes[i]
            assert isinstance(call, _Call)
            args: tuple[Arg, ...] = tuple(slot[a.index] if isinstance(a, _Ref) else Const(float(a))
                                          for a in call.args)
            program_steps.append(Step(call.op.name, args))
        program = Program(tuple(program_inputs), tuple(program_steps))
        return Parsed(program, labels, labels[slot[root.index]], tuple(self.nodes[i].span for i in order),
                      tuple(self.text.splitlines()), formula)

    def _labels(self, order: list[int]) -> tuple[str, ...]:
        """The user's names; a name bound several times (c += 1) numbers its earlier
        values c_1, c_2, ... so every slot has its own label; the rest are v1, v2, ..."""
        history: dict[str, list[int]] = {}
        for index in order:
            if index in self.named:
                history.setdefault(self.named[index], []).append(index)
        taken = set(history) | set(self.env)
        label: dict[int, str] = {}
        for name, indices in history.items():
            label[indices[-1]] = name
            k = 0
            for index in indices[:-1]:
                k += 1
                while f"{name}_{k}" in taken:
                    k += 1
                label[index] = f"{name}_{k}"
                taken.add(label[index])
        k = 0
        for index in order:
            if index not in label:
                k += 1
                while f"v{k}" in taken:
                    k += 1
                label[index] = f"v{k}"
        return tuple(label[index] for index in order)


class _TooLarge(Exception):
    pass


def _check_power(base: int | float, exponent: int | float) -> None:
    """Refuse x ** k whose result would be huge before Python tries to compute it."""
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1 \
            and exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise _TooLarge(f"about 2**{exponent * math.log2(abs(base)):.3g}")
