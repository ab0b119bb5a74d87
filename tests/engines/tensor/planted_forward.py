"""Planted: mean's forward divides by n - 1 (the sample variance's correction, misapplied); its
backward is right. A forward finding, blamed on mean."""

import numpy as np
from numpy_ref import Tensor as Reference
from numpy_ref import expand


class Tensor(Reference):
    def mean(self, axis=None, keepdims=False):
        total = self.data.sum(axis=axis, keepdims=keepdims)
        n = self.data.size // np.asarray(total).size
        out = self._new(total / max(n - 1, 1), (self,), "mean")

        def _backward():
            self.grad += expand(out.grad, self.shape, axis, keepdims) / n
        out._backward = _backward
        return out
