"""Correct engines written with textbook formulas that overflow where the function is finite.

Each failure here is one an accepted formula for the op shows at the same point in float64: the
audit reports it as a fragility (exit 0, 1 with --strict), never as a fault.
"""

from __future__ import annotations

import math

from base import Value


def _guarded_pow(x, k):
    """x ** k as float64 without traps: inf where Python raises OverflowError."""
    try:
        return x**k
    except OverflowError:
        return math.copysign(math.inf, x) if float(k).is_integer() and int(k) % 2 else math.inf


class KarpathyDivision(Value):
    """karpathy's division x * y**-1, with the power rule k * x**(k - 1) guarded against
    OverflowError (it returns inf instead): the gradient of y is -inf at x = 1e-300, y = 1e-300,
    where y**-2 overflows."""

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        out = self._node(_guarded_pow(self.data, other), (self,), f"**{other}")

        def _backward():
            local = other * _guarded_pow(self.data, other - 1) if other else 0.0
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):
        return other * self**-1


class PowNumbersOnly(Value):
    """A correct engine whose ``**`` takes only a number exponent, written without a check: with a
    Value exponent its ``__pow__`` raises UnboundLocalError at every point. Not supported, not a
    crash."""

    def __pow__(self, other):
        if isinstance(other, (int, float)):
            data = self.data**other
        out = self._node(data, (self,), f"**{other}")

        def _backward():
            local = other * self.data ** (other - 1) if other else 0.0
            self.grad += local * out.grad

        out._backward = _backward
        return out
