"""Planted, in float32: log's backward divides by x + 1e-4, an "epsilon for stability". The gradient
is off by about 1e-4 relative: far inside a finite-difference check's rtol=1e-2, far outside float32's
rounding. A float32 engine's ops are judged as float32 ones, so this is a fault, not a fragility."""

import numpy as np
from float32 import Tensor as Float32


class Tensor(Float32):
    def log(self):
        out = self._new(np.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / (self.data + 1e-4)
        out._backward = _backward
        return out
