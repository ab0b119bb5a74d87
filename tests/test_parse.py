"""The safe parser: formulas and snippets become the intended Program, bad input a located ParseError."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest

from micrograd import OPS, Op, Value
from micrograd.ops import INTEGER, REAL
from verify.parse import (
    MAX_BRACKETS,
    MAX_CHARS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_NODES,
    MAX_OPERATORS,
    SYNTAX,
    ParseError,
    parse,
    parse_at,
    parse_number,
    syntax_of,
)
from verify.program import Const, Step, call

SEED = Path(__file__).resolve().parent.parent / "examples" / "seed.py"


def ops_of(text: str, **at: float) -> list[str]:
    return [step.op for step in parse(text, at=at).program.steps]


def error_of(text: str, **at: float) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse(text, at=at)
    return caught.value


# ---- formulas ----

def test_formula_becomes_inputs_and_steps() -> None:
    parsed = parse("a*b + b**3", at={"a": -4.0, "b": 2.0})
    assert parsed.program.inputs == (("a", -4.0), ("b", 2.0))
    assert parsed.program.steps == (
        Step("mul", (0, 1)), Step("powi", (1, Const(3.0))), Step("add", (2, 3)),
    )
    assert parsed.formula == "a*b + b**3"
    assert parsed.labels[-1] == parsed.output == "f"


def test_inputs_are_ordered_by_first_use() -> None:
    parsed = parse("b - a", at={"a": 1.0, "b": 2.0})
    assert parsed.program.inputs == (("b", 2.0), ("a", 1.0))


@pytest.mark.parametrize("row", [op for op in OPS.values() if op.notation.startswith("{0}.")])
def test_function_form_equals_method_form(row: Op) -> None:
    name = row.notation[4:-2]
    as_function = parse(f"{name}(x) * 2", at={"x": 0.5}).program
    as_method = parse(f"x.{name}() * 2", at={"x": 0.5}).program
    assert as_function == as_method
    assert as_function.steps[0] == Step(row.name, (0,))


@pytest.mark.parametrize("row", list(OPS.values()))
def test_every_row_of_the_table_is_reachable(row: Op) -> None:
    # Constant operands get a value from the row's own domain: 3 if it must be an integer, else 0.5.
    operands = [("3" if row.domain[i] == INTEGER else "0.5") if i in row.constant else "x"
                for i in range(row.arity)]
    assert row.name in ops_of(row.write(*operands), x=0.7)


def test_powers_pick_the_row_by_exponent() -> None:
    assert ops_of("x ** 3", x=2.0) == ["powi"]
    assert ops_of("x ** -1", x=2.0) == ["powi"]
    assert ops_of("x ** 0.5", x=2.0) == ["powc"]
    assert ops_of("x ** y", x=2.0, y=3.0) == ["pow"]
    assert parse("2 ** x", at={"x": 1.0}).program.steps == (Step("pow", (Const(2.0), 0)),)


def test_abs_is_a_builtin_call() -> None:
    assert parse("abs(x)", at={"x": -1.0}).program.steps == (Step("abs", (0,)),)
    assert "abs(x)" in (error_of("x.abs()", x=1.0).hint or "")


def test_constants_fold_as_python_computes_them() -> None:
    # 1/4 = 0.25, 2**10 = 1024, -(3) = -3, +x = x: no steps for pure numbers.
    steps = parse("+x * (1/4) + 2**10 - -(3)", at={"x": 1.0}).program.steps
    assert steps == (Step("mul", (0, Const(0.25))), Step("add", (1, Const(1024.0))),
                     Step("sub", (2, Const(-3.0))))


def test_unary_minus_on_a_value_is_neg() -> None:
    assert parse("-x", at={"x": 1.0}).program.steps == (Step("neg", (0,)),)


def test_formula_reused_name_is_one_input() -> None:
    parsed = parse("x * x", at={"x": 3.0})
    assert parsed.program.inputs == (("x", 3.0),)
    assert parsed.program.steps == (Step("mul", (0, 0)),)


# ---- snippets ----

def test_seed_snippet_builds_micrograd_readme_numbers() -> None:
    parsed = parse(SEED.read_text())
    assert parsed.program.inputs == (("a", -4.0), ("b", 2.0))
    assert parsed.output == "g"
    slots = parsed.program.run(Value)
    # The numbers printed in micrograd's README for this example.
    assert f"{slots[-1].data:.4f}" == "24.7041"
    assert f"{slots[0].grad:.4f}" == "138.8338"
    assert f"{slots[1].grad:.4f}" == "645.5773"


def test_augmented_assignment_rebinds_the_name() -> None:
    parsed = parse("x = Value(3.0)\ny = x * x\ny += x\n")
    assert parsed.program.steps == (Step("mul", (0, 0)), Step("add", (1, 0)))
    assert parsed.labels == ("x", "y_1", "y")
    assert parsed.output == "y"


def test_output_option_picks_a_name_and_drops_unused_steps() -> None:
    text = "x = Value(2.0)\ny = x.exp()\nz = y * 3\nw = x.sin()\n"
    parsed = parse(text, output="z")
    assert parsed.program.steps == (Step("exp", (0,)), Step("mul", (1, Const(3.0))))
    assert parsed.output == "z"


def test_backward_target_is_the_output() -> None:
    parsed = parse("x = Value(2.0)\ny = x * x\nz = y + 1\ny.backward()\n")
    assert parsed.output == "y"
    assert parsed.program.steps == (Step("mul", (0, 0)),)


def test_last_assigned_name_is_the_output_by_default() -> None:
    assert parse("x = Value(2.0)\ny = x * x\nz = y + 1\n").output == "z"


def test_at_overrides_a_value_input() -> None:
    parsed = parse("x = Value(2.0)\ny = x * x\n", at={"x": 5.0})
    assert parsed.program.inputs == (("x", 5.0),)


def test_value_takes_constant_arithmetic_and_a_label() -> None:
    parsed = parse("x = Value(-1/4, label='x')\nk = 2 ** 3\ny = x * k\n")
    assert parsed.program.inputs == (("x", -0.25),)
    assert parsed.program.steps == (Step("mul", (0, Const(8.0))),)


def test_alias_shares_the_node() -> None:
    parsed = parse("x = Value(2.0)\nz = x\ny = z * x\n")
    assert parsed.program.steps == (Step("mul", (0, 0)),)


def test_snippet_may_mix_at_values_for_free_names() -> None:
    parsed = parse("y = t * t\n", at={"t": 3.0})
    assert parsed.program.inputs == (("t", 3.0),)


def test_print_with_fstrings_is_not_evaluated() -> None:
    # A format spec that would raise if evaluated is accepted: print is skipped, never run.
    text = "x = Value(2.0)\ny = x * x\nprint(f'{y.data:.4f} {x.grad:>10}', y, 'text', sep=' ')\n"
    assert parse(text).output == "y"


# ---- --at ----

def test_parse_at_values() -> None:
    assert parse_at(["a=-4", "b = 2", "c=1/4", "d=2**0.5"]) == {"a": -4.0, "b": 2.0, "c": 0.25, "d": 2**0.5}


@pytest.mark.parametrize("item", ["a", "=1", "1a=2", "a=", "tanh=1", "a=b", "a=1e999", "__x=1", "a=(1,2)"])
def test_parse_at_refuses(item: str) -> None:
    with pytest.raises(ParseError, match="--at"):
        parse_at([item])


def test_parse_at_refuses_a_name_twice() -> None:
    with pytest.raises(ParseError, match="twice"):
        parse_at(["a=1", "a=2"])


def test_parse_number() -> None:
    assert parse_number("-(3 - 1) / 8") == -0.25
    with pytest.raises(ParseError):
        parse_number("x")


# ---- errors: located, with a hint ----

def test_typo_gets_line_column_caret_and_suggestion() -> None:
    error = error_of("x = Value(1.0)\ny = tahn(x)\n")
    assert (error.line, error.col, error.width) == (2, 5, 4)
    assert error.hint == "did you mean 'tanh'?"
    rendered = error.render()
    assert "line 2, column 5" in rendered
    assert "  y = tahn(x)\n      ^^^^\n" in rendered


def test_unknown_name_suggests_an_input_or_at() -> None:
    assert error_of("a + bb", a=1.0, b=2.0).hint == "did you mean 'b'?"
    assert error_of("a + zz", a=1.0).hint == "give it a value with --at zz=VALUE"


def test_column_counts_characters_not_bytes() -> None:
    error = error_of("é = Value(1.0)\ny = é + foo(é)\n")
    assert (error.line, error.col, error.width) == (2, 9, 3)


def test_unused_at_name_is_refused() -> None:
    assert "never uses" in error_of("a * 2", a=1.0, b=2.0).message


def test_syntax_error_is_located() -> None:
    error = error_of("a * * b", a=1.0, b=1.0)
    assert error.message.startswith("syntax error")
    assert error.line == 1 and error.col is not None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1 + 2", "plain number"),
        ("a", "just an input"),
        ("tanh", "is a function"),
        ("x % 2", "operator %"),
        ("x < 2", "comparison"),
        ("x if x else x", "conditional"),
        ("x[0]", "indexing"),
        ("x.data", "attribute access"),
        ("math.tanh(x)", "math.tanh is not available"),
        ("tanh(x, x)", "exactly one argument"),
        ("x.tanh(2)", "takes no arguments"),
        ("x.backward()", "is an input"),
        ("Value(2.0) * x", "own line"),
        ("'a' * x", "not a number"),
        ("True * x", "not a number"),
        ("1j * x", "not a number"),
    ],
)
def test_formula_refusals(text: str, words: str) -> None:
    at = {"a": 1.0} if text == "a" else {"x": 1.0} if "x" in text else {}
    assert words in error_of(text, **at).message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("import os\n", "only the import"),
        ("from micrograd import Value, nn\n", "only the import"),
        ("x = Value(1.0)\nfor i in x: pass\n", "'for' loop"),
        ("def f(): pass\n", "function definition"),
        ("x = Value(1.0)\nx * 2\ny = x\n", "computes nothing"),
        ("x = Value(1.0)\na, b = x, x\n", "one plain name"),
        ("x = Value(1.0)\ny = Value(x)\n", "takes a number"),
        ("x = Value(1.0)\nprint(open('f'))\n", "not allowed in print"),
        ("x = Value(1.0)\nprint(f'{x:{x}}')\n", "format spec"),
        ("x = Value(1.0)\nx.backward(1)\n", "only 'y.backward()'"),
        ("x = Value(1.0)\ny = x * 2\n", None),
        ("tanh = Value(1.0)\n", "function name"),
        ("x = Value(1.0)\n", "is an input"),
        ("k = 2.0\n", "plain number"),
    ],
)
def test_snippet_refusals(text: str, words: str | None) -> None:
    if words is None:
        assert parse(text).program.steps == (Step("mul", (0, Const(2.0))),)
    else:
        assert words in error_of(text).message


# ---- limits ----

def test_size_limit() -> None:
    assert "characters long" in error_of("x" * (MAX_CHARS + 1)).message


def test_bracket_limit_checked_before_parsing() -> None:
    error = error_of("(" * 40_000 + "x" + ")" * 40_000, x=1.0)
    assert f"more than {MAX_BRACKETS}" in error.message
    assert error.col == MAX_BRACKETS + 1


def test_depth_limit() -> None:
    deep = f"more than {MAX_DEPTH} deep"
    assert deep in error_of("-" * 90_000 + "x", x=1.0).message  # refused on the tokens, before ast.parse
    assert deep in error_of("x" + ".tanh()" * (MAX_DEPTH // 2 + 1), x=1.0).message
    assert deep in error_of("x" + " ** x" * (MAX_DEPTH + 1), x=1.0).message
    # nesting that no single run of tokens shows: found on the tree
    mixed = "----(" * 55 + "x" + ")" * 55  # 220 unary minus, no more than 4 in a row
    error = error_of(mixed, x=1.0)
    assert deep in error.message and error.line == 1


# Issue 12: depth is about nesting, not length.
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_a_flat_chain_is_one_level_however_long(op: str) -> None:
    parsed = parse("x" + f" {op} x" * 300, at={"x": 1.0})  # 301 terms: not "nested more than 200 deep"
    assert len(parsed.program.steps) == 300


def test_a_flat_sum_may_reach_the_node_limit() -> None:
    # x + x + ... has 4 syntax nodes per term (Name, Load, BinOp, Add): 1,250 terms are exactly the limit.
    terms = MAX_NODES // 4
    assert len(parse(" + ".join(["x"] * terms), at={"x": 1.0}).program.steps) == terms - 1
    assert f"more than {MAX_NODES:,} syntax nodes" in error_of(" + ".join(["x"] * (terms + 1)), x=1.0).message


def test_flat_chains_inside_products_and_calls() -> None:
    inner = " + ".join(["x"] * 200)
    text = f"tanh({inner}) * ({inner}) - {inner}"
    assert len(parse(text, at={"x": 1.0}).program.steps) == 3 * 199 + 3


def test_ast_parse_never_sees_more_than_it_can_build() -> None:
    # The deepest tree the token checks let through (MAX_OPERATORS operators in one chain, under brackets
    # and unary minus), on the Python running the tests: ast.parse builds it, and the tree check refuses it
    # by its size, never "too complex for Python's parser".
    wrap = 95
    chain = " + ".join(["1"] * (MAX_OPERATORS - wrap * 2))
    text = "-(" * wrap + chain + ")" * wrap + " * x"
    error = error_of(text, x=1.0)
    assert f"more than {MAX_NODES:,} syntax nodes" in error.message
    error = error_of(" + ".join(["1"] * (4 * MAX_OPERATORS)), x=1.0)
    assert f"more than {MAX_OPERATORS:,} operators" in error.message


def test_a_lone_surrogate_is_named_not_called_deep() -> None:
    error = error_of("x * \udcff", x=1.0)  # what an undecodable byte 0xff on the command line becomes
    assert "lone surrogate U+DCFF" in error.message and (error.line, error.col) == (1, 5)
    assert "0xff" in (error.hint or "")


def test_names_are_nfkc_normalised_everywhere() -> None:
    # ast normalises identifiers (PEP 3131): the fullwidth x of the formula is x, so must --at's be.
    parsed = parse("\uff58*2", at=parse_at(["\uff58=1"]))
    assert parsed.program.inputs == (("x", 1.0),)
    assert parse("x*2", at={"\uff58": 3.0}).program.inputs == (("x", 3.0),)
    assert parse("x = Value(1.0)\ny = x * 2\n", output="\uff59").output == "y"
    with pytest.raises(ParseError, match="twice"):
        parse_at(["\uff58=1", "x=2"])


def test_output_never_renames_an_input() -> None:
    with pytest.raises(ParseError, match="name of its own"):
        parse("x*x", at={"x": 2.0}, output="x")
    rebound = parse("x = Value(2.0)\nx = x * x\ny = x + 1\n", output="x")
    assert rebound.program.inputs == (("x", 2.0),)
    assert rebound.labels == ("x", "x_1") and rebound.output == "x_1"
    assert parse("x = Value(2.0)\nx = x * x\n").labels == ("x", "x_1")


def test_lines_are_counted_as_python_counts_them() -> None:
    # A form feed is whitespace to Python, a line break to str.splitlines: the caret must follow Python.
    error = error_of("x = Value(1.0)\x0c\ny = tahn(x)\r\n")
    assert (error.line, error.col) == (2, 5) and error.source == "y = tahn(x)"


def test_exponent_limits() -> None:
    assert "too large" in error_of("9**9**9**9 * x", x=1.0).message
    assert "too large" in error_of("x ** (10**10)", x=1.0).message
    assert "too large" in error_of(f"x ** {MAX_EXPONENT + 1}", x=1.0).message
    assert ops_of(f"x ** {MAX_EXPONENT}", x=1.0) == ["powi"]
    assert "too large" in error_of("x * 2.0 ** 5000", x=1.0).message
    assert "too large" in error_of("x * (2**1000 * 2**1000)", x=1.0).message


def test_non_finite_and_undefined_constants() -> None:
    assert "finite" in error_of("x * 1e999", x=1.0).message
    assert "undefined" in error_of("x + 1/0", x=1.0).message
    assert "undefined" in error_of("x + log(-1)", x=1.0).message
    assert "not a real number" in error_of("x + (-8) ** (1/3)", x=1.0).message


# ---- the syntax is read off the table ----

def test_syntax_follows_the_table() -> None:
    cube = Op("cube", 1, lambda x: x**3, lambda out, x: 3 * x * x, lambda m, x: x**3, "{0}.cube()", (REAL,))
    syntax = syntax_of({**OPS, "cube": cube})
    assert syntax.methods["cube"] is cube
    assert set(SYNTAX.methods) | set(SYNTAX.builtins) == {
        op.name for op in OPS.values() if op.notation.endswith("()") or op.notation.endswith("({0})")
    }


def test_the_parser_and_the_engine_caller_read_notation_alike() -> None:
    floor = Op("floordiv", 2, lambda x, y: x // y, lambda out, x, y: (0.0, 0.0), lambda m, x, y: x,
               "{0} // {1}", (REAL, REAL))
    assert syntax_of({"floordiv": floor}).infix[ast.FloorDiv] == (floor,)
    assert call(floor, 7.0, 2.0) == 3.0
    sinh = Op("sinh", 1, math.sinh, lambda out, x: math.cosh(x), lambda m, x: x, "sinh({0})", (REAL,))
    with pytest.raises(ValueError, match="notation"):  # not a Python builtin: neither can use it
        syntax_of({"sinh": sinh})
    with pytest.raises(ValueError, match="notation"):
        call(sinh, 1.0)


def test_unknown_notation_is_refused_loudly() -> None:
    odd = Op("odd", 1, abs, lambda out, x: 1.0, lambda m, x: x, "|{0}|", (REAL,))
    with pytest.raises(ValueError, match="notation"):
        syntax_of({"odd": odd})


def test_what_pythons_parser_gives_up_on_is_said_so() -> None:
    # CPython's own parser overflows its stack on a long run of names that is not Python.
    error = error_of(" ".join(["x"] * 20_000), x=1.0)
    assert "too complex for Python's parser" in error.message
