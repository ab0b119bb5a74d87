"""An op evaluated on balls that raises (a float step inside it overflowing or dividing by 0) is
undefined there, nan, unless exact operands give a finite value at a retry's higher precision."""

from __future__ import annotations

from flint import arb, ctx

from verify.oracle.ball import Ball, ball
from verify.oracle.calculus import _RETRY_BITS, _robust


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
