"""Doubles every gradient, stored in a float subclass whose ``__float__`` and ``__int__`` report half of it.

The number the engine computes with, and what its users print, is the doubled
stored value; only ``float(grad)`` returns the right one (half of it).
"""

from __future__ import annotations

from tiny import Value


class Halves(float):
    """A float whose conversions report half of its stored value."""

    def __float__(self):
        return float.__float__(self) / 2

    def __int__(self):
        return int(float.__float__(self) / 2)


class LiesAboutGrad(Value):
    """tiny.Value; backward() doubles every gradient and stores it as ``Halves``."""

    def backward(self):
        super().backward()
        for node in self.topo():
            node.grad = Halves(node.grad * 2)
