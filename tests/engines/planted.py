"""Engines with one planted bug each, derived from the correct ``reference.Value``.

Each is a classic learner's bug that hand-picked tests miss; the audit must
find it, blame the right op and shrink it to a small program.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from reference import Value  # the audit loads engines by path, next to their siblings


class Overwrites(Value):
    """``=`` instead of ``+=``: wrong only when a node feeds two consumers."""

    def send(self, child: Value, amount: float) -> None:
        child.grad = amount


class BreadthFirst(Value):
    """Backward in breadth-first order, not a topological one: wrong for some DAG shapes."""

    def order(self) -> list[Value]:
        seen = {id(self)}
        queue = deque([self])
        visit: list[Value] = []
        while queue:
            node = queue.popleft()
            visit.append(node)
            for child in node._prev:
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)
        return visit[::-1]  # backward() walks it reversed: output first


class SignOfNegatives(Value):
    """mul's derivative uses |other|: wrong only for negative operands."""

    def rule(self, op: str, out: float, *xs: float) -> tuple[float, ...]:
        if op == "mul":
            return (abs(xs[1]), abs(xs[0]))
        return super().rule(op, out, *xs)


class SaturatedTanh(Value):
    """tanh' taken as 0 beyond |x| > 3 ("it saturates"): wrong in part of the domain."""

    def rule(self, op: str, out: float, *xs: float) -> tuple[float, ...]:
        if op == "tanh" and abs(xs[0]) > 3.0:
            return (0.0,)
        return super().rule(op, out, *xs)


class ImpreciseLog(Value):
    """log' off by a relative 1e-10: a tiny loss of precision in one rule."""

    def rule(self, op: str, out: float, *xs: float) -> tuple[float, ...]:
        if op == "log":
            return ((1.0 + 1e-10) / xs[0],)
        return super().rule(op, out, *xs)


class WrongOperand(Value):
    """mul's derivative uses self.data for both operands: d(x*y)/dx taken as x."""

    def rule(self, op: str, out: float, *xs: float) -> tuple[float, ...]:
        if op == "mul":
            return (xs[0], xs[0])
        return super().rule(op, out, *xs)


class Hangs(Value):
    """backward never returns: the audit must time out, not hang."""

    def backward(self) -> None:
        while True:
            time.sleep(0.01)


class Recurses(Value):
    """backward recurses without end: the audit must survive the RecursionError."""

    def backward(self) -> None:
        self.backward()


class RefusesLargeInputs(Value):
    """``Cls(x)`` raises for an input of magnitude 1e4 or more: the audit must blame the leaf, not crash."""

    def __init__(
        self, data: float, _children: tuple[Value, ...] = (), _op: str = "", _constant: bool = False
    ) -> None:
        if not _children and not _constant and abs(data) >= 1e4:
            raise ValueError(f"{data} is too large for an input")
        super().__init__(data, _children, _op)

    def _wrap(self, other: Any) -> Value:
        return other if isinstance(other, Value) else type(self)(other, _constant=True)
