"""Planted: max's backward gives the whole gradient to every tied maximum (the mask is not
normalised); right whenever the maximum is unique."""

from numpy_ref import Tensor as Reference
from numpy_ref import expand


class Tensor(Reference):
    def max(self, axis=None, keepdims=False):
        m = self.data.max(axis=axis, keepdims=True)
        out = self._new(m if keepdims else self.data.max(axis=axis), (self,), "max")

        def _backward():
            self.grad += (self.data == m) * expand(out.grad, self.shape, axis, keepdims)
        out._backward = _backward
        return out
