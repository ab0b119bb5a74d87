"""Planted bugs in how gradients flow through the graph, not in any one derivative.

Same object on both sides (x * x), a node reused by several consumers
(fan-out), the order nodes are visited in, graphs deeper than a learner
tests, and a bug that depends on set iteration order. The closure-style
ones subclass ``base.Value``; the ones that change how contributions are
collected subclass the local-gradients engine ``localgrads.Value``.
"""

from __future__ import annotations

from collections import deque

from base import Value, add_grad, value_of
from localgrads import Value as LocalValue

# ---- wrong only for the same object on both sides ----


class MulOverwritesOther(Value):
    """mul adds to self.grad but overwrites other.grad: x * x keeps one of its two contributions."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad += value_of(other) * out.grad
            if isinstance(other, Value):
                other.grad = self.data * out.grad

        out._backward = _backward
        return out


class DictGradsMul(Value):
    """mul's partials in a dict keyed by operand: for x * x the two keys collide, x gets x, not 2x."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            partials = {self: value_of(other), other: self.data}
            for operand, local in partials.items():
                add_grad(operand, local * out.grad)

        out._backward = _backward
        return out


class DictGradsSub(Value):
    """sub's partials in a dict keyed by operand: x - x keeps only -1, so x gets -1 instead of 0."""

    def __sub__(self, other):
        out = self._node(self.data - value_of(other), (self, other), "-")

        def _backward():
            partials = {self: 1.0, other: -1.0}
            for operand, local in partials.items():
                add_grad(operand, local * out.grad)

        out._backward = _backward
        return out


class DictGradsDiv(Value):
    """div's partials in a dict keyed by operand: x / x keeps only -1/x, so x gets -1/x instead of 0."""

    def __truediv__(self, other):
        y = value_of(other)
        out = self._node(self.data / y, (self, other), "/")

        def _backward():
            partials = {self: 1.0 / y, other: -out.data / y}
            for operand, local in partials.items():
                add_grad(operand, local * out.grad)

        out._backward = _backward
        return out


# ---- `=` instead of `+=` in one op: a node with two consumers loses one ----


class PowOverwrites(Value):
    """x ** k's backward assigns self.grad instead of adding: x ** 2 + x loses the + x."""

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        out = self._node(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad = other * self.data ** (other - 1) * out.grad

        out._backward = _backward
        return out


class ReluOverwrites(Value):
    """relu's backward assigns self.grad instead of adding: x.relu() + x loses the + x."""

    def relu(self):
        out = self._node(self.data if self.data > 0 else 0.0, (self,), "ReLU")

        def _backward():
            self.grad = (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out


class MulOverwrites(Value):
    """mul's backward assigns both grads (the lecture's first version): x * 2 + x loses the + x."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad = value_of(other) * out.grad
            if isinstance(other, Value):
                other.grad = self.data * out.grad

        out._backward = _backward
        return out


# ---- lost contributions only from the third consumer on ----


class PairSlots(LocalValue):
    """A node keeps its first and its latest incoming gradient ("an op has two operands, so a
    node gets two gradients"): with three or more consumers the middle ones are lost."""

    __slots__ = ("_first", "_latest", "_count")

    def __init__(self, data, children=(), local_grads=()):
        super().__init__(data, children, local_grads)
        self._first = 0.0
        self._latest = 0.0
        self._count = 0

    def _receive(self, amount):
        if self._count == 0:
            self._first = amount
        else:
            self._latest = amount
        self._count += 1
        self.grad = self._first + self._latest


class SharedFlag(LocalValue):
    """Backward releases a node once its consumers are done, but counts uses as "once" or
    "shared" (1 or 2): a node with three consumers is released after two, and the third
    contribution never reaches its children."""

    def backward(self):
        waiting = {}
        for v in self._order():
            for child in v._children:
                waiting[id(child)] = 2 if id(child) in waiting else 1
        self.grad = 1.0
        ready = [self]
        while ready:
            v = ready.pop()
            for child, local_grad in zip(v._children, v._local_grads, strict=True):
                child._receive(local_grad * v.grad)
                waiting[id(child)] -= 1
                if waiting[id(child)] == 0:
                    ready.append(child)


# ---- traversal order ----


class BreadthFirst(Value):
    """Backward visits nodes breadth-first from the output: a node is processed before
    consumers deeper down have added their share."""

    def backward(self):
        self.grad = 1.0
        queue = deque([self])
        seen = {self}
        while queue:
            v = queue.popleft()
            v._backward()
            for child in v._prev:
                if child not in seen:
                    seen.add(child)
                    queue.append(child)


class PreOrder(Value):
    """Backward in depth-first pre-order (a node before its children, as in a tree): right
    for trees, wrong once a node is reached through a path that is not its last consumer."""

    def backward(self):
        order = []
        visited = set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                order.append(v)
                for child in v._prev:
                    visit(child)

        visit(self)
        self.grad = 1.0
        for v in order:
            v._backward()


class TopoNoVisited(Value):
    """karpathy's build_topo without the visited set: a shared node is appended once per path,
    so its _backward runs several times and its contribution is counted again each time."""

    def backward(self):
        topo = []

        def build_topo(v):
            for child in v._prev:
                build_topo(child)
            topo.append(v)

        build_topo(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class RecursiveBackward(Value):
    """Backward with no ordering at all: each node runs its _backward, then recurses into its
    children, so a shared node passes its gradient on once per consumer, partial each time."""

    def backward(self):
        self.grad = 1.0
        self._backprop()

    def _backprop(self):
        self._backward()
        for child in self._prev:
            child._backprop()


class EqualByData(Value):
    """Values compare and hash by .data (handy in tests): the topological sort's visited set
    then takes two different nodes with the same value for one, and skips the second."""

    def __eq__(self, other):
        return isinstance(other, Value) and self.data == other.data

    def __hash__(self):
        return hash(self.data)


# ---- deep graphs, silently truncated ----


class DepthCappedTopo(Value):
    """The topological sort stops descending 1,000 levels below the output ("no real graph is
    deeper, and it guards against cycles"): deeper nodes get no gradient, without an error."""

    max_depth = 1000

    def _topo(self):
        topo = []
        visited = set()
        stack = [(self, 0, False)]
        while stack:
            v, depth, children_done = stack.pop()
            if children_done:
                topo.append(v)
                continue
            if v in visited or depth > self.max_depth:
                continue
            visited.add(v)
            stack.append((v, depth, True))
            for child in reversed(v._prev):
                stack.append((child, depth + 1, False))
        return topo


class LastNodesOnly(Value):
    """Backward walks only the 10,000 nodes nearest the output (a truncated backprop, to bound
    the time per step): in a longer chain the inputs get no gradient."""

    window = 10_000

    def backward(self):
        topo = self._topo()
        self.grad = 1.0
        for v in reversed(topo[-self.window:]):
            v._backward()


# ---- a bug that reproduces only sometimes ----


class SetOrderMul(LocalValue):
    """mul keeps its children in a set, as karpathy's _prev, but zips them with the partials
    (other.data, self.data): the set's order follows the objects' ids, so x * y gets its two
    partials swapped in some runs and not in others."""

    __slots__ = ()

    def __mul__(self, other):
        if not isinstance(other, LocalValue):
            return super().__mul__(other)
        return self._new(self.data * other.data, set((self, other)), (other.data, self.data))
