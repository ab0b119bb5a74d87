"""Planted: mean(axis)'s backward divides by the length of axis 0, not by the number of elements
averaged; right only for axis=0 (or when the lengths agree)."""

from numpy_ref import Tensor as Reference
from numpy_ref import expand


class Tensor(Reference):
    def mean(self, axis=None, keepdims=False):
        out = self._new(self.data.mean(axis=axis, keepdims=keepdims), (self,), "mean")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims) / self.shape[0]
        out._backward = _backward
        return out
