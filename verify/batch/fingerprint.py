"""What a stored result depends on: the engine's files and the verifier's own code, as hashes.

An engine file is hashed with the files it imports from beside it (``from base import Value``
in a submission's folder), followed through those files too; a file in a package with its whole
package; a notebook with the ``.py`` files of its folder. A module spec is found on the search path
the audit uses (the current folder first) and hashed the same way; one that cannot be found is keyed
by its name alone. The verifier is its version and a hash of every source file of ``verify`` and
``micrograd``, so any change to the auditing code makes earlier results stale.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
from functools import cache
from pathlib import Path

_HOME = Path(__file__).resolve().parent.parent.parent


def engine_files(spec: str, cwd: str) -> list[Path]:
    """The files whose bytes decide what ``spec``'s class does, resolved; [] when none is found."""
    target = spec.rpartition(":")[0]
    is_file = target.endswith((".py", ".ipynb")) or "/" in target or os.sep in target
    path = (Path(cwd) / target).resolve() if is_file else _module_file(target, cwd)
    if path is None or not path.is_file():
        return []
    if path.suffix == ".ipynb":
        return [path, *sorted(p.resolve() for p in path.parent.glob("*.py") if p.is_file())]
    if (path.parent / "__init__.py").is_file():
        top = path.parent
        while (top.parent / "__init__.py").is_file() and top.parent != top:
            top = top.parent
        return [path, *sorted(p.resolve() for p in top.rglob("*.py") if p.is_file() and p.resolve() != path)]
    found: list[Path] = []
    todo = [path]
    while todo:
        file = todo.pop()
        if file in found:
            continue
        found.append(file)
        todo += _siblings_imported(file)
    return [found[0], *sorted(found[1:])]


def _module_file(name: str, cwd: str) -> Path | None:
    """The file ``import name`` would load, ``cwd`` first, then the search path (nothing is imported)."""
    parts = name.split(".")
    for folder in [cwd, *sys.path[1:]]:
        base = Path(folder or cwd, *parts)
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate.resolve()
    return None


def _siblings_imported(file: Path) -> list[Path]:
    """The ``.py`` files and packages beside ``file`` that it imports (``import x``, ``from x import y``)."""
    try:
        tree = ast.parse(file.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    out = []
    for name in sorted(names):
        module, package = file.parent / f"{name}.py", file.parent / name
        if module.is_file():
            out.append(module.resolve())
        elif (package / "__init__.py").is_file():
            out += sorted(p.resolve() for p in package.rglob("*.py") if p.is_file())
    return out


def engine_hash(spec: str, cwd: str) -> str:
    """sha256 over the engine's files (their paths relative to the first, and bytes); of the spec if none."""
    files = engine_files(spec, cwd)
    digest = hashlib.sha256()
    if not files:
        digest.update(b"unresolved:" + spec.encode())
        return digest.hexdigest()
    root = files[0].parent
    for file in files:
        digest.update(os.path.relpath(file, root).encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


@cache
def verifier_version() -> str:
    """``micrograd-verified VERSION+SOURCEHASH``: the package's version and a hash of its code."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("micrograd-verified")
        except PackageNotFoundError:
            number = "source"
    except ImportError:  # pragma: no cover - importlib.metadata is in every supported Python
        number = "source"
    digest = hashlib.sha256()
    for package in ("verify", "micrograd"):
        for file in sorted((_HOME / package).rglob("*")):
            if file.suffix in (".py", ".json") and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(_HOME)).encode() + b"\0" + file.read_bytes())
    return f"micrograd-verified {number}+{digest.hexdigest()[:16]}"
