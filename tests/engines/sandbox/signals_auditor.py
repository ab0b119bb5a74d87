"""Engines that, in backward(), signal the process that started their audit worker.

The target is found as an attacker would: up the chain of parent processes in
/proc, the first one outside the worker's own session (the audit, or the
Jupyter kernel that runs it), and the worker's parent as it sees it. Both ``kill`` and
``killpg`` are tried; a worker that cannot reach it fails with ESRCH and
carries on. Importing this file is harmless.
"""

from __future__ import annotations

import contextlib
import os
import signal

from tiny import Value

TRIED: list[int] = []


def _stat(pid):
    """(parent, session) of ``pid`` in /proc's numbering."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        fields = stat.read().rsplit(b")", 1)[1].split()
    return int(fields[1]), int(fields[3])


def _auditor():
    """The first ancestor outside this worker's session: whoever started the worker."""
    parent, session = _stat(int(os.readlink("/proc/self")))
    while parent > 1:
        grandparent, theirs = _stat(parent)
        if theirs != session:
            return parent
        parent = grandparent
    return None


def _signal(sig):
    target = _auditor()
    for pid in (os.getppid(), target):
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
    if target:
        with contextlib.suppress(OSError):
            os.killpg(os.getpgid(target), sig)
    TRIED.append(sig)


class KillsAuditor(Value):
    """tiny.Value, correct; every backward() first SIGKILLs the audit that started its worker."""

    def backward(self):
        _signal(signal.SIGKILL)
        super().backward()


class StopsAuditor(Value):
    """tiny.Value, correct; every backward() first SIGSTOPs the audit that started its worker."""

    def backward(self):
        _signal(signal.SIGSTOP)
        super().backward()


class KillsAuditorWithABug(KillsAuditor):
    """KillsAuditor whose tanh() gradient is 10% too large: the audit has a finding, and runs it again
    as printed in fresh interpreters, where backward() signals whoever started them."""

    def tanh(self):
        out = super().tanh()
        t = out.data

        def _backward():
            self.grad += 1.1 * (1 - t * t) * out.grad

        out._backward = _backward
        return out
