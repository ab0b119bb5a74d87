"""The worker for an engine that exists only in memory (a notebook cell's class, a REPL's): forked.

A class defined in a Jupyter cell has no file a fresh interpreter could load,
so the worker is a child forked from this process, as the scalar audit's is
for such a class (``verify.audit.engine.sandbox``): it starts a session of its
own and, where the OS allows it, a PID namespace of its own
(``engine.namespace``), keeps no file of the caller but the answer file it
writes (its stdout and stderr go to files of its own, stdin is empty), and
never returns into the caller's code. What it runs is the tensor worker's
``serve``: nothing of the judge runs in it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from ..audit.engine.namespace import enter_forked, relay
from ..audit.engine.process import Forked, kill_tree, max_fd


def address_space() -> int:
    """This process's virtual memory in bytes (0 where it cannot be read): a forked worker starts
    with all of it, so its memory limit is counted on top."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def run_forked(obj: Any, request: dict[str, Any], answer: Path, stdout: Path, stderr: Path,
               deadline: float) -> int | None:
    """Serve ``request`` for the engine ``obj`` in a forked child writing ``answer``; its exit code,
    or None if it was still running after ``deadline`` seconds. Whatever the child started is
    killed before this returns."""
    for stream in (sys.stdout, sys.stderr):  # what is buffered here must not print twice
        with contextlib.suppress(Exception):
            stream.flush()
    out = os.open(stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(stderr, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: the child only runs ours
            pid = os.fork()
        if pid == 0:
            _child(obj, request, str(answer), out, err)
    finally:
        os.close(out)
        os.close(err)
    child = Forked(pid, None, None)
    try:
        return child.wait(deadline)
    except subprocess.TimeoutExpired:
        return None
    finally:
        kill_tree(pid, reaped=child.returncode is not None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(5)


def _child(obj: Any, request: dict[str, Any], answer: str, out: int, err: int) -> None:
    code = 1
    try:
        os.setsid()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        os.closerange(3, max_fd())
        enter_forked()
        relay()
        from .worker import serve, write

        try:
            write(serve(request, obj), answer)
        except BaseException as error:  # the engine may raise anything while it is surveyed
            with open(answer, "w") as f:
                json.dump({"load_error": f"{type(error).__name__}: {error}"}, f)
        code = 0
    finally:
        os._exit(code)
