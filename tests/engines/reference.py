"""A small, correct micrograd-style engine, written the way a learner would.

It shares no code with ``micrograd``: the audit must judge it only through
the protocol. Each local derivative comes from ``rule``, backward walks
``order()`` and adds through ``send``, so a planted bug overrides one of them.
"""

from __future__ import annotations

import math
from typing import Any

Number = int | float


class Value:
    def __init__(self, data: Number, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = _children
        self._op = _op

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def _wrap(self, other: Any) -> Value:
        return other if isinstance(other, Value) else type(self)(other)

    def _make(self, data: float, children: tuple[Value, ...], op: str) -> Value:
        return type(self)(data, children, op)

    # ---- forward ----
    def __add__(self, other: Any) -> Value:
        other = self._wrap(other)
        return self._make(self.data + other.data, (self, other), "add")

    def __mul__(self, other: Any) -> Value:
        other = self._wrap(other)
        return self._make(self.data * other.data, (self, other), "mul")

    def __truediv__(self, other: Any) -> Value:
        other = self._wrap(other)
        return self._make(self.data / other.data, (self, other), "div")

    def __pow__(self, k: Number) -> Value:
        assert isinstance(k, (int, float)), "only number exponents"
        return self._make(self.data**k, (self, self._wrap(k)), "pow")

    def __neg__(self) -> Value:
        return self._make(-self.data, (self,), "neg")

    def __sub__(self, other: Any) -> Value:
        other = self._wrap(other)
        return self._make(self.data - other.data, (self, other), "sub")

    def __radd__(self, other: Number) -> Value:
        return self._wrap(other) + self

    def __rsub__(self, other: Number) -> Value:
        return self._wrap(other) - self

    def __rmul__(self, other: Number) -> Value:
        return self._wrap(other) * self

    def __rtruediv__(self, other: Number) -> Value:
        return self._wrap(other) / self

    def relu(self) -> Value:
        return self._make(self.data if self.data > 0 else 0.0, (self,), "relu")

    def tanh(self) -> Value:
        return self._make(math.tanh(self.data), (self,), "tanh")

    def exp(self) -> Value:
        return self._make(math.exp(self.data), (self,), "exp")

    def log(self) -> Value:
        return self._make(math.log(self.data), (self,), "log")

    # ---- backward ----
    def rule(self, op: str, out: float, *xs: float) -> tuple[float, ...]:
        """d(out)/d(each operand), given the operands' values."""
        if op == "add":
            return (1.0, 1.0)
        if op == "sub":
            return (1.0, -1.0)
        if op == "mul":
            return (xs[1], xs[0])
        if op == "div":
            return (1.0 / xs[1], -xs[0] / xs[1] ** 2)
        if op == "pow":
            return (xs[1] * xs[0] ** (xs[1] - 1), 0.0)
        if op == "neg":
            return (-1.0,)
        if op == "relu":
            return (1.0 if xs[0] > 0 else 0.0,)
        if op == "tanh":
            return (1.0 - out * out,)
        if op == "exp":
            return (out,)
        if op == "log":
            return (1.0 / xs[0],)
        raise ValueError(f"no rule for {op!r}")

    def order(self) -> list[Value]:
        """Every node once, each after all the nodes it depends on."""
        topo: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topo.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if id(child) not in seen)
        return topo

    def send(self, child: Value, amount: float) -> None:
        child.grad += amount

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(self.order()):
            if node._prev:
                partials = node.rule(node._op, node.data, *(c.data for c in node._prev))
                for child, partial in zip(node._prev, partials, strict=True):
                    node.send(child, partial * node.grad)
