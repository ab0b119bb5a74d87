"""``python -m verify.tensor``: the report, its JSON (checked against the schema) and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from verify.tensor import audit_tensor
from verify.tensor.schema import SCHEMA

ROOT = Path(__file__).resolve().parent.parent
ZOO = "tests/engines/tensor"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify.tensor", *args], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_a_finding_exits_1_with_the_report():
    done = run(f"{ZOO}/scalar_planted.py:Scalar")
    assert done.returncode == 1, done.stderr
    assert "gradient: div  [() with ()]" in done.stdout
    assert done.stdout.rstrip().endswith("FAIL  1 finding")


def test_a_correct_engine_exits_0_and_its_json_follows_the_schema():
    done = run(f"{ZOO}/scalar_ref.py:Scalar", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["verdict"] == "pass" and data["findings"] == []


def test_findings_json_follows_the_schema():
    data = audit_tensor(f"{ROOT / ZOO}/scalar_planted.py:Scalar").to_json()
    jsonschema.validate(json.loads(json.dumps(data)), SCHEMA)
    assert data["findings"][0]["snippet"].startswith("from scalar_planted import Scalar")


def test_an_unusable_engine_exits_2_with_one_line(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no')\n")
    for spec in (f"{broken}:Tensor", "no/such/file.py:Tensor", f"{ZOO}/scalar_ref.py"):
        done = run(spec)
        assert done.returncode == 2, (spec, done.stdout)
        assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1
    assert "RuntimeError: no" in run(f"{broken}:Tensor").stderr


def test_a_bad_option_is_a_usage_error():
    assert run(f"{ZOO}/scalar_ref.py:Scalar", "--dialect", "jax").returncode == 2


def test_the_front_door_can_route_tensor_engines_here_and_scalar_ones_not():
    from verify.tensor.audit import wants_tensor_audit

    assert wants_tensor_audit(f"{ROOT / ZOO}/scalar_ref.py:Scalar")  # minitorch's Scalar: .derivative
    assert not wants_tensor_audit(f"{ROOT}/tests/engines/reference.py:Value")


def test_array_engines_and_factories_are_routed_here():
    pytest.importorskip("numpy")
    from verify.tensor.audit import wants_tensor_audit

    assert wants_tensor_audit(f"{ROOT / ZOO}/minitorch_like/tensor_functions.py:tensor")
    assert wants_tensor_audit(f"{ROOT / ZOO}/torch_ref.py:Tensor")


def test_a_notebook_shows_the_audit_as_escaped_html():
    result = audit_tensor(f"{ROOT / ZOO}/scalar_planted.py:Scalar")
    page = result._repr_html_()
    assert page.startswith("<style>") and "finding 1: gradient" in page
    assert "<td class='exact'>div</td>" in page and "t1 = x / y" in page
    assert "<script" not in page and page.count("<pre>") == 1


def test_the_cli_defaults_are_the_registered_ones(capsys):
    from verify.tensor.audit import RANDOM_PROGRAMS
    from verify.tensor.cli import main
    from verify.tensor.runner import DEADLINE

    assert main(["--help"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert f"(default {DEADLINE:g})" in shown and f"(default {RANDOM_PROGRAMS})" in shown
