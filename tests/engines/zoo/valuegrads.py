"""Gradients that are not plain floats, beside a wrong forward value the audit must still find.

Values: backward() seeds the output's gradient with a node of the engine's own class, so every
rule's ``local * out.grad`` builds a node and every ``.grad`` is a Value (a design for
higher-order gradients); the gradient is that Value's ``.data``. None: a gradient that stayed 0
is set to None, which is no number at all.
"""

from __future__ import annotations

import math

from base import Value


class GradValues(Value):
    """Correct: every .grad after backward() is a Value whose .data is the right gradient."""

    def backward(self):
        topo = self._topo()
        self.grad = type(self)(1.0)
        for v in reversed(topo):
            v._backward()


class GradValuesSigmoidSign(GradValues):
    """sigmoid's forward is 1 / (1 + exp(x)), a sign slip; its rule s * (1 - s) is symmetric in that
    slip, so every gradient is right and only the value is wrong."""

    def sigmoid(self):
        x = self.data
        s = 1 / (1 + math.exp(x)) if x <= 0 else math.exp(-x) / (1 + math.exp(-x))
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1 - s) * out.grad

        out._backward = _backward
        return out


class NoneGradsLeakyRelu(Value):
    """Every gradient that stayed 0 is set to None after the pass (as PyTorch leaves .grad None for a
    tensor that got none), and relu's forward is 0.01 * x for x < 0: exactly where relu's gradient
    is 0, so its wrong values sit only where its gradients are unreadable."""

    def relu(self):
        x = self.data
        out = self._node(x if x > 0 else 0.01 * x, (self,), "ReLU")

        def _backward():
            self.grad += (1.0 if x > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        topo = self._topo()
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        for v in topo:
            if v.grad == 0:
                v.grad = None
