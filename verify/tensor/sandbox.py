"""The tensor worker's process, kept as the scalar audit keeps its own: the same pieces, reused.

The worker (``worker.py``, run by a fresh interpreter; or, for a class that
exists only in memory, a child forked from this process) starts in a session
of its own and, where the OS allows it unprivileged, a PID namespace of its
own (``audit.engine.namespace``: it cannot name, so cannot signal, the audit
or the Jupyter kernel that runs it); with ``isolate``, confined by bubblewrap
(``audit.engine.confine``). Its address space is limited, its stdin is
empty, and its stdout and stderr are pipes drained here into bounded buffers
(``protocol.EngineOutput``), so what the engine prints never reaches the
user unlabelled. Its answer comes on a pipe of its own, one JSON line per
message (the survey, each program's run, ``done``), read here with a bound
on its size and nesting (``protocol.decode``): nothing it sends can run code
here, and a message out of its place (a second survey, a run after ``done``,
more runs than programs) is the engine writing into the audit's channel,
refused as ``Tampered``. When the worker ends (or the deadline passes),
every process it started is stopped and killed (``process.kill_tree``).

What an engine running as you can still do, as in the scalar audit: see
that it is audited and behave only then, or write well-formed answers of
its own in the worker's place (it runs in that process); ``isolate`` keeps
it from the file system and the network.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.engine import confine
from ..audit.engine.namespace import died_of, enter_forked, relay, spawn_prefix
from ..audit.engine.process import Drain, Forked, fork_from_here, kill_tree, own_stdio
from ..audit.engine.protocol import HOME, WIRE_LIMIT, EngineOutput, ProtocolViolation, decode

WORKER = Path(__file__).with_name("worker.py")
_BOOT = (
    "import sys\n"
    "sys.path.insert(0, {home!r})\n"
    "from verify.audit.engine.namespace import relay\n"
    "relay()\n"
    "del sys.path[0]\n"
    "for name in [m for m in sys.modules if m.split('.')[0] in ('verify', 'micrograd')]:\n"
    "    del sys.modules[name]\n"
    "import runpy\n"
    "sys.argv = [{worker!r}, *sys.argv[1:]]\n"
    "runpy.run_path({worker!r}, run_name='__main__')\n"
)
"""The worker's ``python -c`` program: process 1 of a PID namespace becomes a relay (the worker is
its child), then our modules are forgotten and the worker script runs, as the scalar worker boots."""


class Tampered(Exception):
    """The worker's answer channel carried what the worker never sends: the engine wrote into it."""


@dataclass
class Outcome:
    """What one worker gave: its exit code (None: still running at the deadline, then killed), its
    messages in order, and what the engine printed."""

    code: int | None
    messages: list[dict[str, Any]] = field(default_factory=list)
    output: EngineOutput = field(default_factory=EngineOutput)
    waited: float = 0.0
    """Seconds it was given before it was killed (when ``code`` is None)."""


def address_space() -> int:
    """This process's virtual memory in bytes (0 where it cannot be read): a forked worker starts
    with all of it, so its memory limit is counted on top."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _Answer(threading.Thread):
    """Reads the answer pipe to its end, keeping at most ``WIRE_LIMIT`` bytes; ``last`` is when it
    last read (or started)."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True)
        self.fd = fd
        self.data = bytearray()
        self.overflow = False
        self.lines = 0
        self.last = time.monotonic()

    def run(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            self.last = time.monotonic()
            self.lines += chunk.count(b"\n")
            if len(self.data) + len(chunk) > WIRE_LIMIT:
                self.overflow = True
                continue  # drained, not kept: the writer must not block
            self.data += chunk


START = 60.0
"""Seconds the worker may take to load the engine and survey it (numpy, a notebook's imports)."""


def run_worker(request: dict[str, Any], folder: Path, deadline: float, *, obj: Any = None,
               isolate: bool = False, stall: float = 7.0) -> Outcome:
    """Run the tensor worker on ``request`` (its file written in ``folder``) within ``deadline``
    seconds; ``obj`` is the engine itself when it exists only in memory (the worker is forked).
    A worker silent for ``stall`` seconds after its survey (``START`` before it) is killed."""
    output = EngineOutput()
    lock = threading.Lock()
    answer_r, answer_w = os.pipe()
    process: Forked | subprocess.Popen[bytes]
    try:
        if obj is not None:
            process, streams, relayed = _fork(obj, request, answer_w)
        else:
            process, streams, relayed = _spawn(request, folder, answer_w, isolate)
    finally:
        os.close(answer_w)
    reader = _Answer(answer_r)
    drains = [Drain(streams[0], output.stdout, lock), Drain(streams[1], output.stderr, lock)]
    for thread in (reader, *drains):
        thread.start()
    started = time.monotonic()
    code: int | None = None
    try:
        while (code := process.poll()) is None:
            now = time.monotonic()
            quiet = now - reader.last > (stall if reader.lines else START)
            if now - started > deadline or quiet:
                break
            time.sleep(0.02)
    finally:
        kill_tree(process.pid, reaped=process.returncode is not None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
    for thread in (reader, *drains):
        thread.join(2)
    for fd in (answer_r, *streams):
        with contextlib.suppress(OSError):
            os.close(fd)
    if relayed and code is not None:
        code = died_of(code)
    if reader.overflow:
        raise Tampered(f"an answer of more than {WIRE_LIMIT:,} bytes")
    return Outcome(code, _messages(bytes(reader.data)), output, time.monotonic() - started)


def _messages(data: bytes) -> list[dict[str, Any]]:
    """The complete lines of the answer, each one object (a cut last line is dropped: the worker died)."""
    out = []
    for line in data.split(b"\n")[:-1]:
        try:
            message = decode(line)
        except ProtocolViolation as violation:
            raise Tampered(str(violation)) from None
        if not isinstance(message, dict) or len(message) != 1:
            raise Tampered("a message that is not one keyed object")
        out.append(message)
    return out


def _spawn(request: dict[str, Any], folder: Path, answer: int,
           isolate: bool) -> tuple[subprocess.Popen[bytes], tuple[int, int], bool]:
    asked = folder / "request.json"
    asked.write_text(json.dumps(request))
    if isolate:
        engine_folder = os.path.dirname(os.path.abspath(str(request["path"])))
        prefix = confine.prefix([HOME, str(folder), engine_folder])
    else:
        prefix = spawn_prefix()
    command = [*prefix, sys.executable, "-I", "-c", _BOOT.format(home=HOME, worker=str(WORKER)),
               str(asked), str(answer)]
    process = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, pass_fds=(answer,), start_new_session=True,
                               env=dict(os.environ, MPLBACKEND="Agg"))
    assert process.stdout is not None and process.stderr is not None
    streams = (os.dup(process.stdout.fileno()), os.dup(process.stderr.fileno()))
    process.stdout.close()
    process.stderr.close()
    return process, streams, bool(prefix)


def _fork(obj: Any, request: dict[str, Any], answer: int) -> tuple[Forked, tuple[int, int], bool]:
    """A worker forked from this process for a class that exists only here (a notebook cell's)."""
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = fork_from_here()
    if pid == 0:
        _child(obj, request, answer, out_w, err_w)
    os.close(out_w)
    os.close(err_w)
    return Forked(pid, None, None), (out_r, err_r), False


def _child(obj: Any, request: dict[str, Any], answer: int, out: int, err: int) -> None:
    code = 1
    try:
        own_stdio(out, err, answer)
        enter_forked()
        relay()
        from .worker import channel, serve

        serve(request, channel(answer), obj)
        code = 0
    finally:
        os._exit(code)
