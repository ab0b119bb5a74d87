"""The reference engine storing float32, as many course engines do: correct rules, fewer digits. The
audit calls this a fragility (digits lost), not a wrong rule."""

import numpy as np
from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.data = self.data.astype(np.float32)
        self.grad = np.zeros_like(self.data)
