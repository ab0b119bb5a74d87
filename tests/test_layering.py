"""verify's import layers, read from the source with ast: nothing is imported to check them.

From the top: the package's face (``verify/__init__.py``, ``__main__.py``) ->
``cli`` -> ``batch`` -> ``thresholds`` -> ``audit`` -> ``tensor`` -> ``strategies`` -> ``parse`` ->
``judge`` -> ``report`` -> ``oracle`` -> ``audit.engine`` -> ``program`` and ``graph`` -> ``micrograd``. A
module may import its own layer and the ones below it, never one above;
``micrograd`` never imports ``verify``. Every import counts, also one inside a
function or under ``TYPE_CHECKING``.

``verify.audit.engine`` runs beside the foreign engine, so it is held tighter
still: besides its own package it imports ``verify.program``, ``verify.clock``,
``micrograd.ops`` and the standard library, nothing else (no judge, oracle,
report or strategies, no SymPy, no Hypothesis).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LAYERS: list[tuple[str, tuple[str, ...]]] = [  # lowest first
    ("micrograd", ("micrograd",)),
    ("program/clock", ("verify.program", "verify.graph", "verify.clock")),
    ("audit.engine", ("verify.audit.engine",)),
    ("oracle", ("verify.oracle",)),
    ("report", ("verify.report",)),
    ("judge", ("verify.judge",)),
    ("parse", ("verify.parse",)),
    ("strategies", ("verify.strategies",)),
    ("tensor", ("verify.tensor",)),
    ("audit", ("verify.audit",)),
    # the register names constants of the judge, the oracles and the audit: it sits above them all
    # (it reads them on demand, by name, so importing it stays light)
    ("thresholds", ("verify.thresholds",)),
    ("batch", ("verify.batch",)),
    ("cli", ("verify.cli",)),
    ("the public API", ("verify", "verify.__main__")),
]
"""Each layer and the modules in it: a name and everything below it (``verify`` itself only exactly).
A module belongs to the first layer that names it, so ``verify.audit.engine`` is not ``audit``."""

BOUNDARY = "verify.audit.engine"
BOUNDARY_MAY_IMPORT = ("verify.audit.engine", "verify.program", "verify.clock", "micrograd.ops")
"""What the code beside a foreign engine may import, besides the standard library."""


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


def boundary_violations(modules: dict[str, tuple[bool, str, Path]]) -> list[str]:
    """One line per import of ``verify.audit.engine`` that is neither the stdlib nor BOUNDARY_MAY_IMPORT."""
    known = set(modules)
    found = []
    for module, (is_package, text, path) in modules.items():
        if not (module == BOUNDARY or module.startswith(BOUNDARY + ".")):
            continue
        for line, target in imports(module, is_package, text, known):
            top = target.split(".")[0]
            if top in sys.stdlib_module_names and top not in ("verify", "micrograd"):
                continue
            if target == "micrograd" or any(target == name or target.startswith(name + ".")
                                            for name in BOUNDARY_MAY_IMPORT):
                continue
            found.append(f"{path.relative_to(ROOT)}:{line}: {module} imports {target}: the engine boundary "
                         f"imports only {', '.join(BOUNDARY_MAY_IMPORT)} and the standard library")
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


def test_the_engine_boundary_imports_only_program_ops_and_the_stdlib() -> None:
    found = boundary_violations(sources())
    assert not found, "\n".join(found)


def test_a_planted_import_across_the_engine_boundary_is_caught() -> None:
    modules = sources()
    for name, planted in (("verify.audit.engine.worker", "\nfrom ...judge.verdict import check_run\n"),
                          ("verify.audit.engine.probes", "\nimport sympy\n"),
                          ("verify.audit.engine.protocol", "\nfrom micrograd.engine import Value\n"),
                          ("verify.audit.engine.sandbox", "\nfrom .. import DEFAULT_MEMORY\n")):
        is_package, text, path = modules[name]
        modules[name] = (is_package, text + planted, path)
    found = boundary_violations(modules)
    assert len(found) == 4, found
    for target in ("verify.judge.verdict", "sympy", "micrograd.engine", "verify.audit"):
        assert any(f"imports {target}: the engine boundary" in line for line in found), (target, found)
    layered = violations(modules)
    assert any("verify.audit.engine.worker (layer audit.engine) imports verify.judge.verdict (layer judge"
               in line for line in layered), layered
    assert any("verify.audit.engine.sandbox (layer audit.engine) imports verify.audit (layer audit" in line
               for line in layered), layered


def test_the_audit_may_not_be_imported_by_the_judge_or_the_strategies() -> None:
    modules = sources()
    for name in ("verify.judge.verdict", "verify.strategies"):
        is_package, text, path = modules[name]
        modules[name] = (is_package, text + "\nfrom verify.audit.campaign import audit_campaign\n", path)
    found = violations(modules)
    assert any("verify.judge.verdict (layer judge) imports verify.audit.campaign (layer audit" in line
               for line in found), found
    assert any("verify.strategies (layer strategies) imports verify.audit.campaign (layer audit" in line
               for line in found), found
