"""A correct micrograd-style engine, written the way a learner writes one after karpathy's lecture.

Closures: every op builds its output node and hangs a ``_backward`` closure on
it that adds the local derivative times ``out.grad`` to its operands. A number
operand stays a plain float inside the closure (it is not wrapped as a Value),
``_prev`` is the tuple of Value operands in order, and ``backward()`` sorts the
graph topologically (iteratively, so deep graphs work) and calls the closures
output first.

Every op is one method, so a planted bug in a subclass overrides exactly one
method. Nothing here imports micrograd or verify: the audit must judge this
engine only through the protocol.
"""

from __future__ import annotations

import math


def value_of(x):
    """The float inside an operand: a Value's data, or the number itself."""
    return x.data if isinstance(x, Value) else x


def add_grad(x, amount):
    """Add to an operand's gradient; a plain number has none."""
    if isinstance(x, Value):
        x.grad += amount


class Value:
    """stores a single scalar value and its gradient"""

    def __init__(self, data, _children=(), _op="", label=""):
        self.data = data
        self.grad = 0.0
        # internal variables used for autograd graph construction
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op  # the op that produced this node, for graphviz / debugging
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def _node(self, data, operands, op):
        """A new node of this engine's class whose parents are the Value operands."""
        return type(self)(data, tuple(o for o in operands if isinstance(o, Value)), op)

    # ---- arithmetic ----
    def __add__(self, other):
        out = self._node(self.data + value_of(other), (self, other), "+")

        def _backward():
            self.grad += out.grad
            add_grad(other, out.grad)

        out._backward = _backward
        return out

    def __radd__(self, other):  # other + self
        return self + other

    def __sub__(self, other):
        out = self._node(self.data - value_of(other), (self, other), "-")

        def _backward():
            self.grad += out.grad
            add_grad(other, -out.grad)

        out._backward = _backward
        return out

    def __rsub__(self, other):  # other - self, other a number
        out = self._node(other - self.data, (self,), "-")

        def _backward():
            self.grad += -out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad += value_of(other) * out.grad
            add_grad(other, self.data * out.grad)

        out._backward = _backward
        return out

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):
        out = self._node(self.data / value_of(other), (self, other), "/")

        def _backward():
            self.grad += out.grad / value_of(other)
            add_grad(other, -out.data / value_of(other) * out.grad)

        out._backward = _backward
        return out

    def __rtruediv__(self, other):  # other / self, other a number
        out = self._node(other / self.data, (self,), "/")

        def _backward():
            self.grad += -out.data / self.data * out.grad

        out._backward = _backward
        return out

    def __neg__(self):
        out = self._node(-self.data, (self,), "neg")

        def _backward():
            self.grad += -out.grad

        out._backward = _backward
        return out

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        assert isinstance(other, (int, float)), "only int/float or Value powers"
        out = self._node(self.data**other, (self,), f"**{other}")

        def _backward():
            local = other * self.data ** (other - 1) if other else 0.0
            self.grad += local * out.grad

        out._backward = _backward
        return out

    def _pow_value(self, other):
        """self ** other for a Value exponent: needs self > 0 (log of the base)."""
        if self.data <= 0:
            raise ValueError("a Value exponent needs a positive base")
        out = self._node(math.pow(self.data, other.data), (self, other), "**")

        def _backward():
            self.grad += other.data * self.data ** (other.data - 1) * out.grad
            other.grad += out.data * math.log(self.data) * out.grad

        out._backward = _backward
        return out

    def __rpow__(self, other):  # other ** self, other a number
        out = self._node(math.pow(other, self.data), (self,), "rpow")

        def _backward():
            self.grad += out.data * math.log(other) * out.grad

        out._backward = _backward
        return out

    # ---- functions ----
    def exp(self):
        out = self._node(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        out = self._node(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = self._node(t, (self,), "tanh")

        def _backward():
            self.grad += (1 - t * t) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data
        if x >= 0:  # two branches, so that exp never overflows
            s = 1 / (1 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1 + e)
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            self.grad += s * (1 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self):
        out = self._node(self.data if self.data > 0 else 0.0, (self,), "ReLU")

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    def __abs__(self):
        out = self._node(abs(self.data), (self,), "abs")

        def _backward():
            sign = 1.0 if self.data > 0 else -1.0 if self.data < 0 else 0.0
            self.grad += sign * out.grad

        out._backward = _backward
        return out

    def sqrt(self):
        out = self._node(math.sqrt(self.data), (self,), "sqrt")

        def _backward():
            self.grad += 0.5 / out.data * out.grad

        out._backward = _backward
        return out

    def sin(self):
        out = self._node(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.cos(self.data) * out.grad

        out._backward = _backward
        return out

    def cos(self):
        out = self._node(math.cos(self.data), (self,), "cos")

        def _backward():
            self.grad += -math.sin(self.data) * out.grad

        out._backward = _backward
        return out

    # ---- backpropagation ----
    def _topo(self):
        """Every node this one depends on, each after all of its children (iterative DFS)."""
        topo = []
        visited = set()
        stack = [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                topo.append(v)
                continue
            if v in visited:
                continue
            visited.add(v)
            stack.append((v, True))
            for child in reversed(v._prev):
                stack.append((child, False))
        return topo

    def backward(self):
        topo = self._topo()
        # go one node at a time, output first, and apply the chain rule
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
