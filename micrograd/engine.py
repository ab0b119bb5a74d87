"""A scalar Value and reverse-mode autodiff over the op table."""

from __future__ import annotations

import math
from numbers import Real

from .ops import OPS, DomainError, MathError, NonFiniteError, Op

Number = int | float

_isfinite = math.isfinite
_new = object.__new__
ADD, SUB, MUL, DIV, NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
POWI, POWC, POW = OPS["powi"], OPS["powc"], OPS["pow"]


class Value:
    """A scalar, the op that made it, its operands and its gradient.

    Graph access, read-only, for tools: ``op`` (the op's name; "" for a
    leaf, "const" for a number used as an operand), ``parents`` (operands in
    order; ``a + a`` has two) and ``rule`` (the op's row in ``OPS``).
    """

    __slots__ = ("data", "grad", "_parents", "_op")

    data: float
    grad: float

    def __init__(self, data: Number) -> None:
        self.data = _to_float(data, type(self).__name__)
        self.grad = 0.0
        self._parents: tuple[Value, ...] = ()
        self._op: Op | None = None

    @property
    def op(self) -> str:
        return self._op.name if self._op is not None else ""

    @property
    def parents(self) -> tuple[Value, ...]:
        return self._parents

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
        k = _constant(other)
        return _binary(POWI if k.data.is_integer() else POWC, self, k)

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
        if not self._parents:  # a leaf: d(self)/d(self) = 1, nothing else
            self.grad += 1.0
            return
        # Pass 1: an iterative depth-first walk puts the inner nodes in
        # topological order, operands first. Leaves need no place in it:
        # nothing flows out of them. Inner nodes' gradients from earlier calls
        # are set aside, so that only this call's adjoints flow.
        order: list[Value] = []
        inner_before: list[tuple[Value, float]] = []
        leaves_before: list[tuple[Value, float]] = []
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
            for parent in node._parents:
                if parent._parents:
                    if parent not in seen:
                        stack.append((parent, False))
                elif parent.grad:
                    leaves_before.append((parent, parent.grad))

        # Pass 2: consumers first, each node's adjoint is complete when it is
        # reached, and flows to its operands.
        self.grad = 1.0
        node = self
        try:
            for node in reversed(order):
                g = node.grad
                if not _isfinite(g):
                    raise NonFiniteError(node.op, _operands(node), f"its gradient overflowed to {g}")
                parents = node._parents
                rule = node._op.grad  # type: ignore[union-attr]  # every inner node has a row
                if len(parents) == 1:
                    (x,) = parents
                    x.grad += rule(node.data, x.data) * g
                else:
                    x, y = parents
                    dx, dy = rule(node.data, x.data, y.data)
                    x.grad += dx * g
                    y.grad += dy * g
                for parent in parents:
                    if not parent._parents and not _isfinite(parent.grad):
                        raise NonFiniteError(node.op, _operands(node), "a leaf's gradient overflowed")
        except (ArithmeticError, ValueError) as error:
            _restore(order, inner_before + leaves_before)
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


def _constant(x: Number) -> Constant:
    if type(x) is float and _isfinite(x):
        data = x
    elif isinstance(x, Real):
        data = _to_float(x, "Constant")
    else:
        raise TypeError(f"cannot combine a Value with {type(x).__name__}: {x!r}")
    constant = _new(Constant)
    constant.data = data
    constant.grad = 0.0
    constant._parents = ()
    constant._op = None
    return constant


# Forward: run the row on floats, turn Python's math errors into MathError,
# refuse non-finite results, and record the node. One function per arity
# keeps the hot path free of generic tuple building.
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
    node._parents = (x,)
    node._op = op
    return node


def _binary(op: Op, x: Operand, y: Operand) -> Value:
    if not isinstance(x, Value):
        x = _constant(x)
    if not isinstance(y, Value):
        y = _constant(y)
    try:
        out = op.forward(x.data, y.data)
    except (ArithmeticError, ValueError) as error:
        raise _forward_error(op, (x.data, y.data), error) from None
    if not _isfinite(out):
        raise NonFiniteError(op.name, (x.data, y.data), f"result is {out}")
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node._parents = (x, y)
    node._op = op
    return node


def _forward_error(op: Op, operands: tuple[float, ...], error: Exception) -> MathError:
    if isinstance(error, OverflowError):
        return NonFiniteError(op.name, operands, "result overflows")
    return DomainError(op.name, operands, "outside the op's domain")


def _operands(node: Value) -> tuple[float, ...]:
    return tuple(p.data for p in node._parents)


def _restore(inner: list[Value], before: list[tuple[Value, float]]) -> None:
    """Undo a failed backward: every .grad back to its value before the call."""
    for node in inner:
        node.grad = 0.0
        for parent in node._parents:
            if not parent._parents:
                parent.grad = 0.0
    for node, grad in before:
        node.grad = grad
