"""Planted bugs that show only at an exact zero: a zero base, a zero numerator, a zero factor.

Everywhere else each of these rules is right, so only points with an operand exactly 0.0 or
-0.0, where the op is defined and its derivative exists, can find them.
"""

from __future__ import annotations

import math

from base import Value, add_grad, value_of


class PowRuleFromOutput(Value):
    """x ** k's rule reuses the output, k * out / x "to save a power": ZeroDivisionError in
    backward at x = 0, where d(x**3)/dx = 0 exists."""

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        out = self._node(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += other * out.data / self.data * out.grad

        out._backward = _backward
        return out


def _ratio(a, b):
    """a / b the IEEE way, "so a division never raises": nan for 0 / 0, a signed inf for a / 0."""
    if b == 0:
        return math.nan if a == 0 else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


class DivRuleFromOutput(Value):
    """x / y's partial for x reuses the output, out / x (= 1 / y), through a never-raising
    division: a nan gradient at a zero numerator, where d(x/y)/dx = 1/y."""

    def __truediv__(self, other):
        out = self._node(self.data / value_of(other), (self, other), "/")

        def _backward():
            self.grad += _ratio(out.data, self.data) * out.grad
            add_grad(other, -out.data / value_of(other) * out.grad)

        out._backward = _backward
        return out


class MulSkipsZeroFactor(Value):
    """mul's closure returns early when a factor is 0, "nothing flows through a zero": in x * y
    with y = 0, x.grad is right by luck (0) but y.grad stays 0 where it should be x."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            if self.data == 0 or value_of(other) == 0:
                return
            self.grad += value_of(other) * out.grad
            add_grad(other, self.data * out.grad)

        out._backward = _backward
        return out
