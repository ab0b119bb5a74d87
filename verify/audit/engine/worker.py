"""The audited engine's side of the sandbox: a process that loads the class and answers requests.

Everything here touches the foreign engine, and only through the micrograd
protocol: ``Cls(x)``, ``.data``, ``.grad``, ``.backward()``, Python operators
and method names from the op table's notation. Whatever the engine raises is
caught and sent back as data (``protocol``); the parent decides what it
means. Nothing that judges runs here: the worker builds programs and reads
numbers, the verdicts are computed in the audit's own process.

The process (started by ``sandbox``, in a session of its own, its stdout and
stderr captured by the parent) first takes its own references to everything
it uses, fingerprints the modules they live in, and removes every ``verify``
and ``micrograd`` module from ``sys.modules``; only then is the engine
loaded. So an engine finds no auditing code to patch by name, a learner's
package called ``micrograd`` imports as itself (its absolute imports
working) while the worker keeps the op table it loaded first, and an engine
that reaches the worker's code another way is caught by the fingerprint,
compared after loading and after every request: the answer then says the
engine modified the auditing code (``tampered``), and the parent never
trusts its numbers again. This makes tampering evident, not impossible: the
engine runs in this process with all of Python at hand; the boundary that
protects the user is the process, and the parent reads only JSON.

The worker runs under a memory limit (``RLIMIT_AS``) and Python's default
recursion limit, as the engine's users run it, so a recursive ``backward``
shows the depth limit they would meet.
"""

from __future__ import annotations

import builtins
import importlib
import importlib.util
import inspect
import json
import json.decoder
import json.encoder
import json.scanner
import linecache
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import micrograd.ops

from ...program import Program, RunFailed
from . import notebook, probes, protocol, reading, spec
from .fingerprint import Fingerprint
from .fingerprint import changes as fingerprint_changes
from .namespace import relay
from .protocol import HEADER, EngineError, Ready, RunAnswer, Unreadable
from .reading import ROOTS, clean, describe, read_field, real_path
from .reading import real as real  # re-exported: callers know it as the worker's
from .spec import LoadPlan

RECURSION_LIMIT = 1000
"""Python's default: what the engine's users get."""


class LoadError(Exception):
    """The engine cannot be loaded, or its class does not speak the bare protocol."""


# ---- the channel: length-prefixed JSON over the socket the parent passed ----

class Channel:
    """Messages to and from the parent on file descriptor ``fd``, with private references to os and json."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._read = os.read
        self._write = os.write
        self.encoder = json.JSONEncoder(allow_nan=True, separators=(",", ":"))
        self.decoder = json.JSONDecoder()
        self._encode = self.encoder.encode
        self._decode = self.decoder.decode

    def send(self, message: dict[str, Any]) -> None:
        data = self._encode(message).encode("utf-8", "backslashreplace")
        view = memoryview(len(data).to_bytes(HEADER, "big") + data)
        while view:
            view = view[self._write(self.fd, view):]

    def receive(self) -> Any:
        size = int.from_bytes(self._exactly(HEADER), "big")
        if size > protocol.WIRE_LIMIT:
            raise EOFError(f"a message of {size} bytes")
        return self._decode(self._exactly(size).decode("utf-8"))

    def _exactly(self, n: int) -> bytes:
        parts, got = [], 0
        while got < n:
            chunk = self._read(self.fd, n - got)
            if not chunk:
                raise EOFError("the parent closed the channel")
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)


# ---- loading ----

_IN_MEMORY: list[type] = []
"""The class a forked worker audits (``main_forked``): it came with the fork, nothing is loaded."""


def load(plan: LoadPlan, name: str) -> tuple[type, Ready]:
    """Load the engine's module as ``plan`` says and return its class ``name`` and what to report."""
    sys.path[:0] = plan.search_path
    notes: list[str] = []
    module: Any = None
    if plan.how == "object":
        cls: Any = _IN_MEMORY[0]
        ready = Ready(clean(cls.__name__), _source_file(cls), clean(cls.__module__), plan.path, "object", ())
        return cls, ready
    if plan.how == "notebook":
        try:
            ran = notebook.run(plan.path, name)
        except notebook.NotebookFailed as failed:
            raise LoadError(str(failed)) from None
        cls = ran.cls
        notes += ran.notes
    else:
        if plan.how in ("module", "import"):
            module = importlib.import_module(plan.module)
        elif plan.how == "path":
            module = _exec(plan.module, plan.path)
        else:  # package-path: the package by path under a name of its own, then its module
            _exec(plan.package, os.path.join(plan.package_dir, "__init__.py"), package=True)
            module = _exec(plan.module, plan.path)
        cls = getattr(module, name, None)
        where = plan.path or plan.module
        if cls is None:
            raise LoadError(f"{where} has no class {name!r}")
        if not isinstance(cls, type):
            raise LoadError(f"{where} has no class {name!r}: {name} is a {type(cls).__name__}")
        found = real_path(getattr(module, "__file__", None) or "")
        if plan.how == "import" and found and found != real_path(plan.path):
            notes.append(f"importing {plan.module} found {found}, not {plan.path}")
    file = plan.path if plan.how == "notebook" else _source_file(cls)
    module_file = plan.path if module is None else real_path(getattr(module, "__file__", None) or "")
    ready = Ready(clean(cls.__name__), file, clean(plan.module if module is None else module.__name__),
                  module_file, plan.how, tuple(clean(n) for n in notes))
    return cls, ready


def _exec(name: str, path: str, package: bool = False) -> ModuleType:
    """Run the file at ``path`` as the module ``name`` (a package's ``__init__.py`` if ``package``)."""
    locations = [os.path.dirname(path)] if package else None
    found = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if found is None or found.loader is None:
        raise LoadError(f"cannot import {path}")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    found.loader.exec_module(module)
    return module


def _source_file(cls: type) -> str:
    try:
        file = inspect.getsourcefile(cls) or inspect.getfile(cls)
    except (TypeError, OSError):
        file = getattr(sys.modules.get(cls.__module__), "__file__", None) or ""
    return real_path(file)



def protocol_problem(cls: type) -> str | None:
    """Why the audit cannot drive ``cls`` (no leaf, no .data or .grad, no ``backward()``); None if it can."""
    name = clean(cls.__name__)
    try:
        leaf = cls(1.5)
    except BaseException as error:  # the engine may raise anything
        described = describe(error)
        where = f" ({described.frame})" if described.frame else ""
        return (f"{name}(1.5) raised {described.text}{where}: the audit makes every input"
                f" as {name}(x), with one number")
    for attribute in ("data", "grad"):
        try:
            getattr(leaf, attribute)
        except AttributeError:
            return f"{name}(1.5) has no .{attribute}: the audit reads .data and .grad of every node"
        except BaseException as error:
            return f"reading {name}(1.5).{attribute} raised {describe(error).text}"
    backward = getattr(type(leaf), "backward", None)
    if backward is None:
        backward = getattr(leaf, "backward", None)
    if backward is None:
        return (f"{name} has no backward() method{_alternatives(leaf)}: the audit calls y.backward()"
                " on each program's output, as micrograd does")
    if not callable(backward):
        return f"{name}.backward is a {type(backward).__name__}, not a method"
    try:
        signature = inspect.signature(leaf.backward)
    except (TypeError, ValueError):
        return None  # a builtin without a signature: assume it can be called bare
    except BaseException as error:
        return f"reading {name}(1.5).backward raised {describe(error).text}"
    try:
        signature.bind()
    except TypeError:
        return (f"{name}.backward{signature} needs arguments: the audit calls y.backward() with none,"
                " as micrograd does (give the arguments defaults to audit it)")
    return None


def _alternatives(leaf: Any) -> str:
    try:
        names = [n for n in dir(leaf) if not n.startswith("__")
                 and any(w in n.lower() for w in ("back", "prop", "grad"))
                 and callable(getattr(leaf, n, None))]
    except BaseException:
        return ""
    return f" (it has {', '.join(f'{n}()' for n in sorted(names)[:3])})" if names else ""


# ---- running a program ----

def run(cls: type, program: Program) -> dict[str, Any]:
    """Build ``program`` with ``cls``, call backward on its output, read every slot (a ``RunAnswer``)."""
    data: list[float | None] = []
    unreadable: list[Unreadable] = []
    times = [time.perf_counter(), 0.0, 0.0]

    def read(slots: list[Any]) -> None:
        times[1] = time.perf_counter()
        data.extend(read_field(s, "data", i, unreadable) for i, s in enumerate(slots))
        times[2] = time.perf_counter()

    try:
        slots = program.run(lambda value: cls(float(value)), before_backward=read, catch=BaseException)
    except RunFailed as failed:
        end = time.perf_counter()
        error = describe(failed.error)
        if failed.stage == "forward":
            for i, s in enumerate(failed.slots):
                data.append(read_field(s, "data", i, unreadable))
            answer = RunAnswer("forward", failed.slot, tuple(data), (), tuple(unreadable), error,
                               end - times[0])
        else:
            answer = RunAnswer("backward", None, tuple(data), (), tuple(unreadable), error,
                               times[1] - times[0], end - times[2])
        return answer.to_wire()
    end = time.perf_counter()
    grad = tuple(read_field(s, "grad", i, unreadable) for i, s in enumerate(slots))
    return RunAnswer("done", None, tuple(data), grad, tuple(unreadable), None,
                     times[1] - times[0], end - times[2]).to_wire()


# ---- the process ----

def _harden(memory: int | None) -> None:
    """A memory limit, no core files, and the engine's orphans as our children (so they can be found)."""
    try:
        import resource

        if memory:
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            limit = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: the engine's orphans stay ours
        except (OSError, AttributeError):
            pass


def _forget_our_modules() -> None:
    """Remove verify and micrograd from sys.modules: the engine imports its own, or fresh copies."""
    for name in list(sys.modules):
        if name.split(".")[0] in ("verify", "micrograd"):
            del sys.modules[name]


def main_forked(fd: int, cls: type) -> None:
    """The main loop of a worker forked from the audit's own process, for ``cls`` already in memory."""
    _IN_MEMORY[:] = [cls]
    main(fd)


def main(fd: int) -> None:
    """The worker's main loop: load the engine as the parent's first message says, then answer requests.

    What checks for tampering is held in this frame's own variables, taken before the engine
    loads: an engine can read them (frame introspection) but not rebind them, so emptying the
    fingerprint object or replacing its method changes nothing, and whatever it can mutate (a
    function's code, the handler table, the channel's encoder) is put back before each answer.
    """
    relay()
    channel = Channel(fd)
    config = channel.receive()
    _harden(config.get("memory"))
    plan, name = LoadPlan.from_wire(config["plan"]), config["name"]
    handlers: dict[str, Callable[[type, Any], Any]] = {"run": run, **probes.PROBES}
    decode_program = protocol.program_from_wire
    fingerprint = _fingerprint(channel, handlers)
    entries, sealed, check = fingerprint.entries, fingerprint.sealed, fingerprint_changes
    check_code = check.__code__
    disarmed = ["verify.audit.engine.fingerprint.changes.__code__ was replaced"]
    # Children the engine forks with os.fork() do not inherit the channel.
    os.register_at_fork(after_in_child=lambda: os.close(fd))
    _forget_our_modules()
    sys.setrecursionlimit(RECURSION_LIMIT)
    ROOTS.add(plan.root)
    if plan.how == "notebook":
        ROOTS.add(plan.path)
    loaded = _load_or_refuse(channel, plan, name)
    if loaded is None:
        return
    cls, ready = loaded
    if check.__code__ is not check_code:
        check.__code__ = check_code
        tampered = disarmed + check(entries, sealed)
    else:
        tampered = check(entries, sealed)
    channel.send({"ready": ready.to_wire(), "tampered": tampered})
    while True:
        try:
            message = channel.receive()
        except EOFError:
            return
        request, payload = message.get("request"), message.get("payload")
        try:
            if request == "run":
                payload = decode_program(payload)
            answer = handlers[request](cls, payload)
        except BaseException as error:  # report, never die: the parent decides
            answer = {"stage": "probe", "error": describe(error).to_wire()}
        if check.__code__ is not check_code:
            check.__code__ = check_code
            tampered = disarmed + check(entries, sealed)
        else:
            tampered = check(entries, sealed)
        try:
            channel.send({"answer": answer, "tampered": tampered})
        except (TypeError, ValueError) as error:  # not JSON: a probe returned something odd
            channel.send({"answer": {"stage": "probe", "error": EngineError(type(error).__name__,
                                                                              clean(str(error))).to_wire()},
                          "tampered": tampered})


def _fingerprint(channel: Channel, handlers: dict[str, Callable[[type, Any], Any]]) -> Fingerprint:
    """Everything the worker relies on, recorded before the engine loads (``fingerprint``)."""
    return Fingerprint({
        "verify.program": sys.modules[Program.__module__],
        "verify.audit.engine.worker": sys.modules[__name__], "verify.audit.engine.probes": probes,
        "verify.audit.engine.protocol": protocol, "verify.audit.engine.reading": reading,
        "verify.audit.engine.spec": spec, "verify.audit.engine.notebook": notebook,
        "verify.audit.engine.fingerprint": sys.modules[Fingerprint.__module__],
        "micrograd.ops": micrograd.ops, "micrograd.ops.OPS": micrograd.ops.OPS, "handlers": handlers,
        "json": json, "json.encoder": json.encoder, "json.decoder": json.decoder,
        "json.scanner": json.scanner, "linecache": linecache, "math": math, "builtins": builtins,
    }, sealed={"channel": channel, "channel.encoder": channel.encoder, "channel.decoder": channel.decoder,
               "worker": sys.modules[__name__], "reading": reading})


def _load_or_refuse(channel: Channel, plan: LoadPlan, name: str) -> tuple[type, Ready] | None:
    """The engine's class and what to report; None once the parent has been told it is unusable."""
    try:
        cls, ready = load(plan, name)
        if plan.how == "module":
            ROOTS.add(_package_root(ready.module_file, plan.module))
        problem = protocol_problem(cls)
    except BaseException as error:  # the engine's module may raise anything, even SystemExit
        if isinstance(error, LoadError):
            channel.send({"unusable": {"message": clean(str(error), 1000)}})
        else:
            described = describe(error)
            where = f" ({described.frame})" if described.frame else ""
            channel.send({"unusable": {"message": f"{described.text}{where}", "error": described.to_wire()}})
        return None
    if problem is not None:
        channel.send({"unusable": {"message": problem, "load": False}})
        return None
    return cls, ready


def _package_root(module_file: str, module: str) -> str:
    """The folder of a module spec's top package (or the module's file, for a top-level module)."""
    if not module_file:
        return ""
    path = Path(module_file)
    depth = module.count(".") + (1 if path.name == "__init__.py" else 0)
    if depth == 0:
        return str(path)
    return str(path.parents[depth - 1])
