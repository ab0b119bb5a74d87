"""The second correct engine (other numerics: loops, mean as sum times 1/n, a quotient as a * (1/b),
tanh' as (1 - t)(1 + t), logsumexp) storing float32: correct rules, fewer digits, judged as float32."""

import numpy as np
from numpy_alt import Tensor as Alt


class Tensor(Alt):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.data = self.data.astype(np.float32)
        self.grad = np.zeros_like(self.data)
