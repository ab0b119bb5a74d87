"""A scalar Value and reverse-mode autodiff over the op table.

Read ``examples/reference_engine.py`` first: karpathy's shape in a few dozen
lines over the same table (sort the graph, walk it backwards adding
``grad * partial`` into each operand), which ``tests/test_reference_engine.py``
runs against this engine on random programs. This file computes the same
gradients several times faster (4x on a small dense graph here), with four
ideas the reference does not need:

- use counts: each forward op counts itself as a use of its operands
  (``_uses``, written by the factories ``_unary``, ``_binary`` and
  ``_reflected``), so backward needs no sorting pass: ``_flow`` passes a
  node's adjoint on once all its uses have passed theirs (Kahn's algorithm),
  and a node used once skips every dict;
- recount: a use outside the graph being differentiated leaves a node
  waiting forever; ``backward`` notices and ``_recount`` counts the consumers
  inside the graph again, then ``_flow`` goes on;
- set-aside gradients: an operand's first adjoint of a call replaces its
  ``.grad``, and the old value is kept in ``set_aside`` and added back at the
  end (``backward``), so gradients accumulate across calls;
- undo on error: if anything raises, ``_undo`` puts back every ``.grad`` the
  call touched, so a failed ``backward()`` leaves the graph as it was.

The factories and ``_flow`` write each node and each operand out by hand:
each shared helper measured slower, on a training step and on long chains.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import islice
from numbers import Real
from typing import Any, cast

from .ops import OPS, DomainError, MathError, NonFiniteError, Op

Number = int | float

_isfinite = math.isfinite
_new = object.__new__
ADD, SUB, MUL, DIV, NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
POWI, POWC, POW = OPS["powi"], OPS["powc"], OPS["pow"]


# Forward: each method runs its row on floats, turns Python's math errors into
# MathError, refuses non-finite results, records the node and counts it as a
# use of its operands. The methods are made by factories, one per operand
# layout, so that a forward op costs a single Python call; for the same
# reason each writes the node out itself.
def _unary(op: Op) -> Callable[[Value], Value]:
    """The method ``self.<op>()``."""
    forward = op.forward

    def method(self: Value) -> Value:
        a = self.data
        try:
            out = forward(a)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(op, (a,), error) from None
        if not _isfinite(out):
            raise NonFiniteError(op.name, (a,), f"result is {out}")
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node._op = op
        node._x = self
        node._y = None
        node._uses = 0
        self._uses += 1
        return node

    return method


def _binary(op: Op) -> Callable[[Value, Operand], Value]:
    """The method ``self <op> other``."""
    forward = op.forward

    def method(self: Value, other: Any) -> Value:
        if other.__class__ is float and _isfinite(other):  # the usual number operand, checked inline
            b = other
        elif isinstance(other, Value):
            b = other.data
        else:
            other = b = _number(other)
        a = self.data
        try:
            out = forward(a, b)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(op, (a, b), error) from None
        if not _isfinite(out):
            raise NonFiniteError(op.name, (a, b), f"result is {out}")
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node._op = op
        node._x = self
        node._y = other
        node._uses = 0
        self._uses += 1
        if other.__class__ is not float:
            other._uses += 1
        return node

    return method


def _reflected(op: Op) -> Callable[[Value, Number], Value]:
    """The method ``other <op> self``, which Python calls for a number ``other`` (``2 - x``)."""
    forward = op.forward

    def method(self: Value, other: Any) -> Value:
        a = _number(other)
        b = self.data
        try:
            out = forward(a, b)
        except (ArithmeticError, ValueError) as error:
            raise _forward_error(op, (a, b), error) from None
        if not _isfinite(out):
            raise NonFiniteError(op.name, (a, b), f"result is {out}")
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node._op = op
        node._x = a
        node._y = self
        node._uses = 0
        self._uses += 1
        return node

    return method


class Value:
    """A scalar, the op that made it, its operands and its gradient.

    Graph access, read-only, for tools: ``op`` (the op's name; "" for a
    leaf), ``parents`` (operands in order; ``a + a`` has two; a number
    operand appears as a ``Constant`` whose op is "const") and ``rule`` (the
    op's row in ``OPS``).
    """

    # Operands live in two slots rather than a tuple, and number operands stay
    # plain floats: one garbage-collected object per node instead of three
    # makes graphs smaller and the collector's passes cheaper. ``_uses``
    # counts the ops that took this node as an operand (see backward).
    __slots__ = ("data", "grad", "_op", "_x", "_y", "_uses")

    data: float
    grad: float

    def __init__(self, data: Number) -> None:
        self.data = _to_float(data, type(self).__name__)
        self.grad = 0.0
        self._op: Op | None = None
        self._x: Value | float | None = None
        self._y: Value | float | None = None
        self._uses = 0

    @property
    def op(self) -> str:
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        operands = (self._x,) if self._y is None else (self._x, self._y)
        return tuple(p if isinstance(p, Value) else Constant(p) for p in operands if p is not None)

    @property
    def rule(self) -> Op | None:
        return self._op

    def __repr__(self) -> str:
        made_by = f", op={self.op!r}" if self._op is not None else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{made_by})"

    def __copy__(self) -> Value:
        # A copy is one more consumer of each operand.
        twin = _new(type(self))
        twin.data, twin.grad, twin._op, twin._x, twin._y = self.data, self.grad, self._op, self._x, self._y
        twin._uses = 0
        for operand in (self._x, self._y):
            if isinstance(operand, Value):
                operand._uses += 1
        return twin

    # ---- arithmetic: each line picks a row of the op table ----
    __add__ = _binary(ADD)
    __radd__ = _reflected(ADD)
    __sub__ = _binary(SUB)
    __rsub__ = _reflected(SUB)
    __mul__ = _binary(MUL)
    __rmul__ = _reflected(MUL)
    __truediv__ = _binary(DIV)
    __rtruediv__ = _reflected(DIV)
    __rpow__ = _reflected(POW)
    __neg__ = _unary(NEG)
    __abs__ = _unary(OPS["abs"])
    relu = _unary(OPS["relu"])
    tanh = _unary(OPS["tanh"])
    exp = _unary(OPS["exp"])
    log = _unary(OPS["log"])
    sigmoid = _unary(OPS["sigmoid"])
    sin = _unary(OPS["sin"])
    cos = _unary(OPS["cos"])
    sqrt = _unary(OPS["sqrt"])

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _power(self, other)
        k = _number(other)
        return (_integer_power if k.is_integer() else _real_power)(self, k)

    def __pos__(self) -> Value:
        return self

    # ---- reverse mode ----
    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node of the graph.

        Gradients accumulate, as in micrograd and PyTorch: a second call adds
        the same gradients again, exactly doubling every ``.grad``. Reset them
        with ``Module.zero_grad()`` (or ``v.grad = 0.0``) between steps. If a
        derivative is undefined or overflows, ``NonFiniteError`` is raised and
        every ``.grad`` is left as it was before the call.

        Adjoints flow from consumers to operands, each node's once all its
        consumers have passed theirs on. The consumers to wait for are first
        taken to be all the node's uses, counted by the forward ops, which is
        right unless some use lies outside this graph (a branch not leading
        here, or one since dropped). Then a node would wait forever: backward
        counts again, for the part of the graph still to do, the consumers
        inside it, and goes on.
        """
        if self._op is None:  # a leaf: d(self)/d(self) = 1, nothing else
            self.grad += 1.0
            return
        queue = [self]
        waiting: dict[Value, int] = {}
        set_aside: list[tuple[Value, float]] = []
        try:
            if self.grad:
                set_aside.append((self, self.grad))
            self.grad = 1.0
            _flow(queue, 0, waiting, set_aside)
            if any(node._op is not None for node in waiting):
                start = len(queue)
                queue += _recount(waiting, set_aside)
                if len(queue) > start:
                    _flow(queue, start, waiting, set_aside)
                cycle = next((node for node in waiting if node._op is not None), None)
                if cycle is not None:  # counted exactly now: a node still waiting waits on itself
                    raise CyclicGraphError(cycle)
            for node in waiting:  # leaves with uses elsewhere; the rest were checked in _flow
                if node._op is None and not _isfinite(node.grad):
                    raise _overflow(queue, node)
        except BaseException:
            _undo(queue, waiting, set_aside)
            raise
        for node, grad in set_aside:
            node.grad += grad


Operand = Value | int | float


class Constant(Value):
    """A plain number used as an operand (``x + 2``, ``x ** 3``)."""

    __slots__ = ()

    @property
    def op(self) -> str:
        return "const"

    def __repr__(self) -> str:
        return f"Constant({self.data!r})"


class CyclicGraphError(ValueError):
    """A node is its own operand, directly or through others.

    No op builds a cycle (a node's operands exist before it): only assigning
    to a node's private fields does. ``node`` is one node on the cycle.
    ``verify.check`` finds every cycle. ``backward()`` finds one that passes
    through a node with several uses, and then leaves the gradients it had
    reached as they are (the graph they belong to is broken); a loop of
    nodes used once each it does not see: it would cost every call.
    """

    def __init__(self, node: Value) -> None:
        self.node = node
        super().__init__(f"the graph has a cycle through {node!r}: no op builds one, so a node's internals "
                         "were changed after it was made")


def _flow(
    queue: list[Value], start: int, waiting: dict[Value, int], set_aside: list[tuple[Value, float]]
) -> None:
    """Pass each node's adjoint on to its operands, consumers first.

    ``queue`` holds the nodes whose adjoint is complete, and grows while it
    is read from ``start``. An operand used once is complete as soon as its
    one consumer has passed on; others wait in ``waiting`` with the number
    of consumers still to come. An operand's first adjoint of this call
    replaces its gradient, which goes to ``set_aside`` to be added back at
    the end.
    """
    node = queue[start]
    try:
        for node in islice(queue, start, None):
            op = node._op
            if op is None:  # a leaf; a non-finite adjoint always reaches one
                if not _isfinite(node.grad):
                    raise _overflow(queue, node)
                continue
            g = node.grad
            # An operand is a Value or a number (a float); y is None for unary
            # ops. A number takes no adjoint: it becomes None here too.
            x: Any = node._x
            y: Any = node._y
            rule = op.grad
            if y is None:
                dx = rule(node.data, x.data) * g
            elif x.__class__ is float:
                dy = rule(node.data, x, y.data)[1] * g
                x = None
            elif y.__class__ is float:
                dx = rule(node.data, x.data, y)[0] * g
                y = None
            else:
                dx, dy = rule(node.data, x.data, y.data)
                dx *= g
                dy *= g
            # The same steps for x and for y, written out: a loop over the two
            # (or a helper) made backward 60% slower on a chain.
            if x is not None:
                if x._uses == 1:
                    queue.append(x)
                    if x.grad:
                        set_aside.append((x, x.grad))
                    x.grad = dx
                else:
                    left = waiting.get(x)
                    if left is None:
                        left = x._uses
                        if x.grad:
                            set_aside.append((x, x.grad))
                        x.grad = dx
                    else:
                        x.grad += dx
                    if left == 1:
                        del waiting[x]
                        queue.append(x)
                    else:
                        waiting[x] = left - 1
            if y is not None:
                if y._uses == 1:
                    queue.append(y)
                    if y.grad:
                        set_aside.append((y, y.grad))
                    y.grad = dy
                else:
                    left = waiting.get(y)
                    if left is None:
                        left = y._uses
                        if y.grad:
                            set_aside.append((y, y.grad))
                        y.grad = dy
                    else:
                        y.grad += dy
                    if left == 1:
                        del waiting[y]
                        queue.append(y)
                    else:
                        waiting[y] = left - 1
    except (ArithmeticError, ValueError) as error:
        if isinstance(error, MathError):
            raise
        reason = f"derivative is undefined or infinite here ({error})"
        raise NonFiniteError(node.op, _operands(node), reason) from None


def _recount(waiting: dict[Value, int], set_aside: list[tuple[Value, float]]) -> list[Value]:
    """Count again the consumers to wait for, where a use lies outside the graph.

    Such a node is stuck in ``waiting``. Every node not yet passed on lies
    at or below a stuck one, so the consumers still to come are exactly the
    uses among the stuck nodes and all below them. Nodes reached here for
    the first time have their gradient set aside and zeroed. Returns the
    stuck nodes that now wait for nothing.
    """
    stuck = [node for node in waiting if node._op is not None]
    left = dict.fromkeys(stuck, 0)
    below = list(stuck)
    for node in below:
        for operand in (node._x, node._y):
            if not isinstance(operand, Value):
                continue
            if operand._uses == 1:  # reached once, from its one consumer; _flow needs no count
                below.append(operand)
            elif operand in left:
                left[operand] += 1
            else:
                left[operand] = 1
                below.append(operand)
                if operand not in waiting and operand.grad:
                    set_aside.append((operand, operand.grad))
                    operand.grad = 0.0
    ready = []
    for node, count in left.items():
        if count:
            waiting[node] = count
        else:
            del waiting[node]
            ready.append(node)
    return ready


def _undo(queue: list[Value], waiting: dict[Value, int], set_aside: list[tuple[Value, float]]) -> None:
    """Put back every gradient this call has touched: all are in the queue or waiting."""
    for node in queue:
        node.grad = 0.0
    for node in waiting:
        node.grad = 0.0
    for node, grad in set_aside:
        node.grad = grad
    set_aside.clear()


def _overflow(queue: list[Value], leaf: Value) -> NonFiniteError:
    """The error for a non-finite gradient that reached ``leaf``.

    A non-finite adjoint spreads to every operand below it (even 0 * inf is
    nan), so it always reaches a leaf: backward checks only the leaves, and
    then blames the first node, in the order adjoints flowed, that went wrong.
    """
    for node in queue:
        if node._op is not None and not _isfinite(node.grad):
            return NonFiniteError(node.op, _operands(node), f"its gradient overflowed to {node.grad}")
    return NonFiniteError("backward", (leaf.data,), f"a leaf's gradient overflowed to {leaf.grad}")


def _to_float(x: object, who: str) -> float:
    if isinstance(x, float):
        value = x
    elif isinstance(x, Real):  # int, bool, Fraction, numpy floats
        try:
            value = float(x)
        except OverflowError:  # an int or Fraction beyond float64, Value(10**400)
            value = math.inf if cast(Any, x) > 0 else -math.inf
    else:
        raise TypeError(f"{who} takes a real number, not {type(x).__name__}: {x!r}")
    if not _isfinite(value):
        raise NonFiniteError(who, (value,), "not a finite number")
    return value


def _number(x: object) -> float:
    """A number operand, checked once and kept as a plain float."""
    if x.__class__ is float and _isfinite(x):
        return x
    if isinstance(x, Real):
        return _to_float(x, "Constant")
    raise TypeError(f"cannot combine a Value with {type(x).__name__}: {x!r}")


_power, _integer_power, _real_power = _binary(POW), _binary(POWI), _binary(POWC)


def _forward_error(op: Op, operands: tuple[float, ...], error: Exception) -> MathError:
    if isinstance(error, OverflowError):
        return NonFiniteError(op.name, operands, "result overflows")
    return DomainError(op.name, operands, "outside the op's domain")


def _operands(node: Value) -> tuple[float, ...]:
    return tuple(p.data for p in node.parents)
