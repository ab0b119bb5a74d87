"""Planted: add's backward does not sum the gradient back over broadcast axes (a (3, 1) operand gets a
(3, 4) gradient)."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def __add__(self, other):
        other = self._lift(other)
        out = self._new(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = self.grad + out.grad
            other.grad = other.grad + out.grad
        out._backward = _backward
        return out
