"""Planted crashes inside one op: in its forward, or only inside its backward closure.

This file imports ``cos``, ``exp`` and ``sin`` from math by name and never imports
``math`` itself, as happens when a method is pasted in from elsewhere: the
ops that write ``math.tanh`` or ``math.exp`` raise NameError every time.
"""

from __future__ import annotations

from math import cos, exp, sin

from base import Value, add_grad, value_of


class TanhNameError(Value):
    """tanh's forward calls math.tanh, but this module never imported math: NameError, always."""

    def tanh(self):
        t = math.tanh(self.data)  # noqa: F821 -- the planted bug
        out = self._node(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out


class ExpNameError(Value):
    """exp's forward calls math.exp without the import: NameError, always."""

    def exp(self):
        out = self._node(math.exp(self.data), (self,), "exp")  # noqa: F821 -- the planted bug

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out


class SigmoidBackwardNameError(Value):
    """sigmoid's forward is fine; its closure uses `sig`, a name left from an older draft:
    NameError, in backward only."""

    def sigmoid(self):
        x = self.data
        s = 1 / (1 + exp(-x)) if x >= 0 else exp(x) / (1 + exp(x))
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            self.grad += sig * (1 - sig) * out.grad  # noqa: F821 -- the planted bug

        out._backward = _backward
        return out


class SinBackwardTypeError(Value):
    """sin's closure calls cos(self) instead of cos(self.data): TypeError, only in backward."""

    def sin(self):
        out = self._node(sin(self.data), (self,), "sin")

        def _backward():
            self.grad += cos(self) * out.grad

        out._backward = _backward
        return out


class AbsSignByDivision(Value):
    """abs' computed as x / |x|: right everywhere except x = 0, where backward raises ZeroDivisionError."""

    def __abs__(self):
        out = self._node(abs(self.data), (self,), "abs")

        def _backward():
            self.grad += self.data / abs(self.data) * out.grad

        out._backward = _backward
        return out


class MulPartialFromOutput(Value):
    """mul's partials taken from the output, d(xy)/dx = out / x: ZeroDivisionError when an operand is 0."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad += out.data / self.data * out.grad
            add_grad(other, out.data / value_of(other) * out.grad)

        out._backward = _backward
        return out
