"""Engines with bugs that only a guarded audit catches (see tests/test_guards_audit.py)."""

from __future__ import annotations

from zoo.base import Value


class AbsFourthRoot(Value):
    """abs' = x / (x**4) ** 0.25 (and 0 at 0): right where x**4 is a normal float; below 1.5e-81
    x**4 is 0.0 (ZeroDivisionError) and above 1.3e77 it overflows (OverflowError), where abs' is the sign."""

    def __abs__(self):
        out = self._node(abs(self.data), (self,), "abs")

        def _backward():
            slope = self.data / (self.data**4) ** 0.25 if self.data else 0.0
            self.grad += slope * out.grad

        out._backward = _backward
        return out


class RefusesNegativeLeaves(Value):
    """Value(x) raises ValueError for x < 0, as an engine written for a positive domain might."""

    def __init__(self, data, _children=(), _op="", label=""):
        if not _children and data < 0:
            raise ValueError(f"negative leaf {data!r}")
        super().__init__(data, _children, _op, label)
