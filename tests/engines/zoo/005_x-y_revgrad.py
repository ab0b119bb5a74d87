"""A learner's engine saved as "005_x-y_revgrad.py" (not a module name): d(x/y)/dy lost its square."""

from __future__ import annotations

import base


class Value(base.Value):
    """base.Value whose division gives the divisor -x / y instead of -x / y**2."""

    def __truediv__(self, other):
        y = base.value_of(other)
        out = self._node(self.data / y, (self, other), "/")

        def _backward():
            self.grad += 1.0 / y * out.grad
            base.add_grad(other, -self.data / y * out.grad)

        out._backward = _backward
        return out
