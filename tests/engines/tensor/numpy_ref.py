"""A correct tensor engine in the numpy dialect, written the way a learner writes one after micrograd.

Every op builds its output and hangs a ``_backward`` closure on it that adds
the local vector-Jacobian product to its operands' ``.grad`` (numpy arrays
of the operand's shape, zeros until backward). Broadcast operands get their
gradient summed back over the broadcast axes (``unbroadcast``). Each op is
one method, so a planted bug overrides exactly one method. Nothing here
imports verify or micrograd: the audit judges it through its API only.
"""

from __future__ import annotations

import numpy as np


def unbroadcast(grad, shape):
    """Sum ``grad`` back to ``shape``: over leading axes numpy added, and over axes that were 1."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def expand(grad, shape, axis, keepdims):
    """A reduction's upstream gradient put back on the reduced axes, ready to broadcast to ``shape``."""
    if axis is None:
        return np.broadcast_to(grad, shape)
    if not keepdims:
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = sorted(a % len(shape) for a in axes)
        for a in axes:
            grad = np.expand_dims(grad, a)
    return np.broadcast_to(grad, shape)


class Tensor:
    def __init__(self, data, _children=(), _op=""):
        self.data = np.array(data, dtype=np.float64)
        self.grad = np.zeros_like(self.data)
        self._backward = lambda: None
        self._prev = tuple(_children)
        self._op = _op

    @property
    def shape(self):
        return self.data.shape

    def _new(self, data, children, op):
        """An op's output, of the operand's own class (so a subclass's ops stay its own)."""
        return type(self)(data, children, op)

    def _lift(self, other):
        return other if isinstance(other, Tensor) else type(self)(other)

    def __add__(self, other):
        other = self._lift(other)
        out = self._new(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += unbroadcast(out.grad, self.shape)
            other.grad += unbroadcast(out.grad, other.shape)
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = self._new(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += unbroadcast(other.data * out.grad, self.shape)
            other.grad += unbroadcast(self.data * out.grad, other.shape)
        out._backward = _backward
        return out

    def __pow__(self, k):
        assert isinstance(k, (int, float)), "only constant exponents"
        out = self._new(self.data**k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = self._lift(other)
        out = self._new(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += unbroadcast(out.grad / other.data, self.shape)
            other.grad += unbroadcast(-out.grad * self.data / other.data**2, other.shape)
        out._backward = _backward
        return out

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-self._lift(other))

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __matmul__(self, other):
        out = self._new(self.data @ other.data, (self, other), "@")

        def _backward():
            a, b, g = self.data, other.data, out.grad
            if a.ndim == 1 and b.ndim == 1:
                self.grad += g * b
                other.grad += g * a
            elif a.ndim == 1:
                self.grad += b @ g
                other.grad += np.outer(a, g)
            elif b.ndim == 1:
                self.grad += np.outer(g, b)
                other.grad += a.T @ g
            else:
                self.grad += g @ b.T
                other.grad += a.T @ g
        out._backward = _backward
        return out

    def sum(self, axis=None, keepdims=False):
        out = self._new(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims)
        out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        n = self.data.size // np.asarray(self.data.sum(axis=axis, keepdims=keepdims)).size
        out = self._new(self.data.mean(axis=axis, keepdims=keepdims), (self,), "mean")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims) / n
        out._backward = _backward
        return out

    def max(self, axis=None, keepdims=False):
        m = self.data.max(axis=axis, keepdims=True)
        out = self._new(m if keepdims else self.data.max(axis=axis, keepdims=False), (self,), "max")

        def _backward():
            mask = (self.data == m).astype(np.float64)
            share = mask / mask.sum(axis=axis, keepdims=True)  # ties split the gradient evenly
            self.grad += share * expand(out.grad, self.shape, axis, keepdims)
        out._backward = _backward
        return out

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        out = self._new(self.data.reshape(shape), (self,), "reshape")

        def _backward():
            self.grad += out.grad.reshape(self.shape)
        out._backward = _backward
        return out

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.data.ndim)))
        out = self._new(self.data.transpose(axes), (self,), "transpose")

        def _backward():
            self.grad += out.grad.transpose(np.argsort(axes))
        out._backward = _backward
        return out

    @property
    def T(self):
        return self.transpose()

    def exp(self):
        out = self._new(np.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        out = self._new(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def tanh(self):
        out = self._new(np.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data**2) * out.grad
        out._backward = _backward
        return out

    def sigmoid(self):
        out = self._new(1 / (1 + np.exp(-self.data)), (self,), "sigmoid")

        def _backward():
            self.grad += out.data * (1 - out.data) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = self._new(np.maximum(self.data, 0), (self,), "relu")

        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def softmax(self, axis=-1):
        e = np.exp(self.data)  # no shift: the inputs a learner tries are small
        s = e / e.sum(axis=axis, keepdims=True)
        out = self._new(s, (self,), "softmax")

        def _backward():
            g = out.grad
            self.grad += s * (g - (g * s).sum(axis=axis, keepdims=True))
        out._backward = _backward
        return out

    def log_softmax(self, axis=-1):
        lse = np.log(np.exp(self.data).sum(axis=axis, keepdims=True))
        out = self._new(self.data - lse, (self,), "log_softmax")

        def _backward():
            g = out.grad
            self.grad += g - np.exp(out.data) * g.sum(axis=axis, keepdims=True)
        out._backward = _backward
        return out

    def backward(self):
        topo, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                topo.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev)
        self.grad = np.ones_like(self.data)
        for node in reversed(topo):
            node._backward()

