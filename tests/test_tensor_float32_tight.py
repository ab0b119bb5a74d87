"""The float32 bounds of tanh, powi and the softmax rows are tight within 10x: correct float32 formulas
(another identity for tanh and its derivative, a power by repeated products, log-softmax without the
max shift, softmax as exp of log-softmax, a left-to-right dot product) pass, and a 10x tighter
allowance refuses them. Each formula is float32 arithmetic through numpy, as a float32 engine's."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from verify.tensor import narrow
from verify.tensor import softmax as sm
from verify.tensor.check import check
from verify.tensor.narrow import U32
from verify.tensor.program import build
from verify.tensor.run import Run

np = pytest.importorskip("numpy")
f32 = np.float32


def _one_op(op: str, x: Any, args: list[int | float], value: Any, partial: Any) -> tuple[Any, Run]:
    """``op`` on a float32 scalar x, with the engine's float32 value and partial of x."""
    program = build({"x": ((), [float(x)])}, [(op, args, {})])
    shapes = list(program.shapes)
    return program, Run([[float(x)], [float(value)]], shapes, [[float(partial)], [1.0]], shapes,
                        dtypes=["float32"] * 2)


def tanh_via_sigmoid(x: Any) -> tuple[Any, Any]:
    """tanh x = 2 sigmoid(2x) - 1 and tanh' x = 1 / cosh(x)**2, in float32."""
    t = f32(2) / (f32(1) + np.exp(f32(-2) * x)) - f32(1)
    c = np.cosh(x)
    return t, f32(1) / (c * c)


def power_by_products(k: int) -> Callable[[Any], tuple[Any, Any]]:
    """x**k as |k| - 1 float32 products (and a reciprocal for k < 0), its partial as k * x**(k-1)."""
    def power(x: Any, n: int) -> Any:
        r = x
        for _ in range(abs(n) - 1):
            r = r * x
        return f32(1) / r if n < 0 else r

    return lambda x: (power(x, k), f32(k) * power(x, k - 1))


def _refused(op: str, args: list[int | float], formula: Callable[[Any], tuple[Any, Any]],
             xs: Any) -> set[tuple[str, str]]:
    """Every point passes; returns what a 10x tighter allowance refuses at some point."""
    refused: set[tuple[str, str]] = set()
    for x in xs.astype(f32):
        value, partial = formula(x)
        assert value.dtype == partial.dtype == f32
        program, run = _one_op(op, x, args, value, partial)
        assert check(program, run).faults == [], (op, float(x))
        refused |= {(g.kind, g.op) for g in check(program, run, scale=0.1).faults}
    return refused


def test_tanh_through_sigmoid_and_cosh_passes_and_10x_tighter_value_and_partial_bounds_refuse_it():
    xs = np.linspace(0.01, 0.4, 64)  # near 0: 2 s - 1 cancels, the value's rounding is of 1 + |t|
    assert _refused("tanh", [0], tanh_via_sigmoid, xs) == {("forward", "tanh"), ("gradient", "tanh")}


@pytest.mark.parametrize("k", [3, 5, -2, -3])
def test_a_power_by_repeated_products_passes_and_10x_tighter_value_and_partial_bounds_refuse_it(k):
    xs = np.linspace(0.5, 3.0, 64)
    assert _refused("powi", [0, float(k)], power_by_products(k), xs) == {("forward", "powi"),
                                                                          ("gradient", "powi")}


@pytest.mark.parametrize("grad", [False, True])
def test_a_powi_error_planted_at_3x_its_float32_bound_is_caught_and_passes_10x_looser(grad):
    x, k = f32(1.7), 3
    value = Fraction(float(x)) ** k
    partial = k * Fraction(float(x)) ** (k - 1)
    xs = [float(x), float(k)]
    if grad:
        slack = narrow.partial_slack("powi", 0, xs, True, float(value), float(partial))
        planted = (float(value), float(partial) + 3 * slack)
    else:
        planted = (float(value) + 3 * narrow.value_slack("powi", xs, 1, float(value)), float(partial))
    program, run = _one_op("powi", x, [0, float(k)], *planted)
    kind = "gradient" if grad else "forward"
    assert [(g.kind, g.op) for g in check(program, run).faults] == [(kind, "powi")]
    assert check(program, run, scale=10).faults == []


ROW = np.array([79.472, 79.733, 79.675, 79.475], dtype=f32)
"""Large and flat, as large as float32's exp allows: logsumexp (about 81) is rounded to a float32
spaced 2**-17 apart, and every formulation's output carries that rounding."""


def log_softmax_unshifted(x: Any) -> Any:
    return x - np.log(np.sum(np.exp(x)))


def softmax_through_log(x: Any) -> Any:
    return np.exp(log_softmax_unshifted(x))


@pytest.mark.parametrize(("formula", "error_of"), [(log_softmax_unshifted, sm.log_softmax_error),
                                                   (softmax_through_log, sm.softmax_error)])
def test_a_float32_row_passes_and_10x_tighter_forward_bound_refuses_it(formula, error_of):
    out = formula(ROW)
    assert out.dtype == f32
    xs = [float(v) for v in ROW]
    used = []
    for i, y in enumerate(out):
        exact, error = error_of(xs, i, 1.0, U32)
        assert abs(float(y) - exact) <= error, i
        used.append(abs(float(y) - exact) / error)
    assert max(used) > 0.1, used


N = 64
S_ROW = np.array([1.0] + [2.0**-24] * (N - 1), dtype=f32)
"""A dominant output: in float32, s_1 + s_i rounds back to s_1 (half an ulp, ties to even), so a
left-to-right dot product drops every s_i."""


def test_a_float32_softmax_backward_summed_left_to_right_passes_and_10x_tighter_refuses_it():
    g = np.ones(N, dtype=f32)
    dot = f32(0)
    for gi, si in zip(g, S_ROW, strict=True):
        dot = f32(dot + gi * si)
    j = N - 1
    got = float(S_ROW[j] * (g[j] - dot))
    rows = [(1.0, 1.0)] * N
    s = [float(v) for v in S_ROW]
    lo, hi = sm.backward_rows(s, rows, log=False, u=U32)[j]
    assert lo <= got <= hi
    lo, hi = sm.backward_rows(s, rows, log=False, scale=0.1, u=U32)[j]
    assert not lo <= got <= hi


def test_a_float32_log_softmax_backward_summed_left_to_right_passes_and_10x_tighter_refuses_it():
    g = np.array([1.0] + [2.0**-24] * (N - 1), dtype=f32)
    y = [0.0] + [-40.0] * (N - 1)  # exp(0) = 1: the first output holds the row
    total = f32(0)
    for gi in g:
        total = f32(total + gi)
    got = float(g[0] - np.exp(f32(y[0])) * total)
    rows = [(float(v), float(v)) for v in g]
    lo, hi = sm.backward_rows(y, rows, log=True, u=U32)[0]
    assert lo <= got <= hi
    lo, hi = sm.backward_rows(y, rows, log=True, scale=0.1, u=U32)[0]
    assert not lo <= got <= hi

