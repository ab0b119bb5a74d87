"""Correct when imported; at its first backward() it replaces builtins.float, which the worker uses."""

from __future__ import annotations

import builtins

from tiny import Value


class ReplacesFloat(Value):
    def backward(self):
        super().backward()
        if not getattr(builtins.float, "patched", False):
            real = builtins.float

            class Halving(real):
                patched = True

            builtins.float = Halving
