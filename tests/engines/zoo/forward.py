"""Planted forward bugs: the value an op returns is wrong somewhere, its backward rule is the usual one."""

from __future__ import annotations

import math

from base import Value


class LeakyForwardRelu(Value):
    """relu's forward returns 0.01 * x for x < 0 (a leaky relu), its backward is relu's (0 there)."""

    def relu(self):
        x = self.data
        out = self._node(x if x > 0 else 0.01 * x, (self,), "ReLU")

        def _backward():
            self.grad += (1.0 if x > 0 else 0.0) * out.grad

        out._backward = _backward
        return out


class LogEpsilonForward(Value):
    """log's forward is log(x + 1e-10) "so log(0) can't happen": far off for tiny x (log(1e-10) gives
    log(2e-10)), and off by 1e-10 relative even at x = 1; its backward is 1/x."""

    def log(self):
        out = self._node(math.log(self.data + 1e-10), (self,), "log")

        def _backward():
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out


class AbsViaSquareRoot(Value):
    """abs(x) = sqrt(x*x): x*x overflows to inf for |x| > 1.3e154 and underflows to 0 for
    |x| < 1.5e-162, so abs(1e200) is inf and abs(1e-170) is 0."""

    def __abs__(self):
        x = self.data
        out = self._node(math.sqrt(x * x), (self,), "abs")

        def _backward():
            sign = 1.0 if x > 0 else -1.0 if x < 0 else 0.0
            self.grad += sign * out.grad

        out._backward = _backward
        return out


class CosTaylorForward(Value):
    """cos by its Taylor series to x**8: right to 3e-10 at |x| = 0.5, wrong beyond (cos(3) comes
    out -0.975 instead of -0.990); its backward, -sin(x), is right."""

    def cos(self):
        x2 = self.data * self.data
        c = 1 - x2 / 2 + x2**2 / 24 - x2**3 / 720 + x2**4 / 40320
        out = self._node(c, (self,), "cos")

        def _backward():
            self.grad += -math.sin(self.data) * out.grad

        out._backward = _backward
        return out
