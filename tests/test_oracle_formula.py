"""value_at: a SymPy formula evaluated on balls by walking its tree; formulas: bounded, for reading."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy
from hypothesis import event, given

from verify.oracle.ball import workprec
from verify.oracle.formula import formulas, input_symbols, value_at
from verify.program import Program, Step
from verify.strategies import expressions

x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
BITS = 160


def _at(**inputs: float) -> Program:
    return Program(tuple(inputs.items()), ())


def _symbols(**inputs: float) -> dict[str, Any]:
    return {s.name: s for s in input_symbols(_at(**inputs))}


def _reference(expr: Any, program: Program, digits: int) -> Any:
    """SymPy's own numeric evaluation at the exact inputs, with guard digits (fine for small formulas)."""
    exact = {s: sympy.Rational(*Fraction(v).as_integer_ratio())
             for s, (_, v) in zip(input_symbols(program), program.inputs, strict=True)}
    value = expr.evalf(digits + 15, subs=exact)
    assert value.is_real and value.is_finite, value
    with mpmath.workdps(digits + 15):
        return mpmath.mpf(value)


def _holds(got: Any, want: Any, bits: int) -> bool:
    """The ball holds the reference, and is tight: its radius far below the working precision's ulp."""
    with workprec(bits + 64), mpmath.workdps(int(bits * 0.302) + 30):
        mid = mpmath.mpf(got.mid().str(int(bits * 0.302) + 25, radius=False))
        rad = mpmath.mpf(got.rad().str(5, radius=False))
        tight = rad <= abs(want) * mpmath.mpf(2) ** (20 - bits) + mpmath.mpf(10) ** -300
        return bool(abs(mid - want) <= rad + abs(want) * mpmath.mpf(10) ** -(int(bits * 0.302) + 3) and tight)


E3 = sympy.Rational(3, 4)

# One formula per node type (and the usual combinations), at points where it is a finite real.
FORMULAS: list[tuple[str, str, dict[str, float]]] = [
    ("add mul integer pow", "x**3 * y - 2 * x / y + 7", {"x": 0.3, "y": -1.7}),
    ("rational", "x / 3 - Rational(5, 7)", {"x": 2.5}),
    ("rational pow", "x**Rational(3, 4) + x ** Rational(-5, 2)", {"x": 3.25}),
    ("sqrt", "sqrt(x) + 1 / sqrt(x + y)", {"x": 2.0, "y": 0.5}),
    ("symbolic exponent", "x**y + 2**y + y**y", {"x": 1.5, "y": 2.75}),
    ("exp log", "exp(-x) * log(y) + log(x) / y", {"x": 0.75, "y": 3.0}),
    ("tanh", "1 - tanh(x) ** 2", {"x": 1.2}),
    ("sin cos", "sin(sin(x)) * cos(x)", {"x": -0.4}),
    ("tan cot", "tan(x) + cot(x)", {"x": 0.6}),
    ("sinh cosh sech", "sinh(x) * cosh(y) + sech(x)", {"x": 0.5, "y": -1.25}),
    ("abs", "Abs(y + Rational(3, 2)) ** x * log(Abs(y))", {"x": 0.5, "y": -4.0}),
    ("sign", "sign(x) * x**2 + sign(y)", {"x": -3.0, "y": 0.25}),
    ("heaviside", "Heaviside(x) * 3 + Heaviside(y)", {"x": 0.5, "y": -2.0}),
    ("max min", "Max(0, x) ** 2 + Min(x, y)", {"x": 1.5, "y": 0.5}),
    ("atan2", "cos(atan2(1, x) / 4) * sqrt(Abs(x))", {"x": -2.0}),
    ("float", "Float('0.1', 30) * x", {"x": 3.0}),
    ("pi e", "pi * x + E / x", {"x": -0.5}),
]


def _formula(text: str, inputs: dict[str, float]) -> tuple[Any, Program]:
    # Our own test formulas (never user input), read with the inputs' symbols.
    names = {**vars(sympy), **_symbols(**inputs)}
    return sympy.sympify(text, locals=names), _at(**inputs)


@pytest.mark.parametrize(("text", "inputs"), [(t, i) for _, t, i in FORMULAS],
                         ids=[n for n, _, _ in FORMULAS])
@pytest.mark.parametrize("bits", [BITS, 400])
def test_values_are_tight_balls_holding_sympys_own_value(
    text: str, inputs: dict[str, float], bits: int
) -> None:
    expr, program = _formula(text, inputs)
    got = value_at(expr, program, bits)
    assert got is not None, expr
    assert _holds(got, _reference(expr, program, int(bits * 0.302)), bits), (got, expr)


@pytest.mark.parametrize(
    ("text", "inputs"),
    [
        ("zoo", {"x": 1.0}), ("nan", {"x": 1.0}), ("oo", {"x": 1.0}), ("x + zoo", {"x": 1.0}),
        ("sqrt(x)", {"x": -4.0}),  # 2i: complex
        ("x**Rational(3, 4)", {"x": -8.0}),  # a negative base to a fractional power: complex
        ("log(x)", {"x": -1.0}),  # i pi
        ("log(x)", {"x": 0.0}),  # -inf
        ("1 / x", {"x": 0.0}),
        ("exp(-1 / x)", {"x": 0.0}),
        ("DiracDelta(x - 1)", {"x": 1.0}),  # not in the table
        ("Piecewise((x, x > 2), (-x, True))", {"x": 1.0}),  # not in the table
        ("re(x**y)", {"x": -1.5, "y": -0.5}),  # a complex intermediate: not evaluated, so not shown
    ],
)
def test_no_finite_real_value_is_none(text: str, inputs: dict[str, float]) -> None:
    expr, program = _formula(text, inputs)
    assert value_at(expr, program, BITS) is None


def test_a_name_that_is_not_an_input_is_none() -> None:
    assert value_at(x * y, _at(x=1.0), BITS) is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Heaviside(x)", 0.5),  # SymPy's default H0
        ("Heaviside(x, 0)", 0.0),
        ("Heaviside(x, 1)", 1.0),
        ("sign(x)", 0.0),
        ("Max(0, x) + Min(0, x)", 0.0),
        ("Abs(x)", 0.0),
    ],
)
def test_kinks_at_zero_keep_sympys_conventions(text: str, want: float) -> None:
    expr, program = _formula(text, {"x": 0.0})
    got = value_at(expr, program, BITS)
    assert got is not None and got.is_exact() and float(got.mid()) == want


def test_a_deep_tree_needs_no_recursion() -> None:
    deep = sympy.Symbol("x", positive=True)
    for _ in range(3000):  # beyond Python's recursion limit
        deep = sympy.sin(deep, evaluate=False)
        hash(deep)  # SymPy hashes recursively: one level at a time, it caches each
    got = value_at(deep, _at(x=0.5), BITS)
    with mpmath.workdps(60):
        want = mpmath.mpf(0.5)
        for _ in range(3000):
            want = mpmath.sin(want)
    assert got is not None and _holds(got, want, 120)


@pytest.mark.property
@given(expressions(max_nodes=6, max_depth=3))
def test_printed_formulas_are_the_exact_gradient(program: Program) -> None:
    """Every formula that would be printed evaluates, on tight balls, to the reverse-mode gradient."""
    from verify.judge.verdict import certified
    from verify.oracle.exact import UndefinedAt, plan

    shown = formulas(program, list(range(len(program.inputs))))
    event("formulas" if shown else "no formulas (too large, too slow or unreadable constants)")
    try:
        ex, _ = certified(program, plan(program), list(shown))
    except UndefinedAt:
        return
    for s, (_, expr) in shown.items():
        got = value_at(expr, program, 256)
        if got is not None and not ex.kinks:
            assert got.overlaps(ex.adjoints[s]), (expr, got, ex.adjoints[s])


def test_formulas_are_bounded_by_depth() -> None:
    steps = [Step("sigmoid", (0,))] + [Step("sigmoid", (k,)) for k in range(1, 30)]
    assert formulas(Program((("x", 0.3),), tuple(steps)), [0]) == {}


def test_formulas_of_a_program_with_a_kink_op() -> None:
    program = Program(
        (("a", -4.0), ("b", 2.0)),
        (Step("add", (0, 1)), Step("mul", (0, 1)), Step("relu", (3,)), Step("add", (2, 4))),
    )
    shown = formulas(program, [0, 1])
    assert set(shown) == {0, 1}
    for _, expr in shown.values():
        got = value_at(expr, program, BITS)
        assert got is not None and got.is_exact() and float(got.mid()) == 1.0, (expr, got)
