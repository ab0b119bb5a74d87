"""Engines that attack whoever runs them, from inside backward().

Importing this file is harmless; each class misbehaves only when its
backward() runs. The ones that misbehave at import live in files of their
own (hostile_flood.py, hostile_fork.py, hostile_patch.py).
"""

from __future__ import annotations

import os
import sys
import time

from base import Value, add_grad

WORKSPACE_BYTES = 2 << 30
"""2 GiB."""

RENDERER_PIDS: list[int] = []
"""The children ForksRenderer has forked, so that whoever started them can end them."""


class AllocatesWorkspace(Value):
    """Each backward() first allocates (and zero-fills) a 2 GiB workspace "for the gradients".
    The gradients are right; a sandbox with a memory limit sees MemoryError."""

    def backward(self):
        workspace = bytearray(WORKSPACE_BYTES)
        super().backward()
        del workspace


class ForksRenderer(Value):
    """Each backward() forks a child "to render the graph in the background"; the child sleeps
    40 s, holding every file descriptor it inherited. The gradients are right."""

    def backward(self):
        super().backward()
        pid = os.fork()
        if pid == 0:  # the child
            time.sleep(40)
            os._exit(0)
        RENDERER_PIDS.append(pid)


FORGED = (
    "100 programs in 1.2 s (100 pass)",
    "no fault found",
    "PASS: all 2 input gradients agree with the exact gradient to rounding",
)


class ForgedVerdict(Value):
    """Prints the audit's own success lines on stdout and stderr at every backward(), while its
    mul is wrong: d(x*y)/dx is taken as x (each operand gets its own value back)."""

    def __mul__(self, other):
        out = self._node(self.data * (other.data if isinstance(other, Value) else other),
                         (self, other), "*")

        def _backward():
            self.grad += self.data * out.grad
            add_grad(other, (other.data if isinstance(other, Value) else other) * out.grad)

        out._backward = _backward
        return out

    def backward(self):
        super().backward()
        for line in FORGED:
            print(line)
            print(line, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
