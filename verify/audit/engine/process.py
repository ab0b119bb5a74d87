"""Process control shared by the sandbox and the reproduction runs: drain a pipe, fork, kill a tree.

Generic: nothing here knows the engine or the protocol. ``Drain`` reads a
child's output pipe into a bounded ``Captured``; ``fork_from_here`` forks
a worker from the caller's process; ``Forked`` shows a forked child as ``subprocess.Popen``
shows its own; ``kill_tree`` stops and kills a
process and every descendant it left behind.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from typing import Any

from .protocol import Captured


class Drain(threading.Thread):
    """Reads one of the worker's output pipes to its end into a ``Captured``."""

    def __init__(self, fd: int, into: Captured, lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.fd, self.into, self.lock = fd, into, lock

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.into.add(chunk)


def own_stdio(out: int, err: int, keep: int) -> None:
    """In a forked worker: a session of its own, stdin from /dev/null, stdout and stderr on the pipes
    ``out`` and ``err``, and every descriptor above 2 but ``keep`` (its answer channel) closed."""
    os.setsid()
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    # Unbuffered, as the spawned worker's ``-u``: nothing waits in a buffer to be lost.
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
    os.closerange(3, keep)
    os.closerange(keep + 1, max_fd())


def max_fd() -> int:
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        return soft if soft != resource.RLIM_INFINITY else 65536
    except (ImportError, ValueError, OSError):
        return 65536


def fork_from_here() -> int:
    """``os.fork()`` for a worker of a class that exists only in this process (a notebook cell's)."""
    for stream in (sys.stdout, sys.stderr):  # what is buffered here must not print twice
        with contextlib.suppress(Exception):
            stream.flush()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only runs ours
        return os.fork()


class Forked:
    """A forked worker seen as ``subprocess.Popen`` sees its child: pid, returncode, poll, wait."""

    def __init__(self, pid: int, stdout: Any, stderr: Any) -> None:
        self.pid, self.stdout, self.stderr = pid, stdout, stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -1
                return self.returncode
            if done:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        ends = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if ends is not None and time.monotonic() > ends:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout or 0.0)
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode


def _processes() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, session id) of every process in /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        # after the command: state, ppid, pgrp, session, ...
        with contextlib.suppress(ValueError, IndexError):
            table[int(entry)] = (int(fields[1]), int(fields[3]))
    return table


def kill_tree(pid: int, *, reaped: bool) -> None:
    """Kill the worker ``pid`` (a session leader) and every process of its session or below it.

    Each round stops what it finds (a stopped process cannot fork) until no new one turns up;
    then all are killed. The worker's pid is trusted only while it is not reaped.
    """
    if not os.path.isdir("/proc"):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
        return
    me = os.getpid()
    stopped: set[int] = set()
    for _ in range(100):
        table = _processes()
        family = {p for p, (_, session) in table.items() if session == pid}
        if not reaped:
            family.add(pid)
        grown = True
        while grown:
            more = {p for p, (parent, _) in table.items() if parent in family and p not in family}
            family |= more
            grown = bool(more)
        family.discard(me)
        new = family - stopped
        if not new:
            break
        for p in new:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGSTOP)
        stopped |= new
    for p in stopped:
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)


def refusal(command: list[str]) -> str | None:
    """Why ``command`` (a wrapper around ``true``) does not run here, in its last words; None if it runs."""
    try:
        done = subprocess.run([*command, "true"], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"it could not run ({error})"
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"{said[-1] if said else f'exit code {done.returncode}'}"
    return None
