"""Each op's calculus as derived from the op table: the kind of each partial (a constant, an operand, a
step, or a formula), its value on floats and on balls, kinks, one-operation ops, the diagonal
(x - x, x / x), exact operands that need more bits to give a finite ball, and an op that raises (nan,
unless a retry at more bits gives a value)."""

from __future__ import annotations

import pytest
from flint import arb, ctx

from micrograd.ops import OPS
from verify.oracle.ball import Ball, ball, workprec
from verify.oracle.calculus import _RETRY_BITS, _robust, calculus

CUBE = ((1, 3.0),)
"""powi and powc with the exponent 3."""

KINDS: dict[str, list[tuple[float | None, int | None, int | None] | None]] = {
    "add": [(1.0, None, None), (1.0, None, None)],
    "sub": [(1.0, None, None), (-1.0, None, None)],
    "mul": [(None, 1, None), (None, 0, None)],
    "div": [(None, None, None), (None, None, None)],
    "neg": [(-1.0, None, None)],
    "powi": [(None, None, None), None],
    "relu": [(None, None, 1)],
    "abs": [(None, None, -1)],
    "sin": [(None, None, None)],
}
"""(constant, operand, step) of each partial: None for a constant operand."""


@pytest.mark.parametrize("op", sorted(KINDS))
def test_each_partial_has_the_cheapest_exact_kind(op: str) -> None:
    calc = calculus(op, CUBE)
    kinds = [None if p is None else (p.constant, p.operand, p.step) for p in calc.partials]
    assert kinds == KINDS[op]
    assert [p is not None and p.trivial for p in calc.partials] == [
        k is not None and (k[0] is not None or k[1] is not None) for k in KINDS[op]]


@pytest.mark.parametrize(("op", "i", "xs", "want"), [
    ("add", 1, [2.0, 3.0], 1.0), ("sub", 1, [2.0, 3.0], -1.0), ("mul", 0, [2.0, 3.0], 3.0),
    ("mul", 1, [2.0, 3.0], 2.0), ("relu", 0, [2.0], 1.0), ("relu", 0, [-2.0], 0.0), ("relu", 0, [0.0], 0.0),
    ("abs", 0, [-3.0], -1.0), ("abs", 0, [0.0], 0.0), ("abs", 0, [2.0], 1.0), ("sin", 0, [0.5], None),
    ("div", 0, [1.0, 4.0], None),
])
def test_a_partial_on_floats_is_exact_or_none(op: str, i: int, xs: list[float], want: float | None) -> None:
    p = calculus(op).partials[i]
    assert p is not None and p.on_floats(xs) == want


@pytest.mark.parametrize(("op", "i", "xs", "want"), [
    ("add", 0, [2.0, 3.0], lambda x, y: arb(1)),
    ("sub", 1, [2.0, 3.0], lambda x, y: arb(-1)),
    ("mul", 0, [2.0, 3.0], lambda x, y: y),
    ("div", 1, [1.0, 4.0], lambda x, y: -x / (y * y)),
    ("pow", 1, [2.0, 3.0], lambda x, y: x**y * x.log()),
    ("sin", 0, [0.5], lambda x: x.cos()),
    ("sqrt", 0, [2.0], lambda x: 1 / (2 * x.sqrt())),
    ("relu", 0, [2.0], lambda x: arb(1)),
    ("abs", 0, [-2.0], lambda x: arb(-1)),
])
def test_a_partial_on_balls_is_the_derivative(op: str, i: int, xs: list[float], want: object) -> None:
    with workprec(128):
        balls = [arb(x) for x in xs]
        got, expected = calculus(op).partial(i, balls), want(*balls)  # type: ignore[operator]
        assert got.overlaps(expected) and got.rad() <= abs(expected) * arb(2) ** -100


def test_kinks_are_the_sides_of_relu_and_abs_only() -> None:
    assert calculus("relu").sides == {0.0: (0.0, 1.0)} and calculus("abs").sides == {0.0: (-1.0, 1.0)}
    assert calculus("relu").kink(0.0) == (0.0, 1.0) and calculus("relu").kink(1.0) is None
    assert all(not calculus(op, CUBE).sides for op in OPS if op not in ("relu", "abs"))


def test_the_single_float_operations() -> None:
    single = {op for op in OPS if calculus(op, CUBE).one_operation}
    assert single == {"add", "sub", "mul", "neg", "relu", "abs"}


@pytest.mark.parametrize(("op", "formulas"), [
    ("add", ("1", "1")), ("sub", ("1", "-1")), ("mul", ("{1}", "{0}")), ("div", ("1/{1}", "-{0}/{1}**2")),
    ("powi", ("3*{0}**2", "0")), ("pow", ("{0}**{1}*{1}/{0}", "{0}**{1}*log({0})")),
    ("relu", ("Heaviside({0})",)), ("abs", ("sign({0})",)), ("sqrt", ("1/(2*sqrt({0}))",)),
])
def test_each_partials_formula_over_placeholders(op: str, formulas: tuple[str, ...]) -> None:
    assert calculus(op, CUBE).formulas == formulas


def test_a_fixed_operand_that_is_not_a_constant_of_the_op_is_ignored() -> None:
    assert calculus("powi", ((0, 3.0),)).formulas == calculus("powi").formulas == ("{0}**{1}*{1}/{0}", "0")
    assert calculus("add", ((1, 3.0),)) is calculus("add")


def test_one_node_twice_is_one_number() -> None:
    with workprec(128):
        root = arb(2).sqrt()  # inexact: as two balls, root - root is not exactly 0
        assert calculus("sub").same_value(root) == 0 and calculus("sub").same_partial(root) == 0
        assert calculus("div").same_value(root) == 1 and calculus("div").same_partial(root) == 0
        assert calculus("mul").same_value(arb(3)) == 9 and calculus("mul").same_partial(arb(3)) == 6
        slope = calculus("pow").same_partial(arb(2))  # d/dx x**x = x**x (log x + 1)
        assert slope.overlaps(4 * (arb(2).log() + 1)) and slope.rad() < 2.0**-100
    assert all((calculus(op, CUBE).diagonal is not None) == (OPS[op].arity == 2 and not OPS[op].constant)
               for op in OPS)


def test_an_exact_operand_gets_more_bits_before_it_is_called_undefined() -> None:
    with workprec(128):
        assert not arb(1e300).exp().is_finite()  # too few bits to reduce the argument
        big = calculus("exp").value([arb(1e300)])
        assert big.is_finite() and big > arb(10) ** 300
        assert calculus("exp").partial(0, [arb(1e300)]).is_finite()
        assert not calculus("exp").value([arb(1e300, 1.0)]).is_finite()  # a ball is not retried
        assert not calculus("log").value([arb(0)]).is_finite()  # undefined at any precision
        assert not calculus("log").partial(0, [arb(0)]).is_finite()
        assert calculus("div").value([arb(1), arb(4)]) == arb(0.25)


def test_one_node_twice_where_it_has_no_real_value_is_not_finite() -> None:
    # x ** x at -0.5 is not real: retried at more bits (the operand is exact), then given up, no error
    with workprec(128):
        assert not calculus("pow").same_value(arb(-0.5)).is_finite()
        assert not calculus("pow").same_partial(arb(-0.5)).is_finite()


def test_a_raise_is_nan_not_a_crash_nor_a_number() -> None:
    for f, args in [(lambda: ball(1e300**2), [ball(1e300)]), (lambda: ball(1.0 / 0.0), [ball(1) / 3])]:
        out = _robust(f, args)
        assert not out.is_finite() and str(out) == "nan"


def test_exact_operands_that_raise_are_tried_again_until_a_precision_gives_a_value() -> None:
    x = ball(2) ** 1300  # exact; 2**1300 + 1 - 2**1300 is 1 only with over 1300 bits, else 0
    tried: list[int] = []

    def f() -> Ball:
        tried.append(ctx.prec)
        return ball(1.0 / float(((x + 1) - x).mid()))

    out = _robust(f, [x])
    assert out == arb(1) and tried == [53, *_RETRY_BITS] and _RETRY_BITS[0] < 1300 < _RETRY_BITS[1]


def test_inexact_operands_that_raise_are_not_tried_again() -> None:
    tried: list[int] = []

    def f() -> Ball:
        tried.append(ctx.prec)
        return ball(1.0 / 0.0)

    assert str(_robust(f, [ball(1) / 3])) == "nan" and tried == [53]
