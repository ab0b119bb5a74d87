"""A tensor with minitorch's API, written from scratch (numpy storage inside): ``sum(dim)`` keeps the
dim, a scalar is shape (1,), ``permute``, ``view``, ``to_numpy()``, ``.grad`` on leaves only
(minitorch's ``derivative``), ``backward()`` from a shape-(1,) tensor. Each op is a ``Function``
with ``forward`` and ``backward``, as minitorch's are."""

from __future__ import annotations

import numpy as np


def reduce_to(grad, shape):
    """Sum a broadcast gradient back to ``shape``."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class Function:
    @classmethod
    def apply(cls, *inputs, **params):
        out = cls.forward(*(t._storage for t in inputs), **params)
        return type(inputs[0])(out, history=(cls, inputs, params))


class Add(Function):
    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(g, a, b):
        return reduce_to(g, a.shape), reduce_to(g, b.shape)


class Mul(Function):
    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(g, a, b):
        return reduce_to(g * b, a.shape), reduce_to(g * a, b.shape)


class Inv(Function):
    @staticmethod
    def forward(a):
        return 1.0 / a

    @staticmethod
    def backward(g, a):
        return (-g / (a * a),)


class Neg(Function):
    @staticmethod
    def forward(a):
        return -a

    @staticmethod
    def backward(g, a):
        return (-g,)


class Exp(Function):
    @staticmethod
    def forward(a):
        return np.exp(a)

    @staticmethod
    def backward(g, a):
        return (g * np.exp(a),)


class Log(Function):
    @staticmethod
    def forward(a):
        return np.log(a)

    @staticmethod
    def backward(g, a):
        return (g / a,)


class Sigmoid(Function):
    @staticmethod
    def forward(a):
        return 1.0 / (1.0 + np.exp(-a))

    @staticmethod
    def backward(g, a):
        s = 1.0 / (1.0 + np.exp(-a))
        return (g * s * (1.0 - s),)


class ReLU(Function):
    @staticmethod
    def forward(a):
        return np.where(a > 0, a, 0.0)

    @staticmethod
    def backward(g, a):
        return (g * (a > 0),)


class Sum(Function):
    @staticmethod
    def forward(a, dim=None):
        if dim is None:
            return np.array([a.sum()])
        return a.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(g, a, dim=None):
        return (np.broadcast_to(g.reshape(()) if dim is None else g, a.shape).copy(),)


class Permute(Function):
    @staticmethod
    def forward(a, order=()):
        return a.transpose(order)

    @staticmethod
    def backward(g, a, order=()):
        return (g.transpose(np.argsort(order)),)


class View(Function):
    @staticmethod
    def forward(a, shape=()):
        return a.reshape(shape)

    @staticmethod
    def backward(g, a, shape=()):
        return (g.reshape(a.shape),)


class MatMul(Function):
    @staticmethod
    def forward(a, b):
        return a @ b

    @staticmethod
    def backward(g, a, b):
        a2 = a if a.ndim == 2 else a[None, :]
        b2 = b if b.ndim == 2 else b[:, None]
        g2 = g.reshape(a2.shape[0], b2.shape[1])
        return (g2 @ b2.T).reshape(a.shape), (a2.T @ g2).reshape(b.shape)


class Tensor:
    def __init__(self, storage, history=None):
        self._storage = np.asarray(storage, dtype=np.float64)
        self.history = history
        self.derivative = None

    @classmethod
    def make(cls, storage, shape):
        return cls(np.asarray(storage, dtype=np.float64).reshape(shape))

    @property
    def shape(self):
        return self._storage.shape

    @property
    def size(self):
        return self._storage.size

    @property
    def grad(self):
        return self.derivative

    def to_numpy(self):
        return self._storage.copy()

    def item(self):
        assert self.size == 1
        return float(self._storage.reshape(-1)[0])

    def _ensure_tensor(self, b):
        return b if isinstance(b, Tensor) else type(self).make([float(b)], (1,))

    def __add__(self, b):
        return Add.apply(self, self._ensure_tensor(b))

    def __sub__(self, b):
        return Add.apply(self, Neg.apply(self._ensure_tensor(b)))

    def __mul__(self, b):
        return Mul.apply(self, self._ensure_tensor(b))

    def __truediv__(self, b):
        return Mul.apply(self, Inv.apply(self._ensure_tensor(b)))

    def __neg__(self):
        return Neg.apply(self)

    def __matmul__(self, b):
        return MatMul.apply(self, b)

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return ReLU.apply(self)

    def sum(self, dim=None):
        return Sum.apply(self, dim=dim)

    def mean(self, dim=None):
        return self.sum(dim) / (self.shape[dim] if dim is not None else self.size)

    def permute(self, *order):
        return Permute.apply(self, order=order)

    def view(self, *shape):
        return View.apply(self, shape=shape)

    def backward(self, grad_output=None):
        if grad_output is None:
            assert self.shape == (1,), "Must provide grad_output if non-scalar"
            grad_output = np.ones((1,))
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            if node.history is not None:
                stack.extend((x, False) for x in node.history[1])
        pending = {id(self): np.asarray(grad_output, dtype=np.float64)}
        for node in reversed(order):
            g = pending.pop(id(node), None)
            if g is None:
                continue
            if node.history is None:
                before = 0.0 if node.derivative is None else node.derivative._storage
                node.derivative = Tensor(before + g)
                continue
            fn, inputs, params = node.history
            for x, dx in zip(inputs, fn.backward(g, *(t._storage for t in inputs), **params), strict=True):
                pending[id(x)] = dx if id(x) not in pending else pending[id(x)] + dx
