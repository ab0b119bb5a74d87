"""Correct; when imported it tries to write a file (the path in $AUDIT_TEST_WRITE), to write in /tmp,
and to open a network connection, and prints what happened to each."""

from __future__ import annotations

import os
import socket
import tempfile

from tiny import Value

try:
    with open(os.environ["AUDIT_TEST_WRITE"], "w") as _file:
        _file.write("written by the engine\n")
    print("write: done")
except OSError as _error:
    print(f"write: refused ({type(_error).__name__})")

with tempfile.NamedTemporaryFile(dir="/tmp", delete=False) as _temp:
    print(f"tmp: {sorted(os.listdir('/tmp')) == [os.path.basename(_temp.name)]}")
os.unlink(_temp.name)

try:
    socket.create_connection(("1.1.1.1", 53), timeout=2).close()
    print("network: connected")
except OSError as _error:
    print(f"network: refused ({type(_error).__name__})")


class Writes(Value):
    pass
