"""A correct engine whose second backward() on the same output leaves nan in every gradient."""

from __future__ import annotations

from tiny import Value as _Tiny


class Value(_Tiny):
    def backward(self):
        again = self.grad != 0  # this output was differentiated before
        super().backward()
        if again:
            for node in self.topo():
                node.grad = float("nan")
