"""A correct engine whose backward is one function dispatching on op codes.

A node stores only its op code and its operands (Values or plain numbers,
in order); no closures, no stored partials. ``backward()`` sorts the graph
and, for each node, finds its local derivatives in one if/elif chain on the
op code. Conventions and rules that differ from the lecture, all correct:
relu'(0) = 1 (the right-hand slope) and sigmoid' = s(x) * s(-x).
"""

from __future__ import annotations

import math


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _data(x):
    return x.data if isinstance(x, Value) else x


class Value:
    def __init__(self, data, op="", args=()):
        self.data = data
        self.grad = 0.0
        self.op = op
        self.args = args

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad}, op={self.op!r})"

    def _apply(self, op, data, *args):
        return Value(data, op, args)

    # ---- forward ----
    def __add__(self, other):
        return self._apply("add", self.data + _data(other), self, other)

    def __radd__(self, other):
        return self._apply("add", other + self.data, other, self)

    def __sub__(self, other):
        return self._apply("sub", self.data - _data(other), self, other)

    def __rsub__(self, other):
        return self._apply("sub", other - self.data, other, self)

    def __mul__(self, other):
        return self._apply("mul", self.data * _data(other), self, other)

    def __rmul__(self, other):
        return self._apply("mul", other * self.data, other, self)

    def __truediv__(self, other):
        return self._apply("div", self.data / _data(other), self, other)

    def __rtruediv__(self, other):
        return self._apply("div", other / self.data, other, self)

    def __neg__(self):
        return self._apply("neg", -self.data, self)

    def __pow__(self, other):
        if isinstance(other, Value):
            if self.data <= 0:
                raise ValueError("a Value exponent needs a positive base")
            return self._apply("pow", math.pow(self.data, other.data), self, other)
        return self._apply("pow", self.data**other, self, other)

    def __rpow__(self, other):
        return self._apply("pow", math.pow(other, self.data), other, self)

    def exp(self):
        return self._apply("exp", math.exp(self.data), self)

    def log(self):
        return self._apply("log", math.log(self.data), self)

    def tanh(self):
        return self._apply("tanh", math.tanh(self.data), self)

    def sigmoid(self):
        return self._apply("sigmoid", _sigmoid(self.data), self)

    def relu(self):
        return self._apply("relu", self.data if self.data > 0 else 0.0, self)

    def __abs__(self):
        return self._apply("abs", abs(self.data), self)

    def sqrt(self):
        return self._apply("sqrt", math.sqrt(self.data), self)

    def sin(self):
        return self._apply("sin", math.sin(self.data), self)

    def cos(self):
        return self._apply("cos", math.cos(self.data), self)

    # ---- backward ----
    def _partials(self):
        """d self / d each operand, in the order of self.args."""
        op, out = self.op, self.data
        xs = [_data(a) for a in self.args]
        x = xs[0]
        if op == "add":
            return (1.0, 1.0)
        elif op == "sub":
            return (1.0, -1.0)
        elif op == "mul":
            return (xs[1], x)
        elif op == "div":
            return (1.0 / xs[1], -out / xs[1])
        elif op == "neg":
            return (-1.0,)
        elif op == "pow":
            y = xs[1]
            d_base = (y * x ** (y - 1) if y else 0.0) if isinstance(self.args[0], Value) else 0.0
            d_exponent = out * math.log(x) if isinstance(self.args[1], Value) else 0.0
            return (d_base, d_exponent)
        elif op == "exp":
            return (out,)
        elif op == "log":
            return (1.0 / x,)
        elif op == "tanh":
            return (1.0 - out * out,)
        elif op == "sigmoid":
            return (out * _sigmoid(-x),)
        elif op == "relu":
            return (1.0 if x >= 0 else 0.0,)
        elif op == "abs":
            return (1.0 if x > 0 else -1.0 if x < 0 else 0.0,)
        elif op == "sqrt":
            return (0.5 / out,)
        elif op == "sin":
            return (math.cos(x),)
        elif op == "cos":
            return (-math.sin(x),)
        raise ValueError(f"unknown op {op!r}")

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                order.append(v)
                continue
            if id(v) in visited:
                continue
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((a, False) for a in v.args if isinstance(a, Value))
        self.grad = 1.0
        for v in reversed(order):
            if not v.op:
                continue
            for a, local in zip(v.args, v._partials(), strict=True):
                if isinstance(a, Value):
                    a.grad += local * v.grad
