"""Planted, torch dialect: sum(dim)'s backward broadcasts the gradient without restoring the reduced
dim, so it lands on the last axis; right for dim=-1 (or keepdim=True) only."""

import numpy as np
from torch_ref import Tensor as Reference
from torch_ref import _dims


class Tensor(Reference):
    def sum(self, dim=None, keepdim=False):
        shape = self.data.shape
        axes = None if dim is None else _dims(dim, len(shape))
        return self._make(self.data.sum(axis=axes, keepdims=keepdim), (self,),
                          lambda g: (np.broadcast_to(g, shape).copy(),))
