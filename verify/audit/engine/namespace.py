"""A PID namespace for the worker, where the OS allows one unprivileged: the engine cannot signal the audit.

A process can signal every process of its user, so a worker that merely runs
in a session of its own can still ``SIGKILL`` or ``SIGSTOP`` the audit (or the
Jupyter kernel that started it). In a new PID namespace (with a user namespace,
which Linux lets an unprivileged user create where
``kernel.unprivileged_userns_clone`` / ``user.max_user_namespaces`` allow),
the worker is process 1 of its own numbering: no pid it can name is outside
it, and when it ends, every process it started ends with it.

Two ways in: a spawned worker runs under ``unshare(1)`` (util-linux); a forked
worker (a class in memory) calls ``unshare(2)`` itself and forks once more,
the middle process waiting for the worker and ending as it did. In the
namespace, process 1 is a relay (``relay``) and the worker its child. Where neither
works (no Linux, no ``unshare``, namespaces disabled) the worker runs in a
session of its own, as before, and ``PID_NAMESPACE`` says why.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys

from .process import refusal

CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000

UNSHARE = ("--user", "--map-current-user", "--pid", "--fork", "--kill-child")
"""unshare(1)'s options: a user namespace (our own uid), a PID namespace, and the worker killed with it."""


def spawn_prefix() -> list[str]:
    """The command that runs a spawned worker in a PID namespace of its own; [] where there is none."""
    return [] if why_not() else [str(shutil.which("unshare")), *UNSHARE]


@functools.cache
def why_not() -> str | None:
    """Why the worker cannot get a PID namespace here (None if it can), checked once by trying."""
    if not sys.platform.startswith("linux"):
        return f"PID namespaces are Linux's ({sys.platform} has none)"
    unshare = shutil.which("unshare")
    if unshare is None:
        return "unshare (util-linux) is not installed"
    refused = refusal([unshare, *UNSHARE])
    return None if refused is None else f"this system refuses an unprivileged PID namespace ({refused})"


def enter_forked() -> None:
    """In a forked worker, before the engine exists: move into a new user and PID namespace.

    Returns in the worker (process 1 of the new namespace); the middle process never returns.
    Does nothing where the namespace cannot be made.
    """
    if why_not():
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        uid, gid = os.getuid(), os.getgid()
        if libc.unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0:
            return
        for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                           ("/proc/self/gid_map", f"{gid} {gid} 1")):
            with contextlib.suppress(OSError), open(path, "w") as file:
                file.write(text)
    except (OSError, AttributeError):
        return
    pid = os.fork()
    if pid == 0:
        return  # process 1 of the new namespace: ``relay`` forks the worker under it
    status = 0
    with contextlib.suppress(ChildProcessError, InterruptedError):
        _, status = os.waitpid(pid, 0)
    code = died_of(os.waitstatus_to_exitcode(status))
    if code < 0:  # end as the worker did, so the audit reads its cause
        with contextlib.suppress(OSError, ValueError):
            signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code)


def relay() -> None:
    """In process 1 of a PID namespace: fork the worker, wait for it, exit as it did (128 + N for
    signal N); elsewhere, nothing.

    Process 1 ignores every signal it has no handler for, even one it sends itself (an engine
    that kills its own process must die of it, as under its users), and no process of the
    namespace can kill it; so the worker is its child, and it reaps the engine's orphans.
    """
    if os.getpid() != 1:
        return
    pid = os.fork()
    if pid == 0:
        return
    while True:
        try:
            done, status = os.wait()
        except ChildProcessError:
            os._exit(1)
        if done == pid:
            break
    code = os.waitstatus_to_exitcode(status)
    os._exit(128 - code if code < 0 else code)


def died_of(code: int) -> int:
    """A namespaced worker's exit code as ``Popen`` would give the worker's own: -N for 128 + N."""
    return 128 - code if 128 < code < 128 + 65 else code
