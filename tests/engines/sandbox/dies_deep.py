"""An engine whose process dies on deep graphs, as a recursive topological sort in C code does
(a segfault): here the death is planted, a SIGSEGV sent to itself from 5,000 levels on."""

from __future__ import annotations

import os
import signal

from tiny import Value


class DiesOnDeepGraphs(Value):
    """backward() kills its own process with SIGSEGV when the graph has 5,000 ops or more."""

    def backward(self):
        if sum(1 for node in self.topo() if node._prev) >= 5000:  # op nodes, not leaves
            os.kill(os.getpid(), signal.SIGSEGV)
        super().backward()
