"""An engine whose backward() never sets the output's gradient to 1, and whose relu's value is wrong.

The unseeded backward is one finding; the audit must go on judging what it still can, the values,
and find the relu.
"""

from __future__ import annotations

from forward import LeakyForwardRelu


class UnseededLeakyRelu(LeakyForwardRelu):
    """backward() walks the graph from an output gradient of 0 (the seed line is missing); relu's
    forward is 0.01 * x for x < 0."""

    def backward(self):
        for v in reversed(self._topo()):
            v._backward()
