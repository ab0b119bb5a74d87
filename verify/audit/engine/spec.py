"""Which engine class to audit: ``path/to/file.py:Class``, ``nb.ipynb:Class`` or ``package.module:Class``.

The sandbox checks it, the worker loads it by its ``LoadPlan`` and the
snippet writes the same plan as the import lines of a reproduction, so what
the audit ran and what the user pastes load the engine the same way:

- a module name (``micrograd.engine:Value``) is imported as it is, from the
  folder the audit runs in first (as ``python -c`` would): a learner's own
  ``micrograd/`` there is theirs, never ours;
- a file is imported under its own module name from the folder that holds
  it, or, when it lies in a package (a folder with ``__init__.py``), as a
  module of that package from the folder above the package, so that its
  relative and absolute imports (``from .rules import ...``,
  ``from micrograd.topo import ...``) both work; its own folder comes next
  on ``sys.path``, for siblings imported plainly (``from base import ...``);
- a file whose name is no module name (``005_x-y_revgrad.py``), or is the
  name of a standard module, is loaded by path (``importlib``) under a name
  of its own, its folder first on ``sys.path`` for its siblings;
- a notebook's code cells are run in order (``notebook``);
- a class already in memory (``EngineSpec.of_class``: defined in a notebook
  cell, a REPL or a script's ``__main__``) is handed to a worker forked from
  this process, which has it already (``object``; POSIX only).
"""

from __future__ import annotations

import inspect
import keyword
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .terms import LoadedAs

_SPEC = re.compile(r"^(?P<target>[^:]+):(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")

class UsageError(Exception):
    """The engine spec is malformed."""


def is_module_name(name: str) -> bool:
    """A name ``import`` accepts for one module: an identifier, not a keyword."""
    return name.isidentifier() and not keyword.iskeyword(name)


def _synthetic(stem: str) -> str:
    """A module name of our own for a file whose name is none: ``005_x-y`` -> ``engine_005_x_y``."""
    return "engine_" + "".join(c if c.isalnum() or c == "_" else "_" for c in stem)


@dataclass(frozen=True)
class LoadPlan:
    """How the engine's module is loaded, in the worker and in a reproduction snippet."""

    how: LoadedAs
    """``module``: import ``module`` as given; ``import``: put ``root`` first on sys.path and import
    ``module`` (a file's own name, or package.module); ``path``: load ``path`` by file as
    ``module``, ``root`` first on sys.path; ``package-path``: load the package folder
    ``package_dir`` by path as ``package`` and ``path`` as its module ``module``; ``notebook``:
    run the code cells of ``path``, ``root`` first on sys.path."""
    module: str
    path: str = ""
    """The file, resolved ("" for a module spec)."""
    root: str = ""
    """The folder put first on sys.path ("" for a module spec)."""
    package: str = ""
    package_dir: str = ""
    folder: str = ""
    """For a file in a package: its own folder, put on sys.path after ``root``."""

    @property
    def search_path(self) -> list[str]:
        """The folders put first on sys.path, in order."""
        return [p for p in (self.root, self.folder) if p]

    def to_wire(self) -> dict[str, Any]:
        return {"how": self.how, "module": self.module, "path": self.path, "root": self.root,
                "package": self.package, "package_dir": self.package_dir, "folder": self.folder}

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> LoadPlan:
        return cls(wire["how"], wire["module"], wire["path"], wire["root"], wire["package"],
                   wire["package_dir"], wire["folder"])


@dataclass(frozen=True)
class EngineSpec:
    """An engine class named by a file, a notebook or a module, and the class name."""

    text: str
    """The spec as given, e.g. ``tests/engines/planted.py:SignOfNegatives``."""
    target: str
    """The file path or the module name (before the last ':')."""
    name: str
    """The class name."""
    obj: type | None = field(default=None, compare=False)
    """The class itself, for a class already in memory (``of_class``)."""

    @classmethod
    def of_class(cls, engine: type) -> EngineSpec:
        """A class already in memory; shown as ``module:Class`` (``__main__:Value`` for a notebook's)."""
        if not isinstance(engine, type):
            raise UsageError(f"verify.audit takes an engine class, not {type(engine).__name__}: {engine!r}")
        return cls(f"{engine.__module__}:{engine.__qualname__}", engine.__module__, engine.__name__, engine)

    @classmethod
    def parse(cls, text: str) -> EngineSpec:
        """Read ``text``; ``UsageError`` unless it is path/to/file.py:Class or package.module:Class."""
        match = _SPEC.match(text)
        if match is None:
            raise UsageError(
                f"--engine {text!r}: expected path/to/file.py:ClassName, notebook.ipynb:ClassName"
                " or package.module:ClassName"
            )
        spec = cls(text, match["target"], match["name"])
        if not (spec.is_file or _MODULE.match(spec.target)):
            raise UsageError(f"--engine {text!r}: {spec.target!r} is neither a .py file nor a module name")
        return spec

    @property
    def is_file(self) -> bool:
        """The target is a file path (it ends in .py or .ipynb or has a path separator), not a module name."""
        return self.obj is None and (self.target.endswith((".py", ".ipynb")) or "/" in self.target
                                     or os.sep in self.target)

    @property
    def is_notebook(self) -> bool:
        return self.target.endswith(".ipynb")

    @property
    def path(self) -> Path:
        """The file, resolved (for a file target)."""
        return Path(self.target).resolve()

    def missing(self) -> str | None:
        """Why the file cannot be loaded (it does not exist, is a folder); None if it can, or for a module."""
        if not self.is_file:
            return None
        path = self.path
        if path.is_dir():
            return (f"{self.target} is a folder: give the engine's file,"
                    f" e.g. {self.target}/engine.py:{self.name}")
        if not path.is_file():
            return f"no such file: {self.target}"
        return None

    def plan(self) -> LoadPlan:
        """How to load the engine's module (see the module docstring)."""
        if self.obj is not None:
            try:
                file = inspect.getsourcefile(self.obj) or ""
            except (TypeError, OSError):
                file = ""
            return LoadPlan("object", self.obj.__module__, file, os.getcwd())
        if not self.is_file:
            return LoadPlan("module", self.target)
        path = self.path
        if self.is_notebook:
            return LoadPlan("notebook", _synthetic(path.stem), str(path), str(path.parent))
        stem = path.stem if path.suffix == ".py" else path.name
        folder = path.parent
        if (folder / "__init__.py").is_file():
            packages: list[str] = []
            top = folder
            while (top / "__init__.py").is_file():
                packages.insert(0, top.name)
                if top.parent == top:
                    break
                top = top.parent
            if is_module_name(stem) and path.suffix == ".py" and all(is_module_name(p) for p in packages) \
                    and packages[0] not in sys.stdlib_module_names:
                return LoadPlan("import", ".".join([*packages, stem]), str(path), str(top),
                                folder=str(folder))
            package = _synthetic(folder.name)
            return LoadPlan("package-path", f"{package}.{_synthetic(stem)}", str(path), str(folder.parent),
                            package, str(folder))
        if is_module_name(stem) and path.suffix == ".py" and stem not in sys.stdlib_module_names:
            return LoadPlan("import", stem, str(path), str(folder))
        return LoadPlan("path", _synthetic(stem), str(path), str(folder))
