"""value_at: a SymPy formula evaluated in mpmath by walking its tree."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import mpmath
import pytest
import sympy
from hypothesis import event, given

from verify.oracle.formula import formulas, value_at
from verify.program import Program, Step
from verify.strategies import expressions

x, y = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
DIGITS = 40


def _at(**inputs: float) -> Program:
    return Program(tuple(inputs.items()), ())


def _reference(expr: Any, program: Program, digits: int) -> Any:
    """SymPy's own evaluation at the exact inputs, with guard digits: fine for these small formulas."""
    exact = {sympy.Symbol(name, real=True): sympy.Rational(*Fraction(v).as_integer_ratio())
             for name, v in program.inputs}
    value = expr.evalf(digits + 15, subs=exact)
    assert value.is_real and value.is_finite, value
    with mpmath.workdps(digits + 15):
        return mpmath.mpf(value)


def _lambdify(expr: Any, program: Program, digits: int) -> Any:
    """The former implementation, as an oracle: SymPy prints ``expr`` as mpmath code."""
    symbols = [sympy.Symbol(name, real=True) for name, _ in program.inputs]
    try:
        function = sympy.lambdify(symbols, expr, modules="mpmath", dummify=True)
    except (TypeError, ValueError, KeyError, NotImplementedError):
        return None
    with mpmath.workdps(digits):
        try:
            value = mpmath.mpf(function(*(mpmath.mpf(v) for _, v in program.inputs)))
        except (ArithmeticError, ValueError, TypeError):
            return None
    return value if mpmath.isfinite(value) else None


def _close(got: Any, want: Any, digits: int) -> bool:
    with mpmath.workdps(digits + 10):
        return bool(abs(got - want) <= mpmath.mpf(10) ** (2 - digits) * max(abs(want), 1e-300))


E3 = sympy.Rational(3, 4)

# One formula per node type (and the usual combinations), at points where it is a finite real.
FORMULAS: list[tuple[str, Any, Program]] = [
    ("add mul integer pow", x**3 * y - 2 * x / y + 7, _at(x=0.3, y=-1.7)),
    ("rational", sympy.Rational(1, 3) * x + sympy.Rational(-5, 7), _at(x=2.5)),
    ("rational pow", x**E3 + x ** sympy.Rational(-5, 2), _at(x=3.25)),
    ("sqrt", sympy.sqrt(x) + 1 / sympy.sqrt(x + y), _at(x=2.0, y=0.5)),
    ("symbolic exponent", x**y + 2**y + y**y, _at(x=1.5, y=2.75)),
    ("exp log", sympy.exp(-x) * sympy.log(y) + sympy.log(x) / y, _at(x=0.75, y=3.0)),
    ("tanh", 1 - sympy.tanh(x) ** 2, _at(x=1.2)),
    ("sin cos", sympy.sin(sympy.sin(x)) * sympy.cos(x), _at(x=-0.4)),
    ("tan cot", sympy.tan(x) + sympy.cot(x), _at(x=0.6)),
    ("sinh cosh sech", sympy.sinh(x) * sympy.cosh(y) + sympy.sech(x), _at(x=0.5, y=-1.25)),
    ("abs", sympy.Abs(y + sympy.Rational(3, 2)) ** x * sympy.log(sympy.Abs(y)), _at(x=0.5, y=-4.0)),
    ("sign", sympy.sign(x) * x**2 + sympy.sign(y), _at(x=-3.0, y=0.25)),
    ("heaviside", sympy.Heaviside(x) * 3 + sympy.Heaviside(y), _at(x=0.5, y=-2.0)),
    ("max min", sympy.Max(0, x) ** 2 + sympy.Min(x, y), _at(x=1.5, y=0.5)),
    ("atan2", sympy.cos(sympy.atan2(0, x) / 4) * sympy.sqrt(sympy.Abs(x)), _at(x=-2.0)),
    # x ** y is complex at x < 0, re/im/arg of it real, as in formulas with a symbolic exponent.
    ("re im arg", sympy.re(x**y) ** 2 + sympy.im(x**y) + sympy.arg(x**y), _at(x=-1.5, y=-0.5)),
    ("float", sympy.Float("0.1", 30) * x, _at(x=3.0)),
    ("pi e", sympy.pi * x + sympy.E / x, _at(x=-0.5)),
]


@pytest.mark.parametrize(("expr", "program"), [(e, p) for _, e, p in FORMULAS],
                         ids=[name for name, _, _ in FORMULAS])
@pytest.mark.parametrize("digits", [DIGITS, 100])
def test_values_agree_with_sympy_to_the_working_precision(expr: Any, program: Program, digits: int) -> None:
    got = value_at(expr, program, digits)
    assert isinstance(got, mpmath.mpf)
    assert _close(got, _reference(expr, program, digits), digits), (got, expr)


def test_the_working_precision_is_the_callers_not_the_global_one() -> None:
    third = value_at(x / 3, _at(x=1.0), 60)
    assert mpmath.mp.dps == 15
    with mpmath.workdps(60):
        want = mpmath.mpf(1) / 3
    assert _close(third, want, 60) and not _close(third, mpmath.mpf(1 / 3), 60)


@pytest.mark.parametrize(
    ("expr", "program"),
    [
        (sympy.zoo, _at(x=1.0)),
        (sympy.nan, _at(x=1.0)),
        (sympy.oo, _at(x=1.0)),
        (x + sympy.zoo, _at(x=1.0)),
        (sympy.Heaviside(sympy.zoo) * x, _at(x=1.0)),
        (sympy.sqrt(x), _at(x=-4.0)),  # 2i: complex
        (x**E3, _at(x=-8.0)),  # a negative base to a fractional power: complex
        (sympy.log(x), _at(x=-1.0)),  # i pi
        (sympy.log(x), _at(x=0.0)),  # -inf
        (1 / x, _at(x=0.0)),  # 0 ** -1 raises
        (sympy.exp(-1 / x), _at(x=0.0)),  # no exp(-inf) = 0: the division already failed
        (sympy.Max(0, sympy.sqrt(x)), _at(x=-1.0)),  # a complex operand of max
        (sympy.Heaviside(sympy.sqrt(x)), _at(x=-1.0)),  # of Heaviside
        (sympy.DiracDelta(x), _at(x=1.0)),  # not in the table
        (sympy.Piecewise((x, x > 0), (-x, True)), _at(x=1.0)),  # not in the table
        (x * y, _at(x=1.0)),  # y is not an input
        (sympy.Symbol("x") * 2, _at(x=1.0)),  # nor is x without real=True
    ],
)
def test_no_finite_real_value_is_none(expr: Any, program: Program) -> None:
    assert value_at(expr, program, DIGITS) is None


def test_a_complex_intermediate_may_give_a_real_value() -> None:
    # As with lambdify: re/im/arg/Abs of a complex intermediate are real.
    assert value_at(sympy.im(sympy.sqrt(x)), _at(x=-4.0), DIGITS) == 2
    assert _close(value_at(sympy.Abs(x**E3), _at(x=-16.0), DIGITS), mpmath.mpf(8), DIGITS)


@pytest.mark.parametrize(
    ("expr", "want"),
    [
        (sympy.Heaviside(x), sympy.Rational(1, 2)),  # SymPy's default H0
        (sympy.Heaviside(x, 0), 0),
        (sympy.Heaviside(x, 1), 1),
        (sympy.sign(x), 0),
        (sympy.Max(0, x) + sympy.Min(0, x), 0),
        (sympy.Abs(x), 0),
        # SymPy leaves atan2(0, 0) and arg(0) undefined; mpmath (so lambdify) gives 0.
        (sympy.atan2(0, x) + sympy.arg(x), 0),
        (sympy.Heaviside(x) * sympy.log(sympy.Max(0, x + 2)), sympy.log(2) / 2),
    ],
    ids=["heaviside", "heaviside0", "heaviside1", "sign", "max min", "abs", "atan2 arg", "relu'"],
)
def test_kinks_at_zero_keep_sympys_conventions_as_lambdify_did(expr: Any, want: Any) -> None:
    at_zero = _at(x=0.0)
    got = value_at(expr, at_zero, DIGITS)
    with mpmath.workdps(DIGITS + 10):
        exact = mpmath.mpf(sympy.N(want, DIGITS + 10))
    assert got is not None and _close(got, exact, DIGITS)
    assert got == _lambdify(expr, at_zero, DIGITS)


def test_a_deep_tree_needs_no_recursion() -> None:
    deep = x
    for _ in range(3000):  # beyond Python's recursion limit
        deep = sympy.sin(deep, evaluate=False)
        hash(deep)  # SymPy hashes recursively: one level at a time, it caches each
    got = value_at(deep, _at(x=0.5), DIGITS)
    with mpmath.workdps(DIGITS):
        want = mpmath.mpf(0.5)
        for _ in range(3000):
            want = mpmath.sin(want)
    assert got == want


@pytest.mark.property
@given(expressions(max_nodes=6, max_depth=3))
def test_agrees_with_lambdify_on_the_formulas_the_verifier_prints(program: Program) -> None:
    shown = formulas(program, list(range(len(program.inputs))))
    event("formulas" if shown is not None else "tree too large for formulas")
    for _, expr in (shown or {}).values():
        got, want = value_at(expr, program, 60), _lambdify(expr, program, 60)
        assert (got is None) == (want is None), (expr, got, want)
        if got is not None:
            # Both round at 60 digits, in different orders: agreement to 30 digits, or to 1e-30
            # where terms cancel (4*(x+y)**3/x**2 - 2*(x+y)**4/x**3 at x = y = 1e-8 is 0).
            assert mpmath.almosteq(got, want, rel_eps=mpmath.mpf(10) ** -30, abs_eps=mpmath.mpf(10) ** -30), (
                expr, got, want)


def test_formulas_of_a_program_with_a_kink_op_match_lambdify() -> None:
    program = Program(
        (("a", -4.0), ("b", 2.0)),
        (Step("add", (0, 1)), Step("mul", (0, 1)), Step("relu", (3,)), Step("add", (2, 4))),
    )
    shown = formulas(program, [0, 1])
    assert shown is not None
    for _, expr in shown.values():
        got = value_at(expr, program, DIGITS)
        want = _lambdify(expr, program, DIGITS)
        assert got is not None and want is not None and _close(got, want, DIGITS), (expr, got, want)
