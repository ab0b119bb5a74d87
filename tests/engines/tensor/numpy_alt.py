"""A second correct numpy-dialect engine with different numerics: every sum in its own order.

Means are sums times 1/n; sums and matmuls are Python loops (left to right,
or right to left for matmul) instead of numpy's pairwise summation and BLAS;
softmax subtracts the row's max first and log-softmax goes through
logsumexp; the backward rules use other correct formulas (tanh' as
(1 - t)(1 + t), a quotient's partial as g * (1/y), softmax's as its
Jacobian matrix times g). A correct audit finds nothing here.
"""

from __future__ import annotations

import numpy as np
from numpy_ref import Tensor as Reference
from numpy_ref import expand, unbroadcast


def loop_sum(x, axis):
    """Sum along one axis, left to right, one slice at a time."""
    x = np.moveaxis(x, axis, 0)
    total = np.zeros(x.shape[1:])
    for part in x:
        total = total + part
    return total


class Tensor(Reference):
    def _axes(self, axis):
        if axis is None:
            return tuple(range(self.data.ndim))
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        return tuple(sorted(a % self.data.ndim for a in axes))

    def _reduce(self, axis, keepdims):
        x = self.data
        for a in reversed(self._axes(axis)):
            x = loop_sum(x, a)
        if keepdims:
            for a in self._axes(axis):
                x = np.expand_dims(x, a)
        return np.asarray(x, dtype=np.float64)

    def sum(self, axis=None, keepdims=False):
        out = self._new(self._reduce(axis, keepdims), (self,), "sum")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims)
        out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        n = 1
        for a in self._axes(axis):
            n *= self.data.shape[a]
        out = self._new(self._reduce(axis, keepdims) * (1.0 / n), (self,), "mean")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims) * (1.0 / n)
        out._backward = _backward
        return out

    def __matmul__(self, other):
        a = self.data if self.data.ndim == 2 else self.data[None, :]
        b = other.data if other.data.ndim == 2 else other.data[:, None]
        c = np.zeros((a.shape[0], b.shape[1]))
        for k in reversed(range(a.shape[1])):
            c = c + np.outer(a[:, k], b[k, :])
        if self.data.ndim == 1:
            c = c[0]
        if other.data.ndim == 1:
            c = c[..., 0]
        out = self._new(c, (self, other), "@")

        def _backward():
            g = out.grad
            g2 = g.reshape(a.shape[0], b.shape[1])
            da = np.zeros(a.shape)
            for j in range(b.shape[1]):
                da = da + np.outer(g2[:, j], b[:, j])
            db = np.zeros(b.shape)
            for i in reversed(range(a.shape[0])):
                db = db + np.outer(a[i, :], g2[i, :])
            self.grad += da.reshape(self.shape)
            other.grad += db.reshape(other.shape)
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = self._lift(other)
        out = self._new(self.data * (1.0 / other.data), (self, other), "/")

        def _backward():
            inv = 1.0 / other.data
            self.grad += unbroadcast(out.grad * inv, self.shape)
            other.grad += unbroadcast(-out.grad * out.data * inv, other.shape)
        out._backward = _backward
        return out

    def tanh(self):
        out = self._new(np.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data) * (1 + out.data) * out.grad
        out._backward = _backward
        return out

    def softmax(self, axis=-1):
        e = np.exp(self.data - self.data.max(axis=axis, keepdims=True))
        s = e * (1.0 / e.sum(axis=axis, keepdims=True))
        out = self._new(s, (self,), "softmax")

        def _backward():
            moved_s = np.moveaxis(s, axis, -1)
            moved_g = np.moveaxis(out.grad, axis, -1)
            # the Jacobian of each row, diag(s) - s s^T, times that row's gradient
            jac = np.einsum("...i,ij->...ij", moved_s, np.eye(moved_s.shape[-1])) \
                - np.einsum("...i,...j->...ij", moved_s, moved_s)
            self.grad += np.moveaxis(np.einsum("...ij,...i->...j", jac, moved_g), -1, axis)
        out._backward = _backward
        return out

    def log_softmax(self, axis=-1):
        m = self.data.max(axis=axis, keepdims=True)
        lse = m + np.log(np.exp(self.data - m).sum(axis=axis, keepdims=True))
        out = self._new(self.data - lse, (self,), "log_softmax")

        def _backward():
            g = out.grad
            soft = np.exp(self.data - lse)
            self.grad += g - soft * g.sum(axis=axis, keepdims=True)
        out._backward = _backward
        return out
