"""Planted: transpose(axes)'s backward applies the permutation again instead of its inverse: right for
every 2-d transpose and every 3-d swap, wrong for a 3-d rotation such as (1, 2, 0)."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = axes or tuple(reversed(range(self.data.ndim)))
        out = self._new(self.data.transpose(axes), (self,), "transpose")

        def _backward():
            self.grad += out.grad.transpose(axes)
        out._backward = _backward
        return out
