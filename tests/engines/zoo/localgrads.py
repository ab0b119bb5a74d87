"""A correct engine in the style of karpathy's microgpt: local gradients stored at forward time.

Each node keeps ``_children`` (its Value operands, in order, ``x * x`` has two)
and ``_local_grads`` (d node / d child, computed when the node is made).
Backward needs no closures: it walks the nodes output first and hands each
child ``local_grad * node.grad`` through ``_receive``. A number operand is
not a child at all. The graph-shape bugs in ``graphs.py`` subclass this and
override one method: ``_receive``, ``_order`` or ``backward``.
"""

from __future__ import annotations

import math


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children
        self._local_grads = local_grads

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def _new(self, data, children, local_grads):
        return type(self)(data, children, local_grads)

    def _binary(self, data, other, d_self, d_other):
        """A node of self and other; other may be a plain number (then it is no child)."""
        if isinstance(other, Value):
            return self._new(data, (self, other), (d_self, d_other))
        return self._new(data, (self,), (d_self,))

    # ---- arithmetic ----
    def __add__(self, other):
        o = other.data if isinstance(other, Value) else other
        return self._binary(self.data + o, other, 1.0, 1.0)

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        o = other.data if isinstance(other, Value) else other
        return self._binary(self.data - o, other, 1.0, -1.0)

    def __rsub__(self, other):
        return self._new(other - self.data, (self,), (-1.0,))

    def __mul__(self, other):
        o = other.data if isinstance(other, Value) else other
        return self._binary(self.data * o, other, o, self.data)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        o = other.data if isinstance(other, Value) else other
        out = self.data / o
        return self._binary(out, other, 1.0 / o, -out / o)

    def __rtruediv__(self, other):
        out = other / self.data
        return self._new(out, (self,), (-out / self.data,))

    def __neg__(self):
        return self._new(-self.data, (self,), (-1.0,))

    def __pow__(self, other):
        if isinstance(other, Value):
            if self.data <= 0:
                raise ValueError("a Value exponent needs a positive base")
            out = math.pow(self.data, other.data)
            d_base = other.data * self.data ** (other.data - 1)
            return self._new(out, (self, other), (d_base, out * math.log(self.data)))
        local = other * self.data ** (other - 1) if other else 0.0
        return self._new(self.data**other, (self,), (local,))

    def __rpow__(self, other):
        out = math.pow(other, self.data)
        return self._new(out, (self,), (out * math.log(other),))

    # ---- functions ----
    def exp(self):
        e = math.exp(self.data)
        return self._new(e, (self,), (e,))

    def log(self):
        return self._new(math.log(self.data), (self,), (1.0 / self.data,))

    def tanh(self):
        t = math.tanh(self.data)
        return self._new(t, (self,), (1.0 - t * t,))

    def sigmoid(self):
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1.0 + e)
        return self._new(s, (self,), (s * (1.0 - s),))

    def relu(self):
        return self._new(max(0.0, self.data), (self,), (float(self.data > 0),))

    def __abs__(self):
        x = self.data
        return self._new(abs(x), (self,), (float(x > 0) - float(x < 0),))

    def sqrt(self):
        r = math.sqrt(self.data)
        return self._new(r, (self,), (0.5 / r,))

    def sin(self):
        return self._new(math.sin(self.data), (self,), (math.cos(self.data),))

    def cos(self):
        return self._new(math.cos(self.data), (self,), (-math.sin(self.data),))

    # ---- backward ----
    def _receive(self, amount):
        """Accumulate one consumer's contribution."""
        self.grad += amount

    def _order(self):
        """Topological order, children first, without recursion."""
        topo = []
        visited = set()
        stack = [(self, iter(self._children))]
        visited.add(id(self))
        while stack:
            node, children = stack[-1]
            for child in children:
                if id(child) not in visited:
                    visited.add(id(child))
                    stack.append((child, iter(child._children)))
                    break
            else:
                stack.pop()
                topo.append(node)
        return topo

    def backward(self):
        topo = self._order()
        self.grad = 1.0
        for v in reversed(topo):
            # not strict: a subclass whose children are a set (graphs.SetOrderMul) zips fewer
            for child, local_grad in zip(v._children, v._local_grads, strict=False):
                child._receive(local_grad * v.grad)
