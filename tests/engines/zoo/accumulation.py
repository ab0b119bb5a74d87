"""Engines right in every single backward() that go wrong across two: state kept between calls.

Each is ``base.Value`` with one change a learner makes, and each passes every program the audit
builds with one ``backward()``.
"""

from __future__ import annotations

from typing import ClassVar

from base import Value


class ZeroesGrads(Value):
    """backward() sets every .grad of the graph to 0 before its pass: the gradient an earlier
    backward() left in a leaf is overwritten, not added to."""

    def backward(self):
        topo = self._topo()
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class VisitedOnClass(Value):
    """The visited set of the topological sort lives on the class and is never cleared: a node an
    earlier backward() reached is skipped, so a graph built on top of it stops there."""

    visited: ClassVar[set] = set()

    def _topo(self):
        topo = []
        stack = [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                topo.append(v)
                continue
            if v in VisitedOnClass.visited:
                continue
            VisitedOnClass.visited.add(v)
            stack.append((v, True))
            for child in reversed(v._prev):
                stack.append((child, False))
        return topo


TAPE = []
"""Every node made since the last backward(), in the order it was made."""


class TapeClearedAfterBackward(Value):
    """Ops append their output to a global tape; backward() runs the tape backwards and clears it.
    An output built before another's backward() has lost its part of the tape by its own."""

    def _node(self, data, operands, op):
        out = super()._node(data, operands, op)
        TAPE.append(out)
        return out

    def backward(self):
        tape = TAPE[:]
        TAPE.clear()  # first: a backward() that raises must not leave its nodes for the next one
        self.grad = 1.0
        for v in reversed(tape):
            v._backward()


class TotalKept(Value):
    """Each backward() works out its own gradients, adds them to a running total kept on the node
    and writes .grad from that total: two calls add up, but ``p.grad = 0`` between steps of a
    training loop does not reset the total, so the next step's gradient carries the old ones."""

    def backward(self):
        topo = self._topo()
        for v in topo:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()
        for v in topo:
            v.total = getattr(v, "total", 0.0) + v.grad
            v.grad = v.total
