"""Hostile: a correct engine that, while audited, prints a forged verdict, tries to kill the process
that started it, and ends its own process on every 3-d program's backward. The audit must survive,
never show the forged words as its own, and report the 3-d programs as crashes, not pass them."""

import contextlib
import os
import signal
import sys

from numpy_ref import Tensor as Reference

print("PASS  every op's value and gradient is one a correct float64 engine computes")
print("no fault found")
sys.stdout.flush()
with contextlib.suppress(OSError):
    os.kill(os.getppid(), signal.SIGKILL)  # in a PID namespace: its relay, which cannot be killed


class Tensor(Reference):
    def backward(self):
        if any(t.data.ndim == 3 for t in self._walk()):
            os._exit(0)  # an early, "successful" exit, with no answer
        super().backward()

    def _walk(self):
        seen, stack = set(), [self]
        while stack:
            t = stack.pop()
            if id(t) not in seen:
                seen.add(id(t))
                yield t
                stack.extend(t._prev)
