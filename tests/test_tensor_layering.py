"""The tensor audit's worker side is a script of its own: it imports nothing of verify or micrograd.

Read from the source with ast, as ``test_layering`` does; and the import of
``verify.tensor`` itself stays light (no numpy, no SymPy).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKER_SIDE = ("verify/tensor/worker.py",)
FORBIDDEN = ("verify", "micrograd", "sympy", "mpmath", "flint")


def imported(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def violations(path: Path) -> list[str]:
    return [f"{path.name}:{line}: imports {name}" for line, name in imported(path)
            if name.startswith(".") or name.split(".")[0] in FORBIDDEN]


def test_the_worker_side_imports_no_judge_oracle_or_report():
    for rel in WORKER_SIDE:
        assert violations(ROOT / rel) == []


def test_a_planted_import_of_the_judge_is_caught(tmp_path):
    planted = tmp_path / "worker.py"
    planted.write_text((ROOT / WORKER_SIDE[0]).read_text() + "\nfrom ..judge.verdict import check_run\n"
                       "import verify.oracle.exact\n")
    assert len(violations(planted)) == 2


def test_importing_verify_tensor_loads_no_numpy_and_no_sympy():
    code = ("import sys, verify.tensor, verify.tensor.ops, verify.tensor.program\n"
            "print(sorted(m for m in ('numpy', 'sympy', 'flint') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


SANDBOX = "verify/tensor/sandbox.py"
SANDBOX_MAY_IMPORT = ("..audit.engine", ".worker")
"""The tensor sandbox reuses the scalar boundary's pieces and the worker, nothing of the judge."""


def sandbox_violations(path: Path) -> list[str]:
    return [f"{path.name}:{line}: imports {name}" for line, name in imported(path)
            if (name.startswith(".") and not name.startswith(SANDBOX_MAY_IMPORT))
            or name.split(".")[0] in FORBIDDEN]


def test_the_sandbox_imports_only_the_boundary_package_and_the_worker():
    assert sandbox_violations(ROOT / SANDBOX) == []


def test_a_planted_import_of_the_judge_in_the_sandbox_is_caught(tmp_path):
    planted = tmp_path / "sandbox.py"
    planted.write_text((ROOT / SANDBOX).read_text() + "\nfrom .check import check\n"
                       "from ..judge import verdict\n")
    assert len(sandbox_violations(planted)) == 2
