"""A float32 engine's elementwise ops, judged as float32 ones: how far a correct rule may land.

A float32 engine computes every op in float32 (unit roundoff u = 2**-24), so
its numbers are judged with float32's u: a sum or a dot product by the same
order-free gamma(k) bound as in float64 (``allowance``), and an elementwise
op or partial by the bound below. Each rounding is a factor (1 + d), |d| <= u;
a math-library call (numpy's float32 exp, log, tanh, power) is within
``LIBM_ULPS`` = 4 ulps, 8 roundings' worth (``L``). Written as an expression
evaluated with k roundings, the computed result differs from the exact one
at the same float operands by at most gamma(k) times the expression evaluated
on absolute values (Higham, sec. 3.1) -- the magnitude ``M`` below, which is
more than the result where a formula cancels (1 - tanh(x)**2 near
saturation, the textbook tanh (e**2x - 1) / (e**2x + 1) near 0):

- forward: add/sub 1 rounding, M = |a| + |b|; mul 1, div 2 (a * (1/b)), M = |result|; neg,
  relu exact; exp/log L, M = |result|; powi max(L, |k| + 1) (powf, or |k| - 1
  products and a reciprocal), M = |result|; sigmoid 1 / (1 + e**-x) L + 2,
  M = s; tanh L + 3 (np.tanh, or the textbook quotient), M = 1 + |t|.
- partials (the engine's, before the product with the upstream gradient,
  which ``check``'s accumulation counts): add/sub/neg/relu exact; mul the
  other operand, exact; div 1/b 1 rounding, -a/b**2 4 (-out * (1/b) reads the
  rounded out); log 1/x 1; exp its own output, L; powi k x**(k-1) L + 2
  (k * out / x); tanh 1 - t*t with t carrying its forward error, 2L + 8,
  M = (1 + |t|)**2; sigmoid s (1 - s), 2L + 6, M = s (1 + s).

A constant operand (``x * 0.1``) is rounded to float32 by the engine before
it is used: one more rounding, for the value and for a partial that is the
constant. These counts are first-order bounds rounded up (gamma(k) >= k u
absorbs the products of the d's); ``scale`` is for the tests that guard them.

Guards (``tests/test_tensor_allowance_float32.py``): 10x looser, errors planted
just outside the tanh, sigmoid, exp and log partials, the tanh, log and exp
values and a float32 sum pass; 10x tighter, two correct float32 engines fail
in add, sub, mul, div, exp, log, sigmoid, sum, mean and matmul. And
(``tests/test_tensor_float32_tight.py``): 10x looser, errors planted just
outside the powi value and partial pass; 10x tighter, correct float32 formulas
fail: the tanh value and partial (2 sigmoid(2x) - 1 and 1 / cosh(x)**2), the
powi value and partial (repeated products, k = 3, 5, -2, -3), and the softmax
and log-softmax rows (``softmax``), forward and backward. Each named count
below is also moved 10x alone, both ways (``tests/test_tensor_thresholds.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from ..judge.floats import LIBM_ULPS
from .allowance import gamma

U32 = 2.0**-24
"""The unit roundoff of float32."""
L = int(2 * LIBM_ULPS)
"""A float32 math-library call (within LIBM_ULPS ulps, an ulp at most 2u of its result) in roundings."""

DIV_VALUE = 2
"""a / b as a * (1/b): two roundings (a true division is one)."""
SIGMOID_VALUE = L + 2
"""1 / (1 + e**-x): the exp, then an addition and a division."""
TANH_VALUE = L + 3
"""np.tanh (a library call), or the textbook (e**2x - 1) / (e**2x + 1): the exp and three more."""
DIV_PARTIAL = 4
"""-a / b**2 as -out * (1/b), out the rounded quotient: its two roundings and two more."""
POWI_PARTIAL = L + 2
"""k * x**(k-1) as k * out / x: the power's library call, a product and a division."""
TANH_PARTIAL = 2 * L + 8
"""1 - t*t with t carrying its forward error (TANH_VALUE, doubled by the square), and two more."""
SIGMOID_PARTIAL = 2 * L + 6
"""s (1 - s) with s carrying its forward error (SIGMOID_VALUE, twice: s and 1 - s), and two more."""

Bound = Callable[[Sequence[float], float], tuple[int, float]]
"""(operands, exact value) -> (roundings, magnitude)."""


def _powi_value(xs: Sequence[float], v: float) -> tuple[int, float]:
    return max(L, int(abs(xs[1])) + 1), abs(v)


FORWARD: dict[str, Bound] = {
    "add": lambda xs, v: (1, abs(xs[0]) + abs(xs[1])),
    "sub": lambda xs, v: (1, abs(xs[0]) + abs(xs[1])),
    "mul": lambda xs, v: (1, abs(v)),
    "div": lambda xs, v: (DIV_VALUE, abs(v)),
    "neg": lambda xs, v: (0, abs(v)),
    "relu": lambda xs, v: (0, abs(v)),
    "exp": lambda xs, v: (L, abs(v)),
    "log": lambda xs, v: (L, abs(v)),
    "powi": _powi_value,
    "sigmoid": lambda xs, v: (SIGMOID_VALUE, abs(v)),
    "tanh": lambda xs, v: (TANH_VALUE, 1 + abs(v)),
}
"""Per elementwise op: the roundings and magnitude of its float32 value (see the module docstring)."""


def _exact(xs: Sequence[float], p: float) -> tuple[int, float]:
    return 0, abs(p)


def _one(xs: Sequence[float], p: float) -> tuple[int, float]:
    return 1, abs(p)


PARTIALS: dict[str, tuple[Callable[[Sequence[float], float, float], tuple[int, float]], ...]] = {
    "add": (lambda xs, v, p: (0, 1.0),) * 2,
    "sub": (lambda xs, v, p: (0, 1.0),) * 2,
    "mul": (lambda xs, v, p: (0, abs(p)),) * 2,
    "div": (lambda xs, v, p: (1, abs(p)), lambda xs, v, p: (DIV_PARTIAL, abs(p))),
    "neg": (lambda xs, v, p: (0, 1.0),),
    "relu": (lambda xs, v, p: (0, 1.0),),
    "exp": (lambda xs, v, p: (L, abs(p)),),
    "log": (lambda xs, v, p: (1, abs(p)),),
    "powi": (lambda xs, v, p: (POWI_PARTIAL, abs(p)), lambda xs, v, p: (0, 0.0)),
    "tanh": (lambda xs, v, p: (TANH_PARTIAL, (1 + abs(v)) ** 2),),
    "sigmoid": (lambda xs, v, p: (SIGMOID_PARTIAL, abs(v) * (1 + abs(v))),),
}
"""Per elementwise op and operand: the roundings and magnitude of the engine's float32 partial."""


def value_slack(op: str, xs: Sequence[float], constants: int, exact: float, scale: float = 1.0) -> float:
    """How far a correct float32 engine's value of ``op`` at ``xs`` may lie from ``exact``."""
    k, size = FORWARD[op](xs, exact)
    return _slack(k + constants, size, scale)


def partial_slack(op: str, i: int, xs: Sequence[float], constant: bool, value: float, partial: float,
                  scale: float = 1.0) -> float:
    """How far a correct float32 engine's partial of ``op`` in operand ``i`` may lie from ``partial``
    (``value`` the op's exact value; ``constant``: the partial is a constant the engine rounded)."""
    k, size = PARTIALS[op][i](xs, value, partial)
    return _slack(k + int(constant), size, scale)


def _slack(k: int, size: float, scale: float) -> float:
    if k == 0 or size == 0:
        return 0.0
    return math.nextafter(gamma(k, U32) * size * (1 + 4 * U32) * scale, math.inf)
