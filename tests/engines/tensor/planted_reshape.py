"""Planted: reshape's backward reads the gradient in column-major order; right only when the reshape
keeps the order (a vector to a column, say)."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        out = self._new(self.data.reshape(shape), (self,), "reshape")

        def _backward():
            self.grad += out.grad.reshape(self.shape, order="F")
        out._backward = _backward
        return out
