"""A correct tensor engine in the torch dialect, numpy inside: ``sum(dim=, keepdim=)``, ``amax``,
``permute``, ``view``, ``.item()``.

Written differently from the numpy-dialect one: each op records a function
that returns its operands' gradients, and ``backward`` walks a tape, adding
them (PyTorch itself is never imported).
"""

from __future__ import annotations

import numpy as np


def _sum_to(g, shape):
    lead = g.ndim - len(shape)
    stretched = tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    axes = tuple(range(lead)) + stretched
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g


def _dims(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(sorted(d % ndim for d in dims))


def _restore(g, shape, dim, keepdim):
    kept = list(shape)
    for d in _dims(dim, len(shape)):
        kept[d] = 1
    return np.broadcast_to(g.reshape(kept), shape)


class Tensor:
    def __init__(self, data, parents=(), vjp=None):
        self.data = np.asarray(data, dtype=np.float64)
        self.grad = None
        self.parents = parents
        self.vjp = vjp

    def _make(self, data, parents, vjp):
        return Tensor(data, parents, vjp)

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Tensor) else Tensor(x)

    def __add__(self, other):
        other = self._wrap(other)
        a, b = self.data.shape, other.data.shape
        return self._make(self.data + other.data, (self, other), lambda g: (_sum_to(g, a), _sum_to(g, b)))

    def __sub__(self, other):
        other = self._wrap(other)
        a, b = self.data.shape, other.data.shape
        return self._make(self.data - other.data, (self, other), lambda g: (_sum_to(g, a), -_sum_to(g, b)))

    def __mul__(self, other):
        other = self._wrap(other)
        x, y = self.data, other.data
        return self._make(x * y, (self, other), lambda g: (_sum_to(g * y, x.shape), _sum_to(g * x, y.shape)))

    def __truediv__(self, other):
        other = self._wrap(other)
        x, y = self.data, other.data
        return self._make(x / y, (self, other),
                          lambda g: (_sum_to(g / y, x.shape), _sum_to(-g * x / (y * y), y.shape)))

    def __neg__(self):
        return self._make(-self.data, (self,), lambda g: (-g,))

    def __pow__(self, k):
        x = self.data
        return self._make(x**k, (self,), lambda g: (g * k * x ** (k - 1),))

    def __matmul__(self, other):
        x, y = self.data, other.data

        def vjp(g):
            x2 = x if x.ndim == 2 else x[None, :]
            y2 = y if y.ndim == 2 else y[:, None]
            g2 = g.reshape(x2.shape[0], y2.shape[1])
            return (g2 @ y2.T).reshape(x.shape), (x2.T @ g2).reshape(y.shape)
        return self._make(x @ y, (self, other), vjp)

    def sum(self, dim=None, keepdim=False):
        shape = self.data.shape
        axes = None if dim is None else _dims(dim, len(shape))
        return self._make(self.data.sum(axis=axes, keepdims=keepdim), (self,),
                          lambda g: (_restore(g, shape, dim, keepdim).copy(),))

    def mean(self, dim=None, keepdim=False):
        shape = self.data.shape
        axes = None if dim is None else _dims(dim, len(shape))
        n = int(np.prod([shape[d] for d in _dims(dim, len(shape))]))
        return self._make(self.data.mean(axis=axes, keepdims=keepdim), (self,),
                          lambda g: (_restore(g, shape, dim, keepdim) / n,))

    def amax(self, dim=None, keepdim=False):
        shape = self.data.shape
        axes = None if dim is None else _dims(dim, len(shape))
        m = self.data.max(axis=axes, keepdims=True)
        mask = (self.data == m).astype(np.float64)
        share = mask / mask.sum(axis=axes, keepdims=True)
        return self._make(self.data.max(axis=axes, keepdims=keepdim), (self,),
                          lambda g: (share * _restore(g, shape, dim, keepdim),))

    def view(self, *shape):
        old = self.data.shape
        return self._make(self.data.reshape(shape), (self,), lambda g: (g.reshape(old),))

    def permute(self, *dims):
        back = np.argsort(dims)
        return self._make(self.data.transpose(dims), (self,), lambda g: (g.transpose(back),))

    @property
    def T(self):
        return self.permute(*reversed(range(self.data.ndim)))

    def exp(self):
        e = np.exp(self.data)
        return self._make(e, (self,), lambda g: (g * e,))

    def log(self):
        x = self.data
        return self._make(np.log(x), (self,), lambda g: (g / x,))

    def tanh(self):
        t = np.tanh(self.data)
        return self._make(t, (self,), lambda g: (g * (1 - t * t),))

    def sigmoid(self):
        s = 1 / (1 + np.exp(-self.data))
        return self._make(s, (self,), lambda g: (g * s * (1 - s),))

    def relu(self):
        x = self.data
        return self._make(np.maximum(x, 0), (self,), lambda g: (g * (x > 0),))

    def log_softmax(self, dim=-1):
        x = self.data
        m = x.max(axis=dim, keepdims=True)
        y = x - (m + np.log(np.exp(x - m).sum(axis=dim, keepdims=True)))
        return self._make(y, (self,), lambda g: (g - np.exp(y) * g.sum(axis=dim, keepdims=True),))

    def softmax(self, dim=-1):
        x = self.data
        m = x.max(axis=dim, keepdims=True)
        s = np.exp(x - (m + np.log(np.exp(x - m).sum(axis=dim, keepdims=True))))  # exp of log_softmax
        return self._make(s, (self,), lambda g: (s * (g - (g * s).sum(axis=dim, keepdims=True)),))

    def item(self):
        return float(self.data)

    def backward(self):
        order, seen, stack = [], set(), [(self, iter(self.parents))]
        seen.add(id(self))
        while stack:
            node, parents = stack[-1]
            for p in parents:
                if id(p) not in seen:
                    seen.add(id(p))
                    stack.append((p, iter(p.parents)))
                    break
            else:
                order.append(node)
                stack.pop()
        self.grad = np.ones_like(self.data)
        for node in reversed(order):
            if node.vjp is None or node.grad is None:
                continue
            for parent, g in zip(node.parents, node.vjp(node.grad), strict=True):
                parent.grad = g.copy() if parent.grad is None else parent.grad + g
