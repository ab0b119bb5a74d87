"""Planted: log-softmax's backward multiplies softmax by each output's own gradient instead of the
row's sum of gradients: g - softmax * g; right only where the row's other gradients are 0."""

import numpy as np
from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def log_softmax(self, axis=-1):
        out = super().log_softmax(axis)

        def _backward():
            g = out.grad
            self.grad += g - np.exp(out.data) * g
        out._backward = _backward
        return out
