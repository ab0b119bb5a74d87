"""An engine whose process dies on deep graphs, as a recursive topological sort in C code does
(a segfault): here the death is planted, a SIGSEGV sent to itself beyond 5,000 levels."""

from __future__ import annotations

import os
import signal

from base import Value


class DiesOnDeepGraphs(Value):
    """backward() kills its own process with SIGSEGV when the graph is more than 5,000 nodes deep."""

    def backward(self):
        if len(self._topo()) > 5000:
            os.kill(os.getpid(), signal.SIGSEGV)
        super().backward()
