"""``python -m verify audit`` routes a tensor engine to the tensor audit, and a scalar engine stays scalar."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify", "audit", "-q", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_planted_tensor_engine_is_audited_as_one_through_the_front_door():
    done = audit("--engine", "tests/engines/tensor/scalar_planted.py:Scalar", "--json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["dialect"] == "scalar"
    assert [f["op"] for f in data["findings"]] == ["div"]


def test_a_scalar_engine_is_not_taken_for_a_tensor_engine():
    from verify.tensor.audit import wants_tensor_audit

    assert not wants_tensor_audit("tests/engines/zoo/base.py:Value")
    assert wants_tensor_audit("tests/engines/tensor/scalar_ref.py:Scalar")


def test_kind_scalar_keeps_the_scalar_audit():
    done = audit("--engine", "tests/engines/tensor/scalar_ref.py:Scalar", "--kind", "scalar", "--json",
                 "--max-examples", "1")
    # the scalar audit reads .grad, which minitorch's Scalar does not have: it is refused, in its words
    assert done.returncode == 2
    assert "unusable engine" in done.stderr and "has no .grad" in done.stderr
    assert done.stdout == ""
