"""Planted: add and mul store a tensor's first gradient contribution without a copy
(``self.grad = out.grad``); a later ``+=`` then changes the consumer's gradient too. Right until a
tensor is used twice."""

from numpy_ref import Tensor as Reference
from numpy_ref import unbroadcast


def accumulate(t, g):
    if t._fresh:
        t.grad = g
        t._fresh = False
    else:
        t.grad += g


class Tensor(Reference):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self._fresh = True

    def __add__(self, other):
        other = self._lift(other)
        out = self._new(self.data + other.data, (self, other), "+")

        def _backward():
            accumulate(self, unbroadcast(out.grad, self.shape))
            accumulate(other, unbroadcast(out.grad, other.shape))
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._lift(other)
        out = self._new(self.data * other.data, (self, other), "*")

        def _backward():
            accumulate(self, unbroadcast(other.data * out.grad, self.shape))
            accumulate(other, unbroadcast(self.data * out.grad, other.shape))
        out._backward = _backward
        return out
