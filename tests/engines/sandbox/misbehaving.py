"""Engines that misbehave inside backward(), for the sandbox tests (tests/test_audit_sandbox.py)."""

from __future__ import annotations

import os
import signal
import time

from tiny import Value


class ExitsInBackward(Value):
    """backward() ends the process with exit code 3."""

    def backward(self):
        os._exit(3)


class SegfaultsInBackward(Value):
    """backward() kills its own process with SIGSEGV."""

    def backward(self):
        os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(5)


class SpinsInBackward(Value):
    """backward() never returns."""

    def backward(self):
        while True:
            pass


class SlowBackward(Value):
    """Correct, but backward() takes 0.3 s."""

    def backward(self):
        time.sleep(0.3)
        super().backward()


class ForksEscapee(Value):
    """Correct, but every backward() double-forks a grandchild in a session of its own that
    sleeps 60 s: it is no longer in the worker's session or process group."""

    def backward(self):
        super().backward()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        os.waitpid(pid, 0)


class BoolGrads(Value):
    """backward() ends by turning every gradient into a bool ("did it get one?")."""

    def backward(self):
        super().backward()
        for v in self.topo():
            v.grad = bool(v.grad)


class NanGrads(Value):
    """backward() sets every gradient to nan: a float, readable, and wrong."""

    def backward(self):
        super().backward()
        for v in self.topo():
            v.grad = float("nan")


class IntGrads(Value):
    """Correct, with gradients as ints where they are whole (karpathy's leaves start at grad 0)."""

    def backward(self):
        super().backward()
        for v in self.topo():
            if v.grad == int(v.grad):
                v.grad = int(v.grad)


class RefusesLarge(Value):
    """Cls(x) raises for |x| > 10."""

    def __init__(self, data, _children=(), _op=""):
        if not _children and abs(data) > 10:
            raise ValueError(f"{data} is too large for an input")
        super().__init__(data, _children, _op)


class Chatty(Value):
    """Correct, but prints on stdout and stderr in every backward()."""

    def backward(self):
        super().backward()
        print("chatty: backward done")
        print("chatty: on stderr", file=__import__("sys").stderr)


class Allocates(Value):
    """Each backward() allocates 300 MiB first: over a 256 MiB limit, under the default 2 GiB."""

    def backward(self):
        block = bytearray(300 << 20)
        super().backward()
        del block


class RaisesSystemExit(Value):
    """backward() raises SystemExit, which an ``except Exception`` would not catch."""

    def backward(self):
        raise SystemExit(4)
