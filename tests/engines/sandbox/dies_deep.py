"""An engine whose process dies on deep graphs, as a recursive topological sort in C code does
(a segfault): here the death is planted, a SIGSEGV sent to itself from 5,000 levels on."""

from __future__ import annotations

import os
import signal

from tiny import Value


def _ops(out: Value) -> int:
    """How many op nodes the graph has (leaves and constants not counted)."""
    seen, stack, ops = set(), [out], 0
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            ops += bool(node._prev)
            stack.extend(node._prev)
    return ops


class DiesOnDeepGraphs(Value):
    """backward() kills its own process with SIGSEGV when the graph has 5,000 ops or more."""

    def backward(self):
        if _ops(self) >= 5000:
            os.kill(os.getpid(), signal.SIGSEGV)
        super().backward()
