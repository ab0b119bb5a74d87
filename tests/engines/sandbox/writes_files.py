"""Correct; when imported it tries to write a file (the path in $AUDIT_TEST_WRITE), looks for a file the
test left in /tmp ($AUDIT_TEST_SENTINEL), writes in /tmp, and connects to a port the test listens on at
127.0.0.1 ($AUDIT_TEST_PORT: a network namespace of its own has its own loopback, so it is refused there);
it prints what happened to each."""

from __future__ import annotations

import os
import socket
import tempfile

from tiny import Value

if "AUDIT_TEST_WRITE" in os.environ:
    try:
        with open(os.environ["AUDIT_TEST_WRITE"], "w") as _file:
            _file.write("written by the engine\n")
        print("write: done")
    except OSError as _error:
        print(f"write: refused ({type(_error).__name__})")

if "AUDIT_TEST_SENTINEL" in os.environ:
    with tempfile.NamedTemporaryFile(dir="/tmp") as _temp:
        print(f"tmp: private {not os.path.exists(os.environ['AUDIT_TEST_SENTINEL'])}, writable True")

if "AUDIT_TEST_PORT" in os.environ:
    try:
        socket.create_connection(("127.0.0.1", int(os.environ["AUDIT_TEST_PORT"])), timeout=2).close()
        print("network: connected")
    except OSError as _error:
        print(f"network: refused ({type(_error).__name__})")


class Writes(Value):
    pass


class WritesWithABug(Value):
    """Writes, with a tanh() gradient 10% too large: the audit has a finding and runs it again as printed
    in fresh interpreters, each of which imports this file (and tries its writes) once more."""

    def tanh(self):
        out = super().tanh()
        t = out.data

        def _backward():
            self.grad += 1.1 * (1 - t * t) * out.grad

        out._backward = _backward
        return out
