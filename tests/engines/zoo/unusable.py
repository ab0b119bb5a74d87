"""Engines that do not speak the micrograd protocol: the audit cannot use them at all."""

from __future__ import annotations

import math

from base import Value


class NoBackward:
    """A complete little engine whose pass is called backprop(), not backward()."""

    def __init__(self, data, _children=(), _op=""):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, NoBackward) else NoBackward(other)
        out = NoBackward(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __mul__(self, other):
        other = other if isinstance(other, NoBackward) else NoBackward(other)
        out = NoBackward(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def tanh(self):
        t = math.tanh(self.data)
        out = NoBackward(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def backprop(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class BackwardNeedsSeed(Value):
    """backward(grad) takes the output's gradient as a required argument, as for a non-scalar
    tensor: y.backward() is a TypeError."""

    def backward(self, grad):
        topo = self._topo()
        self.grad = grad
        for v in reversed(topo):
            v._backward()


class LeafNeedsLabel(Value):
    """Every Value needs a label, Value(data, label): Value(2.0) is a TypeError."""

    def __init__(self, data, label, _children=(), _op=""):
        super().__init__(data, _children, _op, label)

    def _node(self, data, operands, op):
        children = tuple(o for o in operands if isinstance(o, Value))
        return type(self)(data, f"{op}({self.label})", children, op)
