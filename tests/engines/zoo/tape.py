"""A correct engine on a global tape, with relu'(0) = 1/2 and tanh' = 1 / cosh(x)**2.

Every op appends one entry to the module-level ``TAPE``: the output, its
Value inputs and a vector-Jacobian function that turns the output's adjoint
into one contribution per input. Nodes know nothing of their parents.
``y.backward()`` walks the tape from y's entry down, keeping adjoints in a
dict, so entries of other graphs on the same tape cost a skip and never
receive anything; it stops once every reached entry is done.
"""

from __future__ import annotations

import math

TAPE = []
"""(output, inputs, vjp) for every op ever applied, in the order they ran."""


def clear_tape():
    """Forget every recorded op (the Values stay usable as leaves)."""
    for out, _, _ in TAPE:
        out._index = -1
    TAPE.clear()


def _sigmoid(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sech_squared(x):
    """1 / cosh(x)**2, written so that nothing overflows: 4 e / (1 + e)**2 with e = exp(-2|x|)."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0.0
        self._index = -1  # position of the op that made this node; -1 for a leaf

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    @staticmethod
    def _record(data, inputs, vjp):
        out = Value(data)
        out._index = len(TAPE)
        TAPE.append((out, inputs, vjp))
        return out

    def _binary(self, data, other, vjp):
        """Record self op other; vjp(g) gives (d self, d other) * g; a number other gets nothing."""
        if isinstance(other, Value):
            return self._record(data, (self, other), vjp)
        return self._record(data, (self,), lambda g: vjp(g)[:1])

    # ---- arithmetic ----
    def __add__(self, other):
        o = other.data if isinstance(other, Value) else other
        return self._binary(self.data + o, other, lambda g: (g, g))

    __radd__ = __add__

    def __sub__(self, other):
        o = other.data if isinstance(other, Value) else other
        return self._binary(self.data - o, other, lambda g: (g, -g))

    def __rsub__(self, other):
        return self._record(other - self.data, (self,), lambda g: (-g,))

    def __mul__(self, other):
        x = self.data
        o = other.data if isinstance(other, Value) else other
        return self._binary(x * o, other, lambda g: (o * g, x * g))

    __rmul__ = __mul__

    def __truediv__(self, other):
        o = other.data if isinstance(other, Value) else other
        q = self.data / o
        return self._binary(q, other, lambda g: (g / o, -q / o * g))

    def __rtruediv__(self, other):
        x = self.data
        q = other / x
        return self._record(q, (self,), lambda g: (-q / x * g,))

    def __neg__(self):
        return self._record(-self.data, (self,), lambda g: (-g,))

    def __pow__(self, other):
        x = self.data
        if isinstance(other, Value):
            if x <= 0:
                raise ValueError("a Value exponent needs a positive base")
            y = other.data
            p = math.pow(x, y)
            return self._record(p, (self, other), lambda g: (y * x ** (y - 1) * g, p * math.log(x) * g))
        k = other
        return self._record(x**k, (self,), lambda g: ((k * x ** (k - 1) if k else 0.0) * g,))

    def __rpow__(self, other):
        p = math.pow(other, self.data)
        return self._record(p, (self,), lambda g: (p * math.log(other) * g,))

    # ---- functions ----
    def exp(self):
        e = math.exp(self.data)
        return self._record(e, (self,), lambda g: (e * g,))

    def log(self):
        x = self.data
        return self._record(math.log(x), (self,), lambda g: (g / x,))

    def tanh(self):
        x = self.data
        return self._record(math.tanh(x), (self,), lambda g: (_sech_squared(x) * g,))

    def sigmoid(self):
        s = _sigmoid(self.data)
        return self._record(s, (self,), lambda g: (s * (1.0 - s) * g,))

    def relu(self):
        x = self.data
        slope = 1.0 if x > 0 else 0.5 if x == 0 else 0.0  # any value in [0, 1] is a subgradient at 0
        return self._record(max(x, 0.0), (self,), lambda g: (slope * g,))

    def __abs__(self):
        x = self.data
        sign = 1.0 if x > 0 else -1.0 if x < 0 else 0.0
        return self._record(abs(x), (self,), lambda g: (sign * g,))

    def sqrt(self):
        r = math.sqrt(self.data)
        return self._record(r, (self,), lambda g: (0.5 / r * g,))

    def sin(self):
        x = self.data
        return self._record(math.sin(x), (self,), lambda g: (math.cos(x) * g,))

    def cos(self):
        x = self.data
        return self._record(math.cos(x), (self,), lambda g: (-math.sin(x) * g,))

    # ---- backward ----
    def backward(self):
        adjoint = {id(self): 1.0}
        node = {id(self): self}
        pending = 1 if self._index >= 0 else 0  # reached entries not yet walked
        for i in range(self._index, -1, -1):
            if pending == 0:
                break
            out, inputs, vjp = TAPE[i]
            g = adjoint.get(id(out))
            if g is None:
                continue
            pending -= 1
            for v, contribution in zip(inputs, vjp(g), strict=True):
                if id(v) not in adjoint:
                    adjoint[id(v)] = 0.0
                    node[id(v)] = v
                    if v._index >= 0:
                        pending += 1
                adjoint[id(v)] += contribution
        for key, g in adjoint.items():
            node[key].grad += g
