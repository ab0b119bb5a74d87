"""A scalar Value and reverse-mode autodiff over the op table."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from .ops import OPS, DomainError, MathError, NonFiniteError, Op

Number = int | float

_isfinite = math.isfinite
_new = object.__new__
ADD, SUB, MUL, DIV, NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
POWI, POWC, POW = OPS["powi"], OPS["powc"], OPS["pow"]


class Value:
    """A scalar, the op that made it, its operands and its gradient.

    Graph access, read-only, for tools: ``op`` (the op's name; "" for a
    leaf), ``parents`` (operands in order; ``a + a`` has two; a number
    operand appears as a ``Constant`` whose op is "const") and ``rule`` (the
    op's row in ``OPS``).
    """

    # Operands live in two slots rather than a tuple, and number operands stay
    # plain floats: one garbage-collected object per node instead of three
    # makes graphs smaller and the collector's passes cheaper.
    __slots__ = ("data", "grad", "_op", "_x", "_y")

    data: float
    grad: float

    def __init__(self, data: Number) -> None:
        self.data = _to_float(data, type(self).__name__)
        self.grad = 0.0
        self._op: Op | None = None
        self._x: Value | float | None = None
        self._y: Value | float | None = None

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

    # ---- arithmetic: each line picks a row of the op table ----
    def __add__(self, other: Operand) -> Value:
        return _binary(ADD, self, other)

    def __radd__(self, other: Number) -> Value:
        return _binary(ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary(SUB, self, other)

    def __rsub__(self, other: Number) -> Value:
        return _binary(SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        return _binary(MUL, self, other)

    def __rmul__(self, other: Number) -> Value:
        return _binary(MUL, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary(DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _binary(DIV, other, self)

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _binary(POW, self, other)
        k = _number(other)
        return _binary(POWI if k.is_integer() else POWC, self, k)

    def __rpow__(self, other: Number) -> Value:
        return _binary(POW, other, self)

    def __neg__(self) -> Value:
        return _unary(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(OPS["abs"], self)

    def relu(self) -> Value:
        return _unary(OPS["relu"], self)

    def tanh(self) -> Value:
        return _unary(OPS["tanh"], self)

    def exp(self) -> Value:
        return _unary(OPS["exp"], self)

    def log(self) -> Value:
        return _unary(OPS["log"], self)

    def sigmoid(self) -> Value:
        return _unary(OPS["sigmoid"], self)

    def sin(self) -> Value:
        return _unary(OPS["sin"], self)

    def cos(self) -> Value:
        return _unary(OPS["cos"], self)

    def sqrt(self) -> Value:
        return _unary(OPS["sqrt"], self)

    # ---- reverse mode ----
    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node of the graph.

        Gradients accumulate, as in micrograd and PyTorch: a second call adds
        the same gradients again, exactly doubling every ``.grad``. Reset them
        with ``Module.zero_grad()`` (or ``v.grad = 0.0``) between steps. If a
        derivative is undefined or overflows, ``NonFiniteError`` is raised and
        every ``.grad`` is left as it was before the call.
        """
        if self._op is None:  # a leaf: d(self)/d(self) = 1, nothing else
            self.grad += 1.0
            return
        # Pass 1: an iterative depth-first walk puts the inner nodes in
        # topological order, operands first, and lists the leaves with their
        # gradients before this call. Inner nodes' gradients from earlier calls
        # are set aside, so that only this call's adjoints flow.
        order: list[Value] = []
        inner_before: list[tuple[Value, float]] = []
        leaves: list[tuple[Value, float]] = []
        seen: set[Value] = set()
        stack = [(self, False)]
        while stack:
            node, operands_done = stack.pop()
            if operands_done:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            if node.grad:
                inner_before.append((node, node.grad))
                node.grad = 0.0
            for operand in (node._x, node._y):
                if not isinstance(operand, Value) or operand in seen:
                    continue
                if operand._op is not None:
                    stack.append((operand, False))
                else:
                    seen.add(operand)
                    leaves.append((operand, operand.grad))

        # Pass 2: consumers first, so each node's adjoint is complete when it
        # is reached; it flows to its operands (numbers take nothing).
        self.grad = 1.0
        node = self
        try:
            for node in reversed(order):
                g = node.grad
                if not _isfinite(g):
                    raise NonFiniteError(node.op, _operands(node), f"its gradient overflowed to {g}")
                # An operand is a Value or a number (a float); y is None for unary ops.
                x: Any = node._x
                y: Any = node._y
                rule = node._op.grad  # type: ignore[union-attr]  # every inner node has a row
                if y is None:
                    x.grad += rule(node.data, x.data) * g
                elif x.__class__ is float:
                    y.grad += rule(node.data, x, y.data)[1] * g
                elif y.__class__ is float:
                    x.grad += rule(node.data, x.data, y)[0] * g
                else:
                    dx, dy = rule(node.data, x.data, y.data)
                    x.grad += dx * g
                    y.grad += dy * g
            for leaf, _ in leaves:
                if not _isfinite(leaf.grad):
                    reason = f"a leaf's gradient overflowed to {leaf.grad}"
                    raise NonFiniteError("backward", (leaf.data,), reason)
        except (ArithmeticError, ValueError) as error:
            for inner in order:
                inner.grad = 0.0
            for before, grad in inner_before + leaves:
                before.grad = grad
            if isinstance(error, MathError):
                raise
            reason = f"derivative is undefined or infinite here ({error})"
            raise NonFiniteError(node.op, _operands(node), reason) from None
        for inner, grad in inner_before:
            inner.grad += grad


Operand = Value | int | float


class Constant(Value):
    """A plain number used as an operand (``x + 2``, ``x ** 3``)."""

    __slots__ = ()

    @property
    def op(self) -> str:
        return "const"


def _to_float(x: object, who: str) -> float:
    if isinstance(x, float):
        value = x
    elif isinstance(x, Real):  # int, bool, Fraction, numpy floats
        value = float(x)
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


# Forward: run the row on floats, turn Python's math errors into MathError,
# refuse non-finite results, and record the node. One function per arity
# keeps the hot path free of generic tuple building, and each writes the node
# out itself: a shared helper would cost a call, about a fifth of a forward op.
def _unary(op: Op, x: Value) -> Value:
    try:
        out = op.forward(x.data)
    except (ArithmeticError, ValueError) as error:
        raise _forward_error(op, (x.data,), error) from None
    if not _isfinite(out):
        raise NonFiniteError(op.name, (x.data,), f"result is {out}")
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._op = op
    node._x = x
    node._y = None
    return node


def _binary(op: Op, x: Operand, y: Operand) -> Value:
    if isinstance(x, Value):
        a = x.data
    else:
        x = a = _number(x)
    if isinstance(y, Value):
        b = y.data
    elif y.__class__ is float and _isfinite(y):  # the usual number operand, checked inline
        b = y
    else:
        y = b = _number(y)
    try:
        out = op.forward(a, b)
    except (ArithmeticError, ValueError) as error:
        raise _forward_error(op, (a, b), error) from None
    if not _isfinite(out):
        raise NonFiniteError(op.name, (a, b), f"result is {out}")
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._op = op
    node._x = x
    node._y = y
    return node


def _forward_error(op: Op, operands: tuple[float, ...], error: Exception) -> MathError:
    if isinstance(error, OverflowError):
        return NonFiniteError(op.name, operands, "result overflows")
    return DomainError(op.name, operands, "outside the op's domain")


def _operands(node: Value) -> tuple[float, ...]:
    return tuple(p.data for p in node.parents)
