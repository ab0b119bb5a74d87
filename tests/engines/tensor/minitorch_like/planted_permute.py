"""Planted, minitorch dialect: permute's backward applies the order again instead of its inverse,
the mistake the course's students make; right for every 2-d permute and every swap."""

from __future__ import annotations

import numpy as np

from .tensor import Permute as ReferencePermute
from .tensor import Tensor as Reference


class Permute(ReferencePermute):
    @staticmethod
    def backward(g, a, order=()):
        return (g.transpose(order),)


class Tensor(Reference):
    def permute(self, *order):
        return Permute.apply(self, order=order)


def tensor(ls):
    data = np.array(ls, dtype=np.float64)
    return Tensor.make(data.ravel(), data.shape)
