"""Planted: matmul's backward with the transposes swapped (dA = G @ B, dB = A @ G): right only for
square symmetric operands."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def __matmul__(self, other):
        out = self._new(self.data @ other.data, (self, other), "@")

        def _backward():
            self.grad += out.grad @ other.data
            other.grad += self.data @ out.grad
        out._backward = _backward
        return out
