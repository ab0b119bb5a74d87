"""Planted: sum(axis)'s backward puts the gradient back on the last axis whatever the axis was; right
only for axis=-1 (or axis=None, keepdims=True)."""

import numpy as np
from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def sum(self, axis=None, keepdims=False):
        out = self._new(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum")

        def _backward():
            g = out.grad
            if axis is not None and not keepdims:
                g = np.expand_dims(g, -1)
            self.grad += np.broadcast_to(g, self.shape)
        out._backward = _backward
        return out
