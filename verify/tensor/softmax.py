"""The allowance of softmax and log-softmax, forward and backward, in any correct formulation.

Forward. A correct engine shifts the row by some c (0, or the row's max m),
computes exp(x_j - c), sums, takes a log or divides. The shift is off by
at most u |x_j - m| <= u W (W the row's spread), each exp by ``LIBM_ULPS``
ulps (8u), the sum of n positive terms by gamma(n - 1), log S by 8u |log S|
beyond S's own error, and the last subtractions (x_i - c - log S, or
x_i - lse) round once each. To first order the log-softmax error is
u (|lse| + |y_i| + |x_i - m|) + (n + 20) u (1 + 3W + |log S|) — the first
term is the rounding of numbers as large as the row (it is nearly reached
when |x| is large and the row is flat), the second covers the rest — and
``log_softmax_error`` rounds it up with gamma. Softmax is exp of that, or
e_i / S: its relative error is at most twice the same quantity.

Backward. At the engine's own outputs s (or y) and upstream gradient g,
softmax's input gradient is s_j (g_j - sum_i g_i s_i) and log-softmax's
g_j - exp(y_j) sum_i g_i: a dot product of n terms and two more
operations, and a few roundings of s itself if the engine reads its saved
exps rather than s (exp and a division: 8u). So it may be off by
gamma(n + 15) times the sum of the magnitudes of the terms (three of the
roundings are the check's own, its centre computed in floats), the same
summation bound as every other dot product (``allowance``). A float32 engine's
rows are judged by the same counts with float32's u (``u``): numpy's float32
exp is within the same 4 ulps.

Guards: ``tests/test_tensor_softmax.py`` (both ways, float64),
``tests/test_tensor_float32_tight.py`` (10x tighter refuses correct float32
rows), ``tests/test_tensor_thresholds.py`` (each count loosened 10x alone).
"""

from __future__ import annotations

import math

from ..judge.floats import LIBM_ULPS
from ..oracle.ball import Ball, ball, to_float, workprec
from .allowance import U, gamma

_EXTRA = 20
"""Roundings beyond the n - 1 of the sum, first-order: shift, exp (4 ulps = 8u), log (8u), subtractions."""
_BACKWARD_EXTRA = 15
"""Roundings beyond the n of the dot product: the two last operations, exp and a division of s, and
three of the check's own centre (computed in floats)."""
assert 2 * LIBM_ULPS <= 8, "the counts above assume a math library within 4 ulps"


def exact_row(xs: list[float]) -> tuple[list[Ball], Ball, Ball]:
    """The exact log-softmax of a row (balls, 200 bits), its logsumexp and log S (S = sum exp(x - max))."""
    with workprec(200):
        m = max(xs)
        s = sum(((ball(x) - ball(m)).exp() for x in xs), ball(0))
        log_s = s.log()
        lse = ball(m) + log_s
        return [ball(x) - lse for x in xs], lse, log_s


def log_softmax_error(xs: list[float], i: int, scale: float = 1.0, u: float = U) -> tuple[float, float]:
    """(exact y_i, how far a correct engine's float log-softmax of element i may lie from it)."""
    ys, lse, log_s = exact_row(xs)
    m = max(xs)
    spread = m - min(xs)
    y = to_float(ys[i])
    big = abs(to_float(lse)) + abs(y) + abs(xs[i] - m)
    rest = 1 + 3 * spread + abs(to_float(log_s))
    n = len(xs)
    return y, scale * math.nextafter(gamma(1, u) * big * (1 + 4 * U) + gamma(n + _EXTRA, u) * rest, math.inf)


def softmax_error(xs: list[float], i: int, scale: float = 1.0, u: float = U) -> tuple[float, float]:
    """(exact s_i, how far a correct engine's float softmax of element i may lie from it)."""
    _, e = log_softmax_error(xs, i, 1.0, u)
    with workprec(200):
        ys, _, _ = exact_row(xs)
        s = to_float(ys[i].exp())
    return s, scale * math.nextafter(2 * e * s, math.inf)


def backward_rows(s: list[float], g: list[tuple[float, float]], log: bool,
                  scale: float = 1.0, u: float = U) -> list[tuple[float, float]]:
    """For each element j of a row, the interval its input gradient may take: the engine's outputs
    ``s`` (softmax values, or log-softmax values if ``log``) and upstream gradients ``g`` (intervals)."""
    n = len(s)
    mid = [(lo + hi) / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan for lo, hi in g]
    half = [(hi - lo) / 2 for lo, hi in g]
    if any(x != x for x in mid):
        return [(-math.inf, math.inf)] * n
    p = [math.exp(y) for y in s] if log else list(s)
    k = gamma(n + _BACKWARD_EXTRA, u) * scale
    out = []
    if log:
        total = math.fsum(mid)
        size = math.fsum(abs(x) for x in mid)
        width = math.fsum(half)
        for j in range(n):
            v = mid[j] - p[j] * total
            slack = k * (abs(mid[j]) + p[j] * size) + half[j] + p[j] * width
            out.append((math.nextafter(v - slack, -math.inf), math.nextafter(v + slack, math.inf)))
        return out
    dot = math.fsum(gi * si for gi, si in zip(mid, p, strict=True))
    size = math.fsum(abs(gi) * si for gi, si in zip(mid, p, strict=True))
    width = math.fsum(h * si for h, si in zip(half, p, strict=True))
    for j in range(n):
        v = p[j] * (mid[j] - dot)
        slack = k * p[j] * (abs(mid[j]) + size) + p[j] * (half[j] + width)
        out.append((math.nextafter(v - slack, -math.inf), math.nextafter(v + slack, math.inf)))
    return out
