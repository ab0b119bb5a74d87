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


def test_float32_storage_is_a_fragility_exit_0_and_exit_1_with_strict_in_schema_valid_json():
    import jsonschema

    from verify.tensor.schema import SCHEMA

    engine = "tests/engines/tensor/float32.py:Tensor"
    loose = audit("--engine", engine)
    assert loose.returncode == 0, loose.stderr
    assert "fragility: float32: its gradients keep about" in loose.stdout and "FRAGILE" in loose.stdout
    strict = audit("--engine", engine, "--strict", "--json")
    assert strict.returncode == 1, strict.stderr
    data = json.loads(strict.stdout)
    jsonschema.validate(data, SCHEMA)
    assert (data["verdict"], data["exit_code"], data["strict"], data["findings"]) == ("fail", 1, True, [])
    assert data["fragilities"][0].startswith("float32: ")


def test_html_is_written_beside_the_text_and_json_of_every_dialect_follows_the_one_schema(tmp_path):
    import jsonschema

    from verify.tensor.schema import SCHEMA

    page = tmp_path / "report.html"
    done = audit("--engine", "tests/engines/tensor/planted_matmul.py:Tensor", "--html", str(page))
    assert done.returncode == 1, done.stderr
    assert "FAIL  1 finding" in done.stdout
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<td class='exact'>matmul</td>" in html
    assert "planted_matmul.py:Tensor" in html.split("<title>")[1].split("</title>")[0]
    for engine, dialect in (("tests/engines/tensor/planted_matmul.py:Tensor", "numpy"),
                            ("tests/engines/tensor/torch_ref.py:Tensor", "torch"),
                            ("tests/engines/tensor/minitorch_like/tensor_functions.py:tensor", "minitorch")):
        done = audit("--engine", engine, "--json")
        data = json.loads(done.stdout)
        jsonschema.validate(data, SCHEMA)
        assert data["dialect"] == dialect and done.returncode == data["exit_code"]


def test_the_schema_is_printed_by_the_tensor_cli_and_documented_in_the_readme():
    from verify.tensor.schema import SCHEMA

    done = subprocess.run([sys.executable, "-m", "verify.tensor", "--schema"], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and json.loads(done.stdout) == json.loads(json.dumps(SCHEMA))
    assert "python -m verify.tensor --schema" in (ROOT / "README.md").read_text()


def test_options_a_tensor_audit_cannot_honour_are_refused_not_ignored(tmp_path):
    engine = "tests/engines/tensor/numpy_ref.py:Tensor"
    for extra in (["--ops", "add"], ["--max-examples", "5"]):
        done = audit("--engine", engine, *extra)
        assert done.returncode == 2 and "not for a tensor engine" in done.stderr, extra
        assert done.stdout == ""
    unwritable = audit("--engine", engine, "--html", str(tmp_path / "no" / "such" / "x.html"))
    assert unwritable.returncode == 2 and "--html" in unwritable.stderr


def test_isolate_is_honoured_or_refused_never_ignored():
    from verify.audit.engine import confine

    done = audit("--engine", "tests/engines/tensor/planted_matmul.py:Tensor", "--isolate")
    if confine.why_not() is None:
        assert done.returncode == 1 and "matmul" in done.stdout, done.stderr
    else:
        assert done.returncode == 2 and "--isolate" in done.stderr
