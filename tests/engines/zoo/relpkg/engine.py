"""The Value class: forward values here, derivatives from the sibling module ``rules``."""

from __future__ import annotations

import math

from . import rules


class Value:
    """An engine split over a package: ``from . import rules`` supplies every derivative.
    Its sqrt' is 0.5 * x ** 0.5 (the exponent's minus sign lost)."""

    def __init__(self, data, _children=(), _rule=None):
        self.data = data
        self.grad = 0.0
        self._prev = tuple(_children)
        self._rule = _rule
        self._operands = ()

    def _apply(self, forward, rule, *operands):
        xs = [o.data if isinstance(o, Value) else o for o in operands]
        out = Value(forward(*xs), tuple(o for o in operands if isinstance(o, Value)), rule)
        out._operands = operands
        return out

    def __add__(self, other):
        return self._apply(lambda x, y: x + y, rules.add, self, other)

    def __radd__(self, other):
        return self._apply(lambda x, y: x + y, rules.add, other, self)

    def __sub__(self, other):
        return self._apply(lambda x, y: x - y, rules.sub, self, other)

    def __rsub__(self, other):
        return self._apply(lambda x, y: x - y, rules.sub, other, self)

    def __mul__(self, other):
        return self._apply(lambda x, y: x * y, rules.mul, self, other)

    def __rmul__(self, other):
        return self._apply(lambda x, y: x * y, rules.mul, other, self)

    def __truediv__(self, other):
        return self._apply(lambda x, y: x / y, rules.div, self, other)

    def __rtruediv__(self, other):
        return self._apply(lambda x, y: x / y, rules.div, other, self)

    def __neg__(self):
        return self * -1.0

    def __pow__(self, k):
        assert isinstance(k, (int, float)), "only number exponents"
        return self._apply(lambda x, e: x**e, rules.power, self, k)

    def exp(self):
        return self._apply(math.exp, rules.exp, self)

    def log(self):
        return self._apply(math.log, rules.log, self)

    def tanh(self):
        return self._apply(math.tanh, rules.tanh, self)

    def relu(self):
        return self._apply(lambda x: x if x > 0 else 0.0, rules.relu, self)

    def sqrt(self):
        return self._apply(math.sqrt, rules.sqrt, self)

    def sin(self):
        return self._apply(math.sin, rules.sin, self)

    def cos(self):
        return self._apply(math.cos, rules.cos, self)

    def backward(self):
        topo, visited, stack = [], set(), [(self, False)]
        while stack:
            v, done = stack.pop()
            if done:
                topo.append(v)
            elif id(v) not in visited:
                visited.add(id(v))
                stack.append((v, True))
                stack.extend((c, False) for c in v._prev)
        self.grad = 1.0
        for v in reversed(topo):
            if v._rule is None:
                continue
            xs = [o.data if isinstance(o, Value) else o for o in v._operands]
            for operand, local in zip(v._operands, v._rule(v.data, *xs), strict=True):
                if isinstance(operand, Value):
                    operand.grad += local * v.grad
