"""The audit's side of the sandbox: the foreign engine lives in a worker process that cannot leak.

The worker (``worker``) is a fresh interpreter started in a session of its
own and, where the OS allows it unprivileged, a PID namespace of its own
(``namespace``: it cannot name, so cannot signal, this process or the
Jupyter kernel that runs it), with no file of the caller but a socket to
this process: its stdin is
empty and its stdout and stderr are pipes drained here into bounded buffers
(``protocol.EngineOutput``: the first 48 KiB and the last 16 KiB of each,
the rest counted), so what the engine prints never reaches the user's
terminal unlabelled, a flood cannot fill a pipe and stall the audit, and a
child the engine forks holds none of the caller's pipes. The worker's
address space is limited (``DEFAULT_MEMORY``, 2 GiB); an engine that needs
more is a ``memory`` failure. Messages both ways are JSON (``protocol``),
never pickles, so nothing the engine does can run code in this process.

A request that takes longer than its time limit kills the worker; a worker
that dies is noticed. Either way ``EngineFailed`` says what happened
(``terms.FailureKind``) and names the request's program, and the next
request starts a fresh worker, so an engine that hangs, recurses, crashes or
forks can never take the audit down. Whenever a worker ends (a restart, or
the end of the audit), everything it started is killed: every process of its
session and every descendant, found in ``/proc`` and stopped before they are
killed, so a forking engine cannot outrun it (elsewhere, its process group).

An overall ``deadline`` (seconds from the start) bounds every request and
restart: a request that would run past it is cut to what remains and fails
with kind ``deadline``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from ...program import Program
from . import DEFAULT_MEMORY, answers, confine
from .answers import ProbeAnswer
from .link import Worker
from .namespace import enter_forked, spawn_prefix
from .process import Drain, Forked, fork_from_here, kill_tree, own_stdio
from .protocol import (
    HOME,
    EngineError,
    EngineOutput,
    ProtocolViolation,
    Ready,
    RunAnswer,
    program_to_wire,
)
from .spec import EngineSpec
from .terms import FailureKind

START_TIMEOUT = 60.0
"""Seconds the worker may take to start and load the engine (a notebook runs all its cells)."""

_BOOT = (
    "import sys\n"
    "sys.path.insert(0, {home!r})\n"
    "import verify.audit.engine.worker as worker\n"
    "if sys.path[0] == {home!r}:\n"
    "    del sys.path[0]\n"
    "worker.main(int(sys.argv[1]))\n"
)
"""The worker's ``python -c`` program: our verify first on sys.path only while it is imported."""
_SLICE = 0.05
"""Seconds between checks that the worker is still alive while an answer is awaited."""


class UnusableEngine(Exception):
    """The engine cannot be loaded, or cannot be driven through the protocol at all (exit code 2)."""


class EngineFailed(Exception):
    """The worker gave no answer to a request: ``kind`` is a ``terms.FailureKind``."""

    def __init__(self, kind: FailureKind, message: str, *, request: str = "",
                 program: Program | None = None, payload: Any = None) -> None:
        super().__init__(message)
        self.kind: FailureKind = kind
        self.request = request
        """The request's name ("run", or a probe's)."""
        self.program = program
        """The program the request ran (for "run"), so a finding can name it."""
        self.payload = payload
        """The request's payload (for a probe, e.g. ``("mul", "vc")``: which op hung)."""


def describe_memory(limit: int | None) -> str:
    if limit is None:
        return "the engine ran out of memory"
    return f"the engine used more than {_bytes(limit)} of memory (the worker's limit)"


def _bytes(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n} bytes"


def _address_space() -> int:
    """This process's virtual memory in bytes (0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class EngineProcess:
    """The worker running the engine ``spec``; restarted after a hang or crash.

    ``timeout`` bounds each request; ``deadline`` (seconds from now, None for none) bounds them
    all; ``memory`` is the worker's address-space limit in bytes (None for none).
    """

    def __init__(self, spec: str | EngineSpec, timeout: float, *, deadline: float | None = None,
                 memory: int | None = DEFAULT_MEMORY, isolate: bool = False) -> None:
        self.spec = spec if isinstance(spec, EngineSpec) else EngineSpec.parse(spec)  # UsageError
        self.plan = self.spec.plan()
        self.timeout = timeout
        self.deadline = deadline
        self.memory = memory
        self.isolate = isolate
        """Run the worker confined (``confine``): read-only, no network, a private /tmp."""
        self.ends_at = None if deadline is None else time.monotonic() + deadline
        """The monotonic time the deadline falls at."""
        self.class_name = ""
        self.ready: Ready | None = None
        """What the worker said when it loaded the engine (whose file, how loaded)."""
        self.restarts = 0
        self.output = EngineOutput()
        """What the engine printed, in every worker: kept apart, bounded, labelled when shown."""
        self.tampered: str | None = None
        """How the engine modified the auditing code, once seen (every later run request fails)."""
        self._lock = threading.Lock()
        self._worker: Worker | None = None

    def __enter__(self) -> EngineProcess:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None without one)."""
        return None if self.ends_at is None else self.ends_at - time.monotonic()

    @property
    def engine_file(self) -> str:
        """The resolved file the audited class is defined in ("" before it is loaded)."""
        return "" if self.ready is None else self.ready.file

    # ---- starting ----

    def start(self) -> None:
        """Start a worker and load the engine; ``UnusableEngine`` if it cannot be loaded or driven."""
        problem = self.spec.missing()
        if problem is not None:
            raise UnusableEngine(problem)
        if self.isolate:
            refused = confine.why_not()
            if refused is None and self.plan.how == "object":
                refused = ("--isolate runs the worker from a file: a class defined in memory cannot be"
                           " confined (put it in a file and audit that)")
            if refused is not None:
                raise UnusableEngine(refused)
        remaining = self.remaining()
        limit = START_TIMEOUT if remaining is None else max(0.0, min(START_TIMEOUT, remaining))
        worker = self._spawn()
        self._worker = worker
        try:
            memory = self.memory
            if memory is not None and self.plan.how == "object":
                memory += _address_space()  # a forked worker starts with all of this process's memory
            worker.send({"plan": self.plan.to_wire(), "name": self.spec.name, "memory": memory},
                       limit)
            message = worker.receive(limit, _SLICE)
        except TimeoutError:
            self.close()
            if remaining is not None and limit >= remaining:
                raise EngineFailed("deadline", "the audit's deadline passed while the engine was loading",
                                   request="load") from None
            raise UnusableEngine(f"loading {self.spec.text} took longer than {limit:g} s") from None
        except EOFError:
            code = worker.exit_status()
            self.close()
            raise UnusableEngine(f"loading {self.spec.text} killed the worker process"
                                 f"{self._death(code)}") from None
        except ProtocolViolation as violation:
            self.close()
            raise UnusableEngine(f"loading {self.spec.text}: the worker's channel was corrupted"
                                 f" ({violation})") from None
        if isinstance(message, dict) and isinstance(message.get("unusable"), dict):
            self.close()
            text = str(message["unusable"].get("message", "no reason given"))
            loading = message["unusable"].get("load", True)
            raise UnusableEngine(f"cannot load {self.spec.text}: {text}" if loading
                                 else f"{self.spec.text}: {text}")
        try:
            if not isinstance(message, dict):
                raise ProtocolViolation("the first message is not an object")
            self.ready = Ready.from_wire(message.get("ready"))
            self._note_tampering(message)
        except ProtocolViolation as violation:
            self.close()
            raise UnusableEngine(f"loading {self.spec.text}: the worker's channel was corrupted"
                                 f" ({violation})") from None
        self.class_name = self.ready.class_name

    def _spawn(self) -> Worker:
        if self.plan.how == "object":
            return self._fork()
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ, MPLBACKEND="Agg")
        # -u: what the engine prints reaches the pipe at once, not when a buffer fills (it would be
        # lost when the worker is killed at the end).
        prefix = self.launcher()
        command = [*prefix, sys.executable, "-u", "-c", _BOOT.format(home=HOME), str(child.fileno())]
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(child.fileno(),), start_new_session=True, env=env,
            )
        finally:
            child.close()
        assert process.stdout is not None and process.stderr is not None
        drains = [Drain(process.stdout.fileno(), self.output.stdout, self._lock),
                  Drain(process.stderr.fileno(), self.output.stderr, self._lock)]
        for drain in drains:
            drain.start()
        return Worker(process, parent, drains, relayed=bool(prefix))

    def launcher(self, *folders: str) -> list[str]:
        """The command a spawned worker runs under, and so does each run that reproduces a finding:
        ``confine``'s with ``isolate`` (``folders`` under /tmp bound in too), else the PID namespace's;
        [] where there is neither."""
        visible = [p for p in (HOME, *self.plan.search_path, self.plan.path, *folders) if p]
        return confine.prefix(visible) if self.isolate else spawn_prefix()

    def _fork(self) -> Worker:
        """A worker forked from this process, for a class that exists only here (a notebook cell's).

        The child starts a session of its own, keeps only the socket and its
        own stdout and stderr pipes, and never returns into the caller's code.
        """
        if not hasattr(os, "fork"):
            raise UnusableEngine(f"{self.spec.text} is defined in memory, and this system cannot fork a"
                                 " worker for it: put the class in a file and audit that file")
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        pid = fork_from_here()
        if pid == 0:  # the worker
            code = 1
            try:
                keep = child.fileno()
                own_stdio(out_w, err_w, keep)
                enter_forked()
                from .worker import main_forked

                assert self.spec.obj is not None
                main_forked(keep, self.spec.obj)
                code = 0
            finally:
                os._exit(code)
        os.close(out_w)
        os.close(err_w)
        child.close()
        process = Forked(pid, os.fdopen(out_r, "rb"), os.fdopen(err_r, "rb"))
        drains = [Drain(out_r, self.output.stdout, self._lock), Drain(err_r, self.output.stderr, self._lock)]
        for drain in drains:
            drain.start()
        return Worker(process, parent, drains)  # type: ignore[arg-type]

    # ---- requests ----

    def probe(self, name: str, payload: Any = None, timeout: float | None = None) -> ProbeAnswer:
        """Send one probe request (``probes.PROBES``); its typed answer (``answers``).

        Raises ``EngineFailed`` if the engine hangs, dies, runs out of memory or the deadline
        passes. A program is run with ``run``.
        """
        assert name != "run", "a program is run with EngineProcess.run, which answers a RunAnswer"
        answer: ProbeAnswer = self._request(name, payload, timeout)
        return answer

    def run(self, program: Program, timeout: float | None = None) -> RunAnswer:
        """Build ``program`` in the engine and call backward: the checked, typed answer.

        Raises ``EngineFailed`` as ``request`` does, and also once the engine has tampered with
        the auditing code."""
        answer = self._request("run", program, timeout)
        assert isinstance(answer, RunAnswer)
        return answer

    def _request(self, name: str, payload: Any, timeout: float | None) -> Any:
        program = payload if isinstance(payload, Program) else None

        def failed(kind: FailureKind, message: str) -> EngineFailed:
            return EngineFailed(kind, message, request=name, program=program, payload=payload)

        worker = self._live_worker(failed, name, program, payload)
        limit = self.timeout if timeout is None else timeout
        remaining = self.remaining()
        by_deadline = remaining is not None and remaining < limit
        if remaining is not None and by_deadline:
            if remaining <= 0:
                raise failed("deadline", "the audit's deadline has passed")
            limit = remaining
        wire = program_to_wire(payload) if program is not None else payload
        message = self._exchange(worker, failed, name, wire, limit, by_deadline)
        try:
            if not isinstance(message, dict):
                raise ProtocolViolation("an answer is not an object")
            self._note_tampering(message)
            answer = message.get("answer")
            answer = RunAnswer.from_wire(answer) if name == "run" else answers.read(name, answer)
        except ProtocolViolation as violation:
            self.tampered = self.tampered or f"the worker's channel carried a malformed answer ({violation})"
            answer = None
        if self.tampered and (name == "run" or answer is None):
            raise failed("tampered", f"the engine modified the auditing code: {self.tampered}")
        raised = _raised(answer)
        if raised is not None and raised[0] == "MemoryError":
            raise failed("memory", f"{describe_memory(self.memory)}: MemoryError{raised[1]}")
        return answer

    def _live_worker(self, failed: Callable[[FailureKind, str], EngineFailed], name: str,
                     program: Program | None, payload: Any) -> Worker:
        """The running worker, started afresh if the last one ended; ``failed`` past the deadline."""
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            raise failed("deadline", "the audit's deadline has passed")
        if self._worker is None:
            self.restarts += 1
            try:
                self.start()
            except UnusableEngine as error:
                raise failed("crash", f"the worker could not be restarted: {error}") from None
            except EngineFailed as failure:
                failure.request, failure.program, failure.payload = name, program, payload
                raise
        assert self._worker is not None
        return self._worker

    def _exchange(self, worker: Worker, failed: Callable[[FailureKind, str], EngineFailed], name: str,
                  wire: Any, limit: float, by_deadline: bool) -> Any:
        """Send the request and take the worker's message; a hang, a death or a forged frame is ``failed``."""
        try:
            worker.send({"request": name, "payload": wire}, limit)
            return worker.receive(limit, _SLICE)
        except TimeoutError:
            self.close()
            if by_deadline:
                raise failed("deadline", f"the audit's deadline passed during the {name!r} request") from None
            what = "this program" if name == "run" else f"the {name!r} probe"
            raise failed("hang", f"no answer within {limit:g} s: the engine hangs on {what}") from None
        except EOFError:
            code = worker.exit_status()
            last = self.output.stderr.last_line()
            self.close()
            if any(sign in last for sign in ("MemoryError", "Cannot allocate memory", "bad_alloc")):
                raise failed("memory", f"{describe_memory(self.memory)}: the worker died of it"
                             f"{self._death(code)}") from None
            raise failed("crash", f"the engine's process died{self._death(code)}") from None
        except ProtocolViolation as violation:
            self.tampered = self.tampered or f"the worker's channel carried a malformed message ({violation})"
            self.close()
            raise failed("tampered", f"the engine modified the auditing code: {self.tampered}") from None

    def _note_tampering(self, message: dict[str, Any]) -> None:
        tampered = message.get("tampered") or []
        if not isinstance(tampered, list):
            raise ProtocolViolation("tampered is not a list")
        if tampered and self.tampered is None:
            self.tampered = "; ".join(str(t) for t in tampered[:5])

    def _death(self, code: int | None) -> str:
        if code is None:
            said = ""
        elif code < 0:
            try:
                said = f" ({signal.Signals(-code).name})"
            except ValueError:
                said = f" (signal {-code})"
        else:
            said = f" (exit code {code})"
        last = self.output.stderr.last_line()
        return said + (f"; its last words on stderr: {last}" if last else "")

    # ---- ending ----

    def close(self) -> None:
        """End the worker and everything it started; wait for its output to drain."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        process = worker.process
        kill_tree(process.pid, reaped=process.returncode is not None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        worker.sock.close()
        for drain in worker.drains:
            drain.join(2)
        if all(not drain.is_alive() for drain in worker.drains):
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def _raised(answer: Any) -> tuple[str, str] | None:
    """(type, " in <stage>") of what the engine raised, if the answer is an error."""
    if isinstance(answer, RunAnswer):
        return None if answer.error is None else (answer.error.type, f" in {answer.stage}")
    error = getattr(answer, "error", None)
    if isinstance(error, EngineError):
        return error.type, " in the probe"
    return None
