"""verify's import layers, read from the source with ast: nothing is imported to check them.

From the top: the package's face (``verify/__init__.py``, ``__main__.py``) ->
``cli`` -> ``audit`` / ``parse`` / ``judge`` / ``strategies`` -> ``report`` ->
``oracle`` -> ``program`` and ``graph`` -> ``micrograd``. A module may import
its own layer and the ones below it, never one above; ``micrograd`` never
imports ``verify``. Every import counts, also one inside a function or under
``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[tuple[str, tuple[str, ...]]] = [  # lowest first
    ("micrograd", ("micrograd",)),
    ("program/clock", ("verify.program", "verify.graph", "verify.clock")),
    ("oracle", ("verify.oracle",)),
    ("report", ("verify.report",)),
    ("audit/parse/judge/strategies/thresholds",
     ("verify.audit", "verify.parse", "verify.judge", "verify.strategies", "verify.thresholds")),
    ("cli", ("verify.cli",)),
    ("the public API", ("verify", "verify.__main__")),
]
"""Each layer and the modules in it: a name and everything below it (``verify`` itself only exactly)."""


def layer_of(module: str) -> int | None:
    """The index in LAYERS of ``module``'s layer; None for a module outside verify and micrograd."""
    if module in ("verify", "verify.__main__"):
        return len(LAYERS) - 1
    for rank, (_, prefixes) in enumerate(LAYERS[:-1]):
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return rank
    return None


def module_of(path: Path) -> tuple[str, bool]:
    """The dotted name of a source file, and whether it is a package's ``__init__``."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def sources() -> dict[str, tuple[bool, str, Path]]:
    """Every module of verify and micrograd: name -> (is a package, source text, path)."""
    found = {}
    for folder in ("verify", "micrograd"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name, is_package = module_of(path)
            found[name] = (is_package, path.read_text(), path)
    return found


def imports(module: str, is_package: bool, text: str, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in ``text``; ``from p import m`` also ``p.m``, a module."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    yield node.lineno, f"{target}.{alias.name}"


def violations(modules: dict[str, tuple[bool, str, Path]]) -> list[str]:
    """One line per import that goes up a layer, or from micrograd into verify."""
    known = set(modules)
    found = []
    for module, (is_package, text, path) in modules.items():
        here = layer_of(module)
        assert here is not None, f"{module} belongs to no layer: add it to LAYERS in {__file__}"
        where = path.relative_to(ROOT)
        for line, target in imports(module, is_package, text, known):
            there = layer_of(target)
            if there is None:
                continue  # the standard library, SymPy, mpmath, Hypothesis
            if module.startswith("micrograd") and target.startswith("verify"):
                found.append(f"{where}:{line}: {module} imports {target}: micrograd must never import verify")
            elif there > here:
                found.append(f"{where}:{line}: {module} (layer {LAYERS[here][0]}) imports {target}"
                             f" (layer {LAYERS[there][0]}, above it)")
    return found


def test_no_module_imports_a_layer_above_its_own() -> None:
    found = violations(sources())
    assert not found, "upward imports:\n" + "\n".join(found)


def test_a_planted_upward_import_is_caught_and_named() -> None:
    modules = sources()
    is_package, text, path = modules["verify.report.text"]
    modules["verify.report.text"] = (is_package, text + "\nfrom ..cli.expr import main\n", path)
    is_package, text, path = modules["verify.oracle.exact"]
    modules["verify.oracle.exact"] = (is_package, text + "\nfrom .. import check_run\n", path)
    is_package, text, path = modules["micrograd.engine"]
    modules["micrograd.engine"] = (is_package, text + "\nimport verify.program\n", path)
    found = violations(modules)
    assert len(found) == 3, found
    assert any("verify.report.text (layer report) imports verify.cli.expr (layer cli, above it)" in line
               for line in found)
    assert any("verify.oracle.exact (layer oracle) imports verify (layer the public API" in line
               for line in found)
    assert any("micrograd.engine imports verify.program: micrograd must never import verify" in line
               for line in found)
