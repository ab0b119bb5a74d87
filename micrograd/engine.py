"""A scalar Value and reverse-mode autodiff over the op table."""

from __future__ import annotations

import math
from numbers import Real
from typing import Union

from .ops import OPS, DomainError, MathError, NonFiniteError, Op

Number = Union[int, float]
Operand = Union["Value", int, float]

_isfinite = math.isfinite
ADD, SUB, MUL, DIV, NEG = OPS["add"], OPS["sub"], OPS["mul"], OPS["div"], OPS["neg"]
POWI, POWC, POW = OPS["powi"], OPS["powc"], OPS["pow"]


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
        return _apply(ADD, self, _operand(other))

    def __radd__(self, other: Number) -> Value:
        return _apply(ADD, _operand(other), self)

    def __sub__(self, other: Operand) -> Value:
        return _apply(SUB, self, _operand(other))

    def __rsub__(self, other: Number) -> Value:
        return _apply(SUB, _operand(other), self)

    def __mul__(self, other: Operand) -> Value:
        return _apply(MUL, self, _operand(other))

    def __rmul__(self, other: Number) -> Value:
        return _apply(MUL, _operand(other), self)

    def __truediv__(self, other: Operand) -> Value:
        return _apply(DIV, self, _operand(other))

    def __rtruediv__(self, other: Number) -> Value:
        return _apply(DIV, _operand(other), self)

    def __pow__(self, other: Operand) -> Value:
        if isinstance(other, Value):
            return _apply(POW, self, other)
        k = Constant(other)
        return _apply(POWI if k.data.is_integer() else POWC, self, k)

    def __rpow__(self, other: Number) -> Value:
        return _apply(POW, _operand(other), self)

    def __neg__(self) -> Value:
        return _apply(NEG, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _apply(OPS["abs"], self)

    def relu(self) -> Value:
        return _apply(OPS["relu"], self)

    def tanh(self) -> Value:
        return _apply(OPS["tanh"], self)

    def exp(self) -> Value:
        return _apply(OPS["exp"], self)

    def log(self) -> Value:
        return _apply(OPS["log"], self)

    def sigmoid(self) -> Value:
        return _apply(OPS["sigmoid"], self)

    def sin(self) -> Value:
        return _apply(OPS["sin"], self)

    def cos(self) -> Value:
        return _apply(OPS["cos"], self)

    def sqrt(self) -> Value:
        return _apply(OPS["sqrt"], self)

    # ---- reverse mode ----
    def backward(self) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node of the graph.

        Gradients accumulate, as in micrograd and PyTorch: a second call adds
        the same gradients again, exactly doubling every ``.grad``. Reset them
        with ``Module.zero_grad()`` (or ``v.grad = 0.0``) between steps. If a
        derivative is undefined or overflows, ``NonFiniteError`` is raised and
        every ``.grad`` is left as it was before the call.
        """
        # Pass 1: count each node's consumers inside this graph, and set aside
        # gradients left by earlier calls so only this call's adjoints flow.
        consumers: dict[Value, int] = {self: 0}
        earlier: list[tuple[Value, float]] = []
        stack = [self]
        while stack:
            node = stack.pop()
            if node.grad:
                earlier.append((node, node.grad))
                node.grad = 0.0
            for parent in node._parents:
                count = consumers.get(parent)
                if count is None:
                    consumers[parent] = 1
                    stack.append(parent)
                else:
                    consumers[parent] = count + 1

        # Pass 2: a node is ready once all its consumers have been processed;
        # then its adjoint is complete and flows to its operands.
        self.grad = 1.0
        ready = [self]
        node = self
        try:
            while ready:
                node = ready.pop()
                parents = node._parents
                if not parents:
                    continue
                g = node.grad
                rule = node._op.grad  # type: ignore[union-attr]  # set for every node with parents
                if len(parents) == 1:
                    (x,) = parents
                    x.grad += rule(node.data, x.data) * g
                    if not _isfinite(x.grad):
                        raise _overflow(node)
                else:
                    x, y = parents
                    dx, dy = rule(node.data, x.data, y.data)
                    x.grad += dx * g
                    y.grad += dy * g
                    if not (_isfinite(x.grad) and _isfinite(y.grad)):
                        raise _overflow(node)
                for parent in parents:
                    count = consumers[parent] - 1
                    consumers[parent] = count
                    if not count:
                        ready.append(parent)
        except (ArithmeticError, ValueError) as error:
            for seen in consumers:
                seen.grad = 0.0
            for seen, grad in earlier:
                seen.grad = grad
            if isinstance(error, MathError):
                raise
            raise _overflow(node) from error
        for seen, grad in earlier:
            seen.grad += grad


class Constant(Value):
    """A plain number used as an operand (``x + 2``, ``x ** 3``)."""

    __slots__ = ()

    @property
    def op(self) -> str:
        return "const"


def _operand(x: Operand) -> Value:
    return x if isinstance(x, Value) else Constant(x)


def _apply(op: Op, *args: Value) -> Value:
    """Run one op forward and record it in the graph."""
    operands = tuple(a.data for a in args)
    try:
        out = op.forward(*operands)
    except (ArithmeticError, ValueError) as error:
        if isinstance(error, OverflowError):
            raise NonFiniteError(op.name, operands, "result overflows") from None
        raise DomainError(op.name, operands, "outside the op's domain") from None
    if not _isfinite(out):
        raise NonFiniteError(op.name, operands, f"result is {out}")
    node = Value.__new__(Value)
    node.data = out
    node.grad = 0.0
    node._parents = args
    node._op = op
    return node


def _overflow(node: Value) -> NonFiniteError:
    operands = tuple(p.data for p in node._parents)
    return NonFiniteError(node.op, operands, "derivative is infinite or overflows in backward")
