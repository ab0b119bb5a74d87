"""A correct engine in PyTorch's autograd.Function style, with forms of the rules other than the lecture's.

Each op is a Function subclass with ``forward(ctx, *xs)`` and
``backward(ctx, g)``; ``ctx`` keeps what backward needs. A node holds its
Function's ctx and its inputs. Different but correct forms:

- ``x ** y`` (a Value exponent), ``c ** x`` and ``x ** k`` for a fractional ``k`` are computed as
  exp(y * log x), and d/dx as y * exp((y - 1) * log x);
- tanh's backward recomputes tanh from the saved input: 1 - tanh(x)**2;
- log's derivative is x**-1 and sqrt's is g / (2 sqrt(x));
- rules take the incoming gradient first, in the other rounding order: ``g * k * x**(k - 1)``,
  ``g * s * (1 - s)`` for sigmoid, and ``x * x`` of one object is a fused square, ``(2 * x) * g``.
"""

from __future__ import annotations

import math


class Context:
    def __init__(self):
        self.saved = ()

    def save(self, *values):
        self.saved = values


class Function:
    @classmethod
    def apply(cls, *inputs):
        ctx = Context()
        xs = [v.data if isinstance(v, Value) else v for v in inputs]
        out = Value(cls.forward(ctx, *xs))
        out._fn = cls
        out._ctx = ctx
        out._inputs = inputs
        return out


class Add(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x - y

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Function):
    @staticmethod
    def forward(ctx, x, y):
        ctx.save(x, y)
        return x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved
        return y * g, x * g


class Div(Function):
    @staticmethod
    def forward(ctx, x, y):
        q = x / y
        ctx.save(y, q)
        return q

    @staticmethod
    def backward(ctx, g):
        y, q = ctx.saved
        return g / y, -q / y * g


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class Square(Function):
    """x * x of one object: one rule for both sides."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return ((2 * x) * g,)


class PowNumber(Function):
    """x ** k for a number k: exp(k * log x) for a fractional k, the gradient taken first."""

    @staticmethod
    def forward(ctx, x, k):
        ctx.save(x, k)
        if float(k).is_integer() or x <= 0:
            return x**k
        return math.exp(k * math.log(x))

    @staticmethod
    def backward(ctx, g):
        x, k = ctx.saved
        if not k:
            return 0.0, 0.0
        return g * k * x ** (k - 1), 0.0


class PowExp(Function):
    """x ** y for x > 0, either operand a Value: exp(y * log x)."""

    @staticmethod
    def forward(ctx, x, y):
        if x <= 0:
            raise ValueError("x ** y with a Value needs x > 0")
        lx = math.log(x)
        p = math.exp(y * lx)
        ctx.save(x, y, lx, p)
        return p

    @staticmethod
    def backward(ctx, g):
        _, y, lx, p = ctx.saved
        return g * y * math.exp((y - 1) * lx), g * p * lx


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        e = math.exp(x)
        ctx.save(e)
        return e

    @staticmethod
    def backward(ctx, g):
        (e,) = ctx.saved
        return (e * g,)


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return math.log(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return (x**-1 * g,)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return math.tanh(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return ((1 - math.tanh(x) ** 2) * g,)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        if x >= 0:
            s = 1 / (1 + math.exp(-x))
        else:
            e = math.exp(x)
            s = e / (1 + e)
        ctx.save(s)
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved
        return (g * s * (1 - s),)


class Relu(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return x if x > 0 else 0.0

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return (g if x > 0 else 0.0,)


class Abs(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return abs(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return (g if x > 0 else -g if x < 0 else 0.0,)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        r = math.sqrt(x)
        ctx.save(r)
        return r

    @staticmethod
    def backward(ctx, g):
        (r,) = ctx.saved
        return (g / (2 * r),)


class Sin(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return math.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return (math.cos(x) * g,)


class Cos(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save(x)
        return math.cos(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved
        return (-math.sin(x) * g,)


class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0.0
        self._fn = None
        self._ctx = None
        self._inputs = ()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    def __add__(self, other):
        return Add.apply(self, other)

    def __radd__(self, other):
        return Add.apply(other, self)

    def __sub__(self, other):
        return Sub.apply(self, other)

    def __rsub__(self, other):
        return Sub.apply(other, self)

    def __mul__(self, other):
        if other is self:
            return Square.apply(self)
        return Mul.apply(self, other)

    def __rmul__(self, other):
        return Mul.apply(other, self)

    def __truediv__(self, other):
        return Div.apply(self, other)

    def __rtruediv__(self, other):
        return Div.apply(other, self)

    def __neg__(self):
        return Neg.apply(self)

    def __pow__(self, other):
        if isinstance(other, Value):
            return PowExp.apply(self, other)
        return PowNumber.apply(self, other)

    def __rpow__(self, other):
        return PowExp.apply(other, self)

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return Relu.apply(self)

    def __abs__(self):
        return Abs.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def backward(self):
        order, visited, stack = [], set(), [(self, False)]
        while stack:
            v, children_done = stack.pop()
            if children_done:
                order.append(v)
                continue
            if id(v) in visited:
                continue
            visited.add(id(v))
            stack.append((v, True))
            stack.extend((i, False) for i in v._inputs if isinstance(i, Value))
        self.grad = 1.0
        for v in reversed(order):
            if v._fn is None:
                continue
            for i, contribution in zip(v._inputs, v._fn.backward(v._ctx, v.grad), strict=True):
                if isinstance(i, Value):
                    i.grad += contribution
