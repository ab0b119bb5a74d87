"""The oracle and the judge never crash on a finite program: a bound that would overflow makes the row
inconclusive with its reason, never a traceback.

Exponents of balls are read off their mantissa and exponent (a float of log2 overflows below
2**-1e308), and sums of magnitudes are taken in quarters where they pass the largest float.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flint import arb, arf
from hypothesis import given
from hypothesis import strategies as st

import verify
from micrograd import OPS, MathError, Value
from verify.judge import local
from verify.oracle import fd
from verify.oracle.ball import ball
from verify.program import Const, Program, RunFailed, Step

ROOT = Path(__file__).resolve().parent.parent
VERDICT_EXITS = {"pass": 0, "fail": 1, "inconclusive": 2, "undefined": 2}


def _cli(formula: str, *at: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "verify", "expr", formula, "--at", *at, "--json"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=ROOT, check=False)


@pytest.mark.parametrize(("formula", "at"), [
    ("x**y", ("x=1e-300", "y=1e308")),
    ("x*1e308 + x*1e308 - x*1e308", ("x=1e-300",)),
])
def test_the_issue_examples_get_a_verdict_from_the_cli(formula: str, at: tuple[str, ...]) -> None:
    done = _cli(formula, *at)
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    assert document["verdict"] in ("pass", "inconclusive"), done.stdout
    assert done.returncode == VERDICT_EXITS[document["verdict"]]


def _power_graph() -> tuple[Value, dict[str, Value]]:
    x, y = Value(1e-300), Value(1e308)
    out = x**y
    out.backward()
    return out, {"x": x, "y": y}


def _sum_graph() -> tuple[Value, dict[str, Value]]:
    x = Value(1e-300)
    out = x * 1e308 + x * 1e308 - x * 1e308
    out.backward()
    return out, {"x": x}


@pytest.mark.parametrize("build", [_power_graph, _sum_graph], ids=["x**y", "fsum"])
def test_check_and_assert_gradients_give_a_verdict_on_the_issue_examples(
    build: Callable[[], tuple[Value, dict[str, Value]]],
) -> None:
    out, inputs = build()
    report = verify.check(out, inputs=inputs)
    assert report.verdict in ("pass", "inconclusive"), report.render()
    if report.ok:
        assert verify.assert_gradients(out, inputs=inputs).ok
    else:
        with pytest.raises(AssertionError):
            verify.assert_gradients(out, inputs=inputs)


def test_an_exponent_below_two_to_the_minus_1e310_is_read_exactly() -> None:
    tiny = arb(arf((3, -3 * 10**309)))  # 3 * 2**-3e309: its log2 is no float
    assert fd._exponent(tiny) == -3 * 10**309 + 1
    assert fd._exponent(-tiny) == -3 * 10**309 + 1
    assert fd._exponent(ball(12.5)) == 3
    assert fd._exponent(ball(0)) == 0


def test_a_sum_whose_sizes_overflow_is_bounded_and_may_overflow_only_where_an_order_can() -> None:
    big = 1e308
    # 1e308 + 1e308 - 1e308: one order overflows to +inf, none to -inf
    lo, hi = local._finish([(big, big), (big, big), (-big, -big)])
    assert hi == math.inf
    assert lo == pytest.approx(big, rel=1e-12)
    # sizes past the largest float, but no partial sum can reach it: bounded both ways
    lo, hi = local._finish([(big, big), (-big, -big), (big / 2, big / 2), (-big / 2, -big / 2)])
    assert -1e294 < lo <= 0.0 <= hi < 1e294


@pytest.mark.parametrize("count", [3, 5, 9, 33, 1000])
def test_many_terms_near_the_largest_float_are_summed_without_a_crash(count: int) -> None:
    big = 1.7e308
    lo, hi = local._finish([(big, big)] * count)  # every order overflows
    assert hi == math.inf and lo >= big
    lo, hi = local._finish([(big, big), (-big, -big)] * count)  # either way, in some order
    assert (lo, hi) == (-math.inf, math.inf)
    with_inf = [(big, big), (-big, -big)] * (count // 2) + [(1.0, 1.0)] * 3 + [(math.inf, math.inf)]
    lo, hi = local._finish(with_inf)
    assert hi == math.inf and lo == math.inf


def test_a_sum_near_overflow_still_catches_a_wrong_adjoint() -> None:
    # x's contributions 1.5e308, -1.5e308 and 1e307: their sizes overflow, no partial sum does
    program = Program((("x", 1e-300),), (Step("mul", (0, Const(1.5e308))), Step("mul", (0, Const(-1.5e308))),
                                         Step("add", (1, 2)), Step("mul", (0, Const(1e307))),
                                         Step("add", (3, 4))))
    slots = program.run(Value, catch=())
    grad = [s.grad for s in slots]
    grad[0] = -grad[0]
    data = [s.data for s in slots]
    assert verify.check_run(program, data, [s.grad for s in slots]).verdict == "pass"
    report = verify.check_run(program, data, grad)
    assert report.verdict == "fail", report.render()


# ---- any finite program over 1e-300..1e300: a verdict, never an exception ----

def _magnitudes(lo: int = -300, hi: int = 300) -> st.SearchStrategy[float]:
    mantissas = st.floats(1.0, 9.999, allow_nan=False)
    return st.builds(lambda s, m, e: s * m * 10.0**e, st.sampled_from((-1.0, 1.0)), mantissas,
                     st.integers(lo, hi))


HARD_TRIG = (1426668733016935.2, 5.319372648326541e255, 1.5986289000543612e74, 6.765697623837479e95)
"""Doubles near multiples of pi/2, where a libm's argument reduction is least accurate."""


@st.composite
def wide_programs(draw: st.DrawFn) -> Program:
    """Programs whose inputs, constants and exponents span float64, kept where our engine's forward is
    finite: the shapes of the soundness campaign."""
    n = draw(st.integers(1, 3))
    inputs = tuple((f"x{i}", draw(st.one_of(_magnitudes(), st.sampled_from(HARD_TRIG)))) for i in range(n))
    slots: list[Value] = [Value(v) for _, v in inputs]
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(sorted(OPS)))
        row = OPS[op]
        args: list[int | Const] = []
        for i in range(row.arity):
            if i in row.constant:
                args.append(Const(draw(st.sampled_from((-3.0, 2.0, 3.0, 50.0, 0.5, -1.5, 0.01, 1e-300)))
                                  if op == "powc" else draw(st.sampled_from((-3.0, -1.0, 2.0, 3.0, 11.0)))))
            elif row.arity == 2 and op != "pow" and i == 1 and draw(st.booleans()):
                args.append(Const(draw(_magnitudes(-8, 308))))
            else:
                args.append(draw(st.integers(0, len(slots) - 1)))
        if all(isinstance(a, Const) for a in args):
            continue
        made = Program(inputs, (*steps, Step(op, tuple(args))))
        try:
            value = made.run(Value, backward=False, catch=(ArithmeticError, ValueError))[-1]
        except RunFailed:  # outside the op's domain, or overflowed: not a finite program
            continue
        steps.append(Step(op, tuple(args)))
        slots.append(value)
    if not steps:
        steps.append(Step("mul", (0, Const(2.0))))
    return Program(inputs, tuple(steps))


@given(wide_programs())
def test_no_finite_program_raises_out_of_the_judge(program: Program) -> None:
    try:
        slots = program.run(Value, catch=MathError)
        data: list[float | None] = [s.data for s in slots]
        grad: list[float | None] = [s.grad for s in slots]
    except RunFailed as failed:  # backward overflowed: the engine's values alone are judged
        data = [s.data for s in failed.slots]
        grad = [None] * program.size
    report = verify.check_run(program, data, grad)
    assert report.verdict in ("pass", "fail", "inconclusive", "undefined")
    assert report.render()
