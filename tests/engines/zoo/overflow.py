"""Planted overflows: textbook formulas that raise OverflowError in a tail where the function is finite."""

from __future__ import annotations

import math

from base import Value


class LectureTanh(Value):
    """tanh = (e^2x - 1) / (e^2x + 1), as in the lecture: math.exp(2x) overflows from x = 355 on,
    where tanh is simply 1 (and the formula also loses digits near 0)."""

    def tanh(self):
        e = math.exp(2 * self.data)
        t = (e - 1) / (e + 1)
        out = self._node(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out


class NaiveSigmoid(Value):
    """sigmoid = 1 / (1 + e^-x), one branch only: math.exp(-x) overflows from x = -710 on,
    where sigmoid is a tiny positive number."""

    def sigmoid(self):
        s = 1 / (1 + math.exp(-self.data))
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1 - s) * out.grad

        out._backward = _backward
        return out


class SigmoidRuleOverflow(Value):
    """sigmoid's forward is the two-branch one, but its rule is e^-x / (1 + e^-x)**2 from the
    textbook: the square overflows, OverflowError in backward from x = -355 on (where the
    forward and the derivative are fine)."""

    def sigmoid(self):
        x = self.data
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            e = math.exp(-x)
            self.grad += e / (1 + e) ** 2 * out.grad

        out._backward = _backward
        return out
