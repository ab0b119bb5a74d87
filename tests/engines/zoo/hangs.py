"""Planted hangs and a slow backward."""

from __future__ import annotations

import time

from base import Value

_building = False
"""Set while a node is being recorded: a hand-made lock against building two nodes at once."""


def _exclusive(build):
    """Run build() while no other node is being built, spinning until then."""
    global _building
    while _building:  # wait for the other op to finish (it never does: it is our caller)
        pass
    _building = True
    try:
        return build()
    finally:
        _building = False


class SpinLockOps(Value):
    """`*`, `/`, `**`, exp, tanh and relu take a hand-made spin lock, then record their node
    under the same lock: they spin forever. `+`, `-` and unary minus do not take it and work."""

    def _node(self, data, operands, op):
        return _exclusive(lambda: Value._node(self, data, operands, op))

    def __mul__(self, other):
        return _exclusive(lambda: Value.__mul__(self, other))

    def __rmul__(self, other):
        return _exclusive(lambda: Value.__rmul__(self, other))

    def __truediv__(self, other):
        return _exclusive(lambda: Value.__truediv__(self, other))

    def __rtruediv__(self, other):
        return _exclusive(lambda: Value.__rtruediv__(self, other))

    def __pow__(self, other):
        return _exclusive(lambda: Value.__pow__(self, other))

    def __rpow__(self, other):
        return _exclusive(lambda: Value.__rpow__(self, other))

    def exp(self):
        return _exclusive(lambda: Value.exp(self))

    def tanh(self):
        return _exclusive(lambda: Value.tanh(self))

    def relu(self):
        return _exclusive(lambda: Value.relu(self))


class AnimatedBackward(Value):
    """Correct gradients, but backward() pauses 2.5 s "so the animation of the pass can be
    watched": slow, not hung."""

    pause = 2.5

    def backward(self):
        time.sleep(self.pause)
        super().backward()
