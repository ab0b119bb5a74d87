"""Correct, but its backward() writes a 100,000-deep JSON list onto the worker's channel, framed."""

from __future__ import annotations

import os
import socket
import stat

from tiny import Value

DEPTH = 100_000


def _channels():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                yield fd
        except OSError:
            continue


class NestsAnswer(Value):
    def backward(self):
        super().backward()
        data = ("[" * DEPTH + "]" * DEPTH).encode()
        for fd in _channels():
            try:
                socket.socket(fileno=os.dup(fd)).sendall(len(data).to_bytes(8, "big") + data)
            except OSError:
                continue
