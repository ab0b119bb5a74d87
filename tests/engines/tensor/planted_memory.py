"""Planted: matmul's backward reserves 3 GiB it never uses (np.empty: no page is touched, so without a
limit it would succeed); the worker's 2 GiB address-space limit turns it into a MemoryError, reported
as a crash of matmul."""

import numpy as np
from numpy_ref import Tensor as Reference

_CACHE = []


class Tensor(Reference):
    def __matmul__(self, other):
        out = super().__matmul__(other)
        step = out._backward

        def _backward():
            _CACHE.append(np.empty(3 << 30, dtype=np.uint8))
            step()
        out._backward = _backward
        return out
