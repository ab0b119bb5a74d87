"""The audit's end of one running worker: its process, the socket to it, and the messages on it.

Messages are length-prefixed JSON (``protocol``), read with a time limit and
a check, every ``poll`` s, that the worker is still alive: a hang is a
``TimeoutError``, a death or a closed socket an ``EOFError``, an oversized
or malformed message a ``ProtocolViolation``. ``sandbox`` decides what each
means.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import time
from typing import Any

from .namespace import died_of
from .process import Drain
from .protocol import HEADER, WIRE_LIMIT, ProtocolViolation, decode


class Worker:
    """One running worker: its process, the socket to it, the threads draining its output."""

    def __init__(self, process: subprocess.Popen[bytes], sock: socket.socket, drains: list[Drain],
                 relayed: bool = False) -> None:
        self.process, self.sock, self.drains = process, sock, drains
        self.relayed = relayed
        """Whether the worker runs under unshare(1)'s relay, which exits 128 + N for signal N."""

    def exited(self) -> int | None:
        """The exit status if the worker has ended (without reaping it, so its pid stays reserved)."""
        if self.process.returncode is not None:
            return self.process.returncode
        waitid = getattr(os, "waitid", None)
        if waitid is None:
            return self.process.poll()
        try:
            status = waitid(os.P_PID, self.process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return self.process.poll()
        if status is None:
            return None
        code: int = status.si_status
        return -code if status.si_code in (os.CLD_KILLED, os.CLD_DUMPED) else code

    def exit_status(self, wait: float = 1.0) -> int | None:
        """The exit status, waiting up to ``wait`` s for it (the channel may close a moment before)."""
        ends = time.monotonic() + wait
        while (code := self.exited()) is None and time.monotonic() < ends:
            time.sleep(0.01)
        return died_of(code) if self.relayed and code is not None else code

    def send(self, message: dict[str, Any], limit: float) -> None:
        """Send one message; ``TimeoutError`` after ``limit`` s, ``EOFError`` if the worker closed it."""
        data = json.dumps(message, allow_nan=True).encode("utf-8")
        self.sock.settimeout(max(limit, 0.001))
        try:
            self.sock.sendall(len(data).to_bytes(HEADER, "big") + data)
        except TimeoutError:
            raise
        except OSError:
            raise EOFError("the worker closed the channel") from None
        finally:
            self.sock.settimeout(None)

    def receive(self, limit: float, poll: float) -> Any:
        """One message; ``TimeoutError`` after ``limit`` s, ``EOFError`` if the worker died or closed it."""
        ends = time.monotonic() + limit
        buffer = bytearray()
        need, size = HEADER, None
        while True:
            while len(buffer) < need:
                wait = ends - time.monotonic()
                if wait <= 0:
                    raise TimeoutError
                ready, _, _ = select.select([self.sock], [], [], min(wait, poll))
                if not ready:
                    if self.exited() is not None:
                        raise EOFError("the worker died")
                    continue
                try:
                    chunk = self.sock.recv(min(need - len(buffer), 1 << 20))
                except OSError:
                    raise EOFError("the worker closed the channel") from None
                if not chunk:
                    raise EOFError("the worker closed the channel")
                buffer += chunk
            if size is None:
                size = int.from_bytes(buffer[:HEADER], "big")
                if size > WIRE_LIMIT:
                    raise ProtocolViolation(f"a message of {size:,} bytes")
                need = HEADER + size
                continue
            return decode(bytes(buffer[HEADER:]))
