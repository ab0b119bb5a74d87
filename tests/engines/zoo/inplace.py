"""An engine whose ``+=`` changes the node in place: micrograd's own README example goes wrong."""

from __future__ import annotations

from base import Value, value_of


class InPlaceAdd(Value):
    """``c += x`` adds x's value to c's .data and returns c: no new node, so x gets no gradient from
    it and c's own backward is the one from before."""

    def __iadd__(self, other):
        self.data += value_of(other)
        return self
