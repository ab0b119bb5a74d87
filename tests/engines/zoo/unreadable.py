"""Planted unreadable gradients: after backward(), .grad is not a real number."""

from __future__ import annotations

import cmath

from base import Value


class NoneWhenZero(Value):
    """After the pass, every gradient that stayed 0 is set to None, "as PyTorch leaves .grad None
    for a tensor that got no gradient": x.relu() at x < 0 leaves x.grad None."""

    def backward(self):
        topo = self._topo()
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        for v in topo:
            if v.grad == 0:
                v.grad = None


class GradAsText(Value):
    """backward() ends by formatting every gradient for display, f"{grad:.4f}": .grad is a str
    (rounded to 4 decimals), not a number."""

    def backward(self):
        topo = self._topo()
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        for v in topo:
            v.grad = f"{v.grad:.4f}"


class ComplexSqrtGrad(Value):
    """sqrt's rule uses cmath.sqrt "so negative inputs don't crash": every gradient that flows
    through a sqrt becomes a complex number (with a zero imaginary part)."""

    def sqrt(self):
        out = self._node(cmath.sqrt(self.data).real, (self,), "sqrt")

        def _backward():
            self.grad += 0.5 / cmath.sqrt(self.data) * out.grad

        out._backward = _backward
        return out
