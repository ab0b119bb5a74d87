"""The register of thresholds (``verify/thresholds.py``) is complete and its named tests exist.

Threshold-like, precisely: in the files of ``thresholds.SCANNED``, (1) a module-level name bound by
an assignment to an int, a float, an arb ball, or a tuple of them; (2) a numeric literal anywhere
inside a comparison, other than ``thresholds.PLAIN``. Each (1) is registered or in
``NOT_THRESHOLDS``; each (2) is in ``LITERALS`` (give a threshold a name instead).
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flint import arb

from verify import thresholds
from verify.thresholds import GUARDED, KINDS, LITERALS, NOT_THRESHOLDS, PLAIN, REGISTER, SCANNED, UNIMPORTED

ROOT = Path(__file__).resolve().parents[1]
SEEN = sorted({p for pattern in SCANNED for p in ROOT.glob(pattern)})
FILES = [p for p in SEEN if str(p.relative_to(ROOT)) not in UNIMPORTED]
REGISTERED = {t.name: t for t in REGISTER}


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _numeric(value: Any) -> bool:
    if isinstance(value, tuple):
        return bool(value) and all(_numeric(v) for v in value)
    return isinstance(value, (int, float, arb)) and not isinstance(value, bool)


def assigned_names(source: str) -> list[str]:
    """Names bound at module level by an assignment."""
    names = []
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) and node.value is not None else []
        names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def compared_literals(source: str) -> list[tuple[int, float]]:
    """(line, value) of every numeric literal inside a comparison that is not plain arithmetic."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for n in ast.walk(node):
                if (isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
                        and not isinstance(n.value, bool) and n.value not in PLAIN):
                    found.append((n.lineno, n.value))
    return found


def test_the_scanned_files_are_the_judge_the_oracles_and_the_audits_decisions() -> None:
    shown = {str(p.relative_to(ROOT)) for p in FILES}
    assert {"verify/judge/verdict.py", "verify/oracle/ball.py", "verify/audit/trial.py",
            "verify/audit/raises.py", "verify/audit/substitute.py", "verify/audit/phases.py",
            "verify/audit/battery.py", "verify/tensor/narrow.py", "verify/tensor/softmax.py",
            "verify/tensor/check.py", "verify/tensor/allowance.py", "verify/tensor/sandbox.py"} <= shown
    assert {str(p.relative_to(ROOT)) for p in SEEN} - shown == set(UNIMPORTED)


@pytest.mark.parametrize("where", UNIMPORTED)
def test_a_file_scanned_as_text_binds_no_number_and_compares_with_none(where: str) -> None:
    source = (ROOT / where).read_text()
    literal = [n for n in ast.parse(source).body if isinstance(n, (ast.Assign, ast.AnnAssign))
               and any(isinstance(c, ast.Constant) and isinstance(c.value, (int, float))
                       for c in ast.walk(n))]
    assert not literal and not compared_literals(source), f"{where}: move its numbers to an imported module"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_threshold_like_constant_is_registered(path: Path) -> None:
    module = importlib.import_module(_module(path))
    missing = []
    for name in assigned_names(path.read_text()):
        full = f"{module.__name__}.{name}"
        if _numeric(getattr(module, name, None)) and full not in REGISTERED and full not in NOT_THRESHOLDS:
            missing.append(full)
    assert not missing, f"register these in verify/thresholds.py (or say why they decide nothing): {missing}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_literal_in_a_comparison_is_named_or_explained(path: Path) -> None:
    where = str(path.relative_to(ROOT))
    bare = [(line, v) for line, v in compared_literals(path.read_text()) if (where, v) not in LITERALS]
    assert not bare, f"{where}: give these thresholds a name and register them: {bare}"


def test_the_scan_sees_a_planted_constant_and_a_planted_literal() -> None:
    source = "NEW_TOLERANCE = 3e-7\nSHOWN = 'text'\ndef f(x):\n    return x > 0 and abs(x) < 2.5e-3 * x\n"
    assert assigned_names(source) == ["NEW_TOLERANCE", "SHOWN"]
    assert compared_literals(source) == [(4, 2.5e-3)]


@pytest.mark.parametrize("entry", REGISTER, ids=lambda t: t.name)
def test_each_entry_lives_where_it_says_and_says_why(entry: thresholds.Threshold) -> None:
    assert _numeric(entry.value), entry.name
    assert entry.kind in KINDS and entry.why, entry
    if entry.kind in GUARDED and not (entry.looser and entry.tighter):
        assert entry.untested, f"{entry.name}: a 10x-looser and a 10x-tighter test, or the gap stated"
    if entry.kind not in GUARDED:
        assert entry.untested, entry.name


def _exists(test: str) -> bool:
    path, _, rest = test.partition("::")
    name, _, param = rest.partition("[")
    file = ROOT / path
    if not file.is_file():
        return False
    source = file.read_text()
    defined = {n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
    return name in defined and (not param or param.rstrip("]") in source)


@pytest.mark.parametrize("entry", [t for t in REGISTER if t.looser or t.tighter], ids=lambda t: t.name)
def test_each_named_test_exists(entry: thresholds.Threshold) -> None:
    missing = [t for t in entry.looser + entry.tighter if not _exists(t)]
    assert not missing, f"{entry.name} names tests that do not exist: {missing}"


def test_a_misnamed_test_is_noticed() -> None:
    assert _exists("tests/test_thresholds.py::test_a_misnamed_test_is_noticed")
    assert not _exists("tests/test_thresholds.py::test_that_is_not_there")
    assert not _exists(thresholds._TOL.format("NO SUCH GUARD"))


def test_the_register_loads_neither_sympy_nor_flint() -> None:
    code = "import sys, verify.thresholds; print(sorted({'sympy', 'flint', 'mpmath'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(NOT_THRESHOLDS))
def test_each_name_said_to_decide_nothing_exists(name: str) -> None:
    module, _, attribute = name.rpartition(".")
    assert hasattr(importlib.import_module(module), attribute), f"{name} is gone: drop it from NOT_THRESHOLDS"


def test_every_register_name_is_unique() -> None:
    assert len(REGISTERED) == len(REGISTER)
