"""micrograd's engine in karpathy's shape, over the same op table: the copy to read first.

Each Value keeps the row of ``micrograd.ops.OPS`` that made it and its
operands (Values, or plain floats for number operands). ``backward()`` puts
the graph in topological order, without recursion, then walks it from the
output, adding ``grad * partial`` into each operand. ``micrograd.Value``
computes the same numbers faster (use counts instead of the sort, set-aside
gradients, undo on error: see its module docstring); ``tests/test_reference_engine.py``
runs both on random programs. No domain checks: outside an op's domain this
copy returns what Python's math gives, or raises it.
"""

from __future__ import annotations

from typing import Any

from micrograd.ops import OPS, Op


class Value:
    def __init__(self, data: float, op: Op | None = None, args: tuple[Any, ...] = ()) -> None:
        self.data, self.grad = float(data), 0.0
        self._op, self._args = op, args  # args: Values, or floats for number operands

    def _apply(self, name: str, *args: Any) -> Value:
        args = tuple(a if isinstance(a, Value) else float(a) for a in args)
        op = OPS[name]
        return Value(op.forward(*(a.data if isinstance(a, Value) else a for a in args)), op, args)

    def __add__(self, o: Any) -> Value: return self._apply("add", self, o)
    def __radd__(self, o: Any) -> Value: return self._apply("add", o, self)
    def __sub__(self, o: Any) -> Value: return self._apply("sub", self, o)
    def __rsub__(self, o: Any) -> Value: return self._apply("sub", o, self)
    def __mul__(self, o: Any) -> Value: return self._apply("mul", self, o)
    def __rmul__(self, o: Any) -> Value: return self._apply("mul", o, self)
    def __truediv__(self, o: Any) -> Value: return self._apply("div", self, o)
    def __rtruediv__(self, o: Any) -> Value: return self._apply("div", o, self)
    def __rpow__(self, o: Any) -> Value: return self._apply("pow", o, self)
    def __neg__(self) -> Value: return self._apply("neg", self)
    def __abs__(self) -> Value: return self._apply("abs", self)

    def __pow__(self, k: Any) -> Value:
        name = "pow" if isinstance(k, Value) else "powi" if float(k).is_integer() else "powc"
        return self._apply(name, self, k)

    def relu(self) -> Value: return self._apply("relu", self)
    def tanh(self) -> Value: return self._apply("tanh", self)
    def exp(self) -> Value: return self._apply("exp", self)
    def log(self) -> Value: return self._apply("log", self)
    def sigmoid(self) -> Value: return self._apply("sigmoid", self)
    def sqrt(self) -> Value: return self._apply("sqrt", self)
    def sin(self) -> Value: return self._apply("sin", self)
    def cos(self) -> Value: return self._apply("cos", self)

    def backward(self) -> None:
        order, seen, stack = [], set(), [(self, False)]
        while stack:  # depth-first; a node goes in after all its operands
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack += [(a, False) for a in node._args if isinstance(a, Value)]
        self.grad = 1.0
        for node in reversed(order):
            if node._op is None:
                continue
            xs = [a.data if isinstance(a, Value) else a for a in node._args]
            partials = node._op.grad(node.data, *xs)
            partials = partials if isinstance(partials, tuple) else (partials,)
            for a, partial in zip(node._args, partials, strict=True):
                if isinstance(a, Value):
                    a.grad += partial * node.grad
