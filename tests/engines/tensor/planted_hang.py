"""Planted: backward loops forever once a tensor is used twice (a topological sort that revisits), and
swallows every exception on the way; the audit must still finish and say which op hangs."""

import contextlib

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def __add__(self, other):
        out = super().__add__(other)
        if other is self:
            step = out._backward

            def _backward():
                step()
                while True:
                    with contextlib.suppress(Exception):
                        sum(range(1000))
            out._backward = _backward
        return out
