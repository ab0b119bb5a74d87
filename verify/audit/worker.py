"""The audited engine's side of the sandbox: a process that loads the class and runs requests.

Everything here touches the foreign engine, and only through the micrograd
protocol: ``Cls(x)``, ``.data``, ``.grad``, ``.backward()``, Python operators
and method names from the op table's notation. Whatever the engine raises is
caught and sent back as data; the parent decides what it means.

The engine runs under Python's default recursion limit, as its users run it,
so a recursive ``backward`` shows the depth limit they would meet.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..program import Program, RunFailed
from .spec import EngineSpec

RECURSION_LIMIT = 1000
"""Python's default: what the engine's users get."""


def load(spec: EngineSpec) -> type:
    """Import the file or module ``spec`` names and return its class."""
    target, name = spec.target, spec.name
    if spec.is_file:
        path = spec.path
        if not path.is_file():
            raise ImportError(f"no such file: {target}")
        # Siblings of the file (its nn.py, utils.py, ...) must import too.
        sys.path.insert(0, str(path.parent))
        module_name = "audited_" + path.stem
        if (path.parent / "__init__.py").is_file():
            # A file of a package may import its siblings relatively (from .ops import ...):
            # load the package under a name of its own, which cannot shadow verify's micrograd.
            package = "audited_" + path.parent.name
            _exec(package, path.parent / "__init__.py", package=True)
            module_name = f"{package}.{path.stem}"
        module = _exec(module_name, path)
    else:
        module = importlib.import_module(target)
        _refuse_shadowed(target, module)
    cls = getattr(module, name, None)
    if not isinstance(cls, type):
        raise ImportError(f"{target} has no class {name!r}")
    return cls


def _exec(name: str, path: Path, package: bool = False) -> Any:
    """Run the file at ``path`` as the module ``name`` (a package's ``__init__.py`` if ``package``)."""
    locations = [str(path.parent)] if package else None
    found = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    if found is None or found.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    found.loader.exec_module(module)
    return module


def _refuse_shadowed(target: str, module: Any) -> None:
    """``micrograd.engine:Value`` means ours even where the current folder has its own micrograd/.

    A copy of the same file there (a checkout of this project) is no conflict.
    """
    top = target.split(".")[0]
    local = Path.cwd() / top
    found = Path(getattr(module, "__file__", "") or "").resolve()
    if not local.is_dir() or local.resolve() in found.parents:
        return
    path = target.replace(".", "/") + ".py"
    local_file = Path.cwd() / path
    if local_file.is_file() and found.is_file() and local_file.read_bytes() == found.read_bytes():
        return
    raise ImportError(
        f"{target} names the {top} package that verify itself uses ({found}), not the one in"
        f" {local}; to audit that one, give its file: --engine {path}:CLASS"
    )


def _describe(error: BaseException) -> dict[str, str]:
    return {"type": type(error).__name__, "message": str(error)[:300]}


def _number(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError, OverflowError):
        return None


def run(cls: type, program: Program) -> dict[str, Any]:
    """Build ``program`` with ``cls``, call backward on its output, read every slot."""
    data: list[float | None] = []

    def read(slots: list[Any]) -> None:
        data.extend(_number(getattr(s, "data", None)) for s in slots)

    try:
        slots = program.run(lambda value: cls(float(value)), before_backward=read)
    except RunFailed as failed:
        if failed.stage == "forward":
            return {"stage": "forward", "slot": failed.slot, "error": _describe(failed.error)}
        return {"stage": "backward", "data": data, "error": _describe(failed.error)}
    grad = [_number(getattr(s, "grad", None)) for s in slots]
    return {"stage": "done", "data": data, "grad": grad}


def serve(conn: Connection, spec: EngineSpec) -> None:
    """The worker's main loop: load the engine, then answer (name, payload) requests."""
    from .probe import PROBES

    # The engine's prints must not mix with the audit's own output.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.setrecursionlimit(RECURSION_LIMIT)
    try:
        cls = load(spec)
    except BaseException as error:  # the engine's module may raise anything, even SystemExit
        conn.send(("unusable", f"cannot load {spec.text}: {type(error).__name__}: {error}"))
        return
    conn.send(("ready", cls.__name__))
    handlers = {"run": run, **PROBES}
    while True:
        try:
            name, payload = conn.recv()
        except EOFError:
            return
        try:
            answer = handlers[name](cls, payload)
        except BaseException as error:  # report, never die: the parent decides
            answer = {"stage": "probe", "error": _describe(error)}
        conn.send(answer)
