"""The audit's side of the sandbox: the foreign engine lives in a worker process.

A request that takes longer than the timeout kills the worker; a worker that
dies is noticed. Either way the next request starts a fresh one, so an
engine that hangs, recurses or crashes can never take the audit down.
"""

from __future__ import annotations

import multiprocessing
from typing import Any

from .spec import EngineSpec
from .worker import serve

_START_TIMEOUT = 60.0


class UnusableEngine(Exception):
    """The engine cannot be loaded or lacks the bare protocol."""


class EngineFailed(Exception):
    """The worker hung (``kind == "timeout"``) or died (``kind == "crash"``) on a request."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class EngineProcess:
    """One worker process running the engine ``spec``; restarted after a hang or crash."""

    def __init__(self, spec: str, timeout: float) -> None:
        self.spec = EngineSpec.parse(spec)  # UsageError if malformed
        self.timeout = timeout
        self.class_name = ""
        self.restarts = 0
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Any = None

    def __enter__(self) -> EngineProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        """Start a worker and load the engine; ``UnusableEngine`` if it cannot be loaded."""
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=serve, args=(child, self.spec), daemon=True
        )
        self._process.start()
        child.close()
        self._conn = parent
        if not parent.poll(_START_TIMEOUT):
            self.close()
            raise UnusableEngine(f"loading {self.spec.text} took longer than {_START_TIMEOUT:.0f} s")
        try:
            status, detail = parent.recv()
        except EOFError:
            self.close()
            raise UnusableEngine(f"loading {self.spec.text} killed the worker process") from None
        if status != "ready":
            self.close()
            raise UnusableEngine(detail)
        self.class_name = detail

    def request(self, name: str, payload: Any = None, timeout: float | None = None) -> Any:
        """Send one request; raise ``EngineFailed`` if the engine hangs or kills its process."""
        if self._process is None:
            self.restarts += 1
            self.start()
        limit = self.timeout if timeout is None else timeout
        try:
            self._conn.send((name, payload))
            if not self._conn.poll(limit):
                self.close()
                raise EngineFailed("timeout", f"no answer within {limit:g} s (the engine hangs)")
            return self._conn.recv()
        except (EOFError, BrokenPipeError, ConnectionResetError):
            code = self._process.exitcode if self._process is not None else None
            self.close()
            raise EngineFailed("crash", f"the engine's process died (exit code {code})") from None

    def close(self) -> None:
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
            self._process = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
