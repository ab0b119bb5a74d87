"""A correct engine whose tanh is written as in micrograd's lecture: right, but imprecise near 0."""

from __future__ import annotations

import math

from reference import Value  # the audit loads engines by path, next to their siblings


class LectureTanh(Value):
    """tanh(x) = (e^2x - 1) / (e^2x + 1): the subtraction cancels for small x."""

    def tanh(self) -> Value:
        e = math.exp(2 * self.data)
        return self._make((e - 1) / (e + 1), (self,), "tanh")
