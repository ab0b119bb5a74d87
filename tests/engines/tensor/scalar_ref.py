"""A correct engine in minitorch's Scalar style: ``Scalar(x)``, ``.data``, ``.derivative`` on leaves.

Each op is a function class with ``forward(ctx, ...)`` and ``backward(ctx, d)``; a node keeps its
``history`` (the function, its context, its inputs); ``backward()`` orders the graph and applies the
chain rule, and only leaves store a ``derivative`` (intermediate nodes keep None), as minitorch does.
"""

from __future__ import annotations

import math


class Context:
    def __init__(self):
        self.saved = ()

    def save_for_backward(self, *values):
        self.saved = values


class Function:
    @classmethod
    def apply(cls, *inputs):
        scalars = [x if isinstance(x, Scalar) else Scalar(float(x), constant=True) for x in inputs]
        ctx = Context()
        value = cls.forward(ctx, *(s.data for s in scalars))
        return Scalar(value, history=(cls, ctx, scalars))


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, d):
        return d, d


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, d):
        a, b = ctx.saved
        return d * b, d * a


class Inv(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return 1.0 / a

    @staticmethod
    def backward(ctx, d):
        (a,) = ctx.saved
        return (-d / (a * a),)


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, d):
        return (-d,)


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return math.log(a)

    @staticmethod
    def backward(ctx, d):
        (a,) = ctx.saved
        return (d / a,)


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = math.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, d):
        (out,) = ctx.saved
        return (d * out,)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        out = 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, d):
        (s,) = ctx.saved
        return (d * s * (1.0 - s),)


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a if a > 0 else 0.0

    @staticmethod
    def backward(ctx, d):
        (a,) = ctx.saved
        return (d if a > 0 else 0.0,)


class Scalar:
    def __init__(self, v, history=None, constant=False):
        self.data = float(v)
        self.history = history
        self.constant = constant
        self.derivative = None

    def is_leaf(self):
        return self.history is None

    def accumulate_derivative(self, d):
        self.derivative = d if self.derivative is None else self.derivative + d

    def __add__(self, b):
        return Add.apply(self, b)

    def __radd__(self, b):
        return Add.apply(b, self)

    def __sub__(self, b):
        return Add.apply(self, Neg.apply(b))

    def __mul__(self, b):
        return Mul.apply(self, b)

    def __rmul__(self, b):
        return Mul.apply(b, self)

    def __truediv__(self, b):
        return Mul.apply(self, Inv.apply(b))

    def __neg__(self):
        return Neg.apply(self)

    def log(self):
        return Log.apply(self)

    def exp(self):
        return Exp.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def backward(self, d_output=None):
        order, seen = [], set()
        stack = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen or node.constant:
                continue
            seen.add(id(node))
            stack.append((node, True))
            if node.history is not None:
                stack.extend((x, False) for x in node.history[2])
        pending = {id(self): 1.0 if d_output is None else d_output}
        for node in reversed(order):
            d = pending.pop(id(node), 0.0)
            if node.is_leaf():
                node.accumulate_derivative(d)
                continue
            fn, ctx, inputs = node.history
            for x, dx in zip(inputs, fn.backward(ctx, d), strict=True):
                if not x.constant:
                    pending[id(x)] = pending.get(id(x), 0.0) + dx
