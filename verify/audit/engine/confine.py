"""``--isolate``: the worker confined by bubblewrap, read-only, with no network and a private /tmp.

Where ``bwrap`` (bubblewrap) is installed and the OS lets an unprivileged user
make namespaces, the worker runs with the whole file system mounted
read-only, a fresh empty ``/tmp``, its own ``/dev`` and ``/proc``, and every
namespace of its own (no network but a loopback of its own, no pid outside
it), ending when the audit does. An engine, the interpreter or its import path
under ``/tmp`` (a test's folder, a clone's venv) is bound back in, read-only.
Elsewhere ``why_not()`` says why, and the audit refuses ``--isolate`` (exit 2)
rather than run unconfined.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys

from .process import refusal

BWRAP = ("--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
         "--unshare-all", "--die-with-parent", "--new-session")
"""bubblewrap's options: / read-only, private /dev, /proc and /tmp, new namespaces (network too)."""

@functools.cache
def why_not() -> str | None:
    """Why the worker cannot be confined here (None if it can), checked once by trying."""
    if not sys.platform.startswith("linux"):
        return f"--isolate needs Linux namespaces ({sys.platform} has none)"
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return ("--isolate needs bubblewrap (bwrap), which is not installed"
                " (Debian/Ubuntu: apt install bubblewrap)")
    refused = refusal([bwrap, *BWRAP])
    return None if refused is None else f"--isolate: this system refuses bwrap's namespaces ({refused})"


def prefix(visible: list[str]) -> list[str]:
    """The command that runs the worker confined: ``visible`` folders under /tmp bound back read-only,
    and so are the interpreter and its import path where they lie there (a venv in a clone under /tmp)."""
    wanted = [*visible, sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable),
              *(p for p in sys.path if p)]
    under_tmp = sorted({real for real in map(os.path.realpath, wanted)
                        if (real == "/tmp" or real.startswith("/tmp/")) and os.path.exists(real)}, key=len)
    binds: list[str] = []
    kept: list[str] = []
    for real in under_tmp:
        if not any(real == k or real.startswith(k + "/") for k in kept):  # a parent bound already shows it
            kept.append(real)
            binds += ["--ro-bind", real, real]
    return [str(shutil.which("bwrap")), *BWRAP, *binds]
