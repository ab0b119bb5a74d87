"""A correct closure-style engine whose data and grad are NumPy float64 scalars.

Every forward and every local derivative is a NumPy ufunc (np.exp, np.tanh,
np.power, ...). ``.data`` and ``.grad`` are ``np.float64`` (a float
subclass). Needs NumPy; the test skips it where NumPy is missing.
"""

from __future__ import annotations

import numpy as np


def _f(x):
    return x.data if isinstance(x, Value) else np.float64(x)


class Value:
    def __init__(self, data, _children=(), _op=""):
        self.data = np.float64(data)
        self.grad = np.float64(0.0)
        self._backward = lambda: None
        self._prev = _children
        self._op = _op

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def _out(self, data, operands, op):
        return Value(data, tuple(o for o in operands if isinstance(o, Value)), op)

    @staticmethod
    def _give(x, amount):
        """Add amount() to x's gradient, if x is a Value (a number operand gets nothing)."""
        if isinstance(x, Value):
            x.grad = x.grad + amount()

    def __add__(self, other):
        out = self._out(np.add(self.data, _f(other)), (self, other), "+")

        def _backward():
            self._give(self, lambda: out.grad)
            self._give(other, lambda: out.grad)

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        out = self._out(np.subtract(self.data, _f(other)), (self, other), "-")

        def _backward():
            self._give(self, lambda: out.grad)
            self._give(other, lambda: np.negative(out.grad))

        out._backward = _backward
        return out

    def __rsub__(self, other):
        out = self._out(np.subtract(_f(other), self.data), (self,), "-")

        def _backward():
            self._give(self, lambda: np.negative(out.grad))

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = self._out(np.multiply(self.data, _f(other)), (self, other), "*")

        def _backward():
            self._give(self, lambda: np.multiply(_f(other), out.grad))
            self._give(other, lambda: np.multiply(self.data, out.grad))

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        y = _f(other)
        out = self._out(np.divide(self.data, y), (self, other), "/")

        def _backward():
            self._give(self, lambda: np.divide(out.grad, y))
            self._give(other, lambda: np.multiply(np.negative(np.divide(out.data, y)), out.grad))

        out._backward = _backward
        return out

    def __rtruediv__(self, other):
        x = self.data
        out = self._out(np.divide(_f(other), x), (self,), "/")

        def _backward():
            self._give(self, lambda: np.multiply(np.negative(np.divide(out.data, x)), out.grad))

        out._backward = _backward
        return out

    def __neg__(self):
        out = self._out(np.negative(self.data), (self,), "neg")

        def _backward():
            self._give(self, lambda: np.negative(out.grad))

        out._backward = _backward
        return out

    def __pow__(self, other):
        x = self.data
        if isinstance(other, Value):
            if x <= 0:
                raise ValueError("a Value exponent needs a positive base")
            y = other.data
            out = self._out(np.power(x, y), (self, other), "**")

            def _backward():
                self._give(self, lambda: y * np.power(x, y - 1.0) * out.grad)
                self._give(other, lambda: out.data * np.log(x) * out.grad)

        else:
            k = np.float64(other)
            out = self._out(np.power(x, k), (self,), f"**{other}")

            def _backward():
                local = k * np.power(x, k - 1.0) if k else np.float64(0.0)
                self._give(self, lambda: local * out.grad)

        out._backward = _backward
        return out

    def __rpow__(self, other):
        c = np.float64(other)
        out = self._out(np.power(c, self.data), (self,), "rpow")

        def _backward():
            self._give(self, lambda: out.data * np.log(c) * out.grad)

        out._backward = _backward
        return out

    def _unary(self, data, local, op):
        out = self._out(data, (self,), op)

        def _backward():
            self._give(self, lambda: local() * out.grad)

        out._backward = _backward
        return out

    def exp(self):
        e = np.exp(self.data)
        return self._unary(e, lambda: e, "exp")

    def log(self):
        x = self.data
        return self._unary(np.log(x), lambda: np.reciprocal(x), "log")

    def tanh(self):
        t = np.tanh(self.data)
        return self._unary(t, lambda: 1.0 - t * t, "tanh")

    def sigmoid(self):
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + np.exp(-x))
        else:
            e = np.exp(x)
            s = e / (1.0 + e)
        return self._unary(s, lambda: s * (1.0 - s), "sigmoid")

    def relu(self):
        x = self.data
        return self._unary(np.maximum(x, 0.0), lambda: np.float64(x > 0), "ReLU")

    def __abs__(self):
        x = self.data
        return self._unary(np.abs(x), lambda: np.sign(x), "abs")

    def sqrt(self):
        r = np.sqrt(self.data)
        return self._unary(r, lambda: 0.5 / r, "sqrt")

    def sin(self):
        x = self.data
        return self._unary(np.sin(x), lambda: np.cos(x), "sin")

    def cos(self):
        x = self.data
        return self._unary(np.cos(x), lambda: -np.sin(x), "cos")

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                topo.append(v)
                continue
            if id(v) in visited:
                continue
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((child, False) for child in reversed(v._prev))
        self.grad = np.float64(1.0)
        for v in reversed(topo):
            v._backward()
