"""Planted: softmax's backward uses only the diagonal of its Jacobian, s * (1 - s) * g, as if each
output depended on its own input alone; right only for a row of one element."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def softmax(self, axis=-1):
        out = super().softmax(axis)
        s = out.data

        def _backward():
            self.grad += s * (1 - s) * out.grad
        out._backward = _backward
        return out
