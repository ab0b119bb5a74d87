"""The tensor zoo audited end to end: correct engines pass, each planted bug is found and blamed right.

Every engine is a real file run in a real worker process; nothing is mocked.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.tensor.audit import audit_tensor

pytest.importorskip("numpy")  # the engines here use it (the worker does, not verify)

ZOO = Path(__file__).parent / "engines" / "tensor"

CORRECT = [("numpy_ref", "numpy"), ("numpy_alt", "numpy"), ("torch_ref", "torch")]

PLANTED = {
    # engine: (the op to blame, the finding's kind, a word its pattern must show)
    "planted_broadcast": ("add", "grad-shape", "with"),
    "planted_sum_axis": ("sum", "gradient", "axis="),
    "planted_mean_axis": ("mean", "gradient", ""),
    "planted_matmul": ("matmul", "gradient", "@"),
    "planted_permute": ("permute", "gradient", "perm="),
    "planted_reshape": ("reshape", "gradient", "->"),
    "planted_max_ties": ("max", "gradient", "axis"),
    "planted_alias": ("add", "aliasing", "with"),
    "planted_softmax": ("softmax", "gradient", "axis="),
    "planted_log_softmax": ("log_softmax", "gradient", "axis="),
    "planted_torch_sum": ("sum", "gradient", "axis="),
    "planted_forward": ("mean", "forward", ""),
}


@pytest.mark.parametrize(("engine", "dialect"), CORRECT)
def test_a_correct_engine_passes_every_program(engine, dialect):
    result = audit_tensor(f"{ZOO / engine}.py:Tensor")
    assert result.dialect == dialect
    assert result.failures == [], result.render()
    assert result.programs >= 100
    assert {"matmul", "permute", "mean", "max", "softmax", "log_softmax"} <= set(result.ops)
    assert result.render().splitlines()[-1].startswith("PASS")


@pytest.mark.parametrize("engine", sorted(PLANTED))
def test_each_planted_bug_is_found_and_blamed_on_its_op(engine):
    op, kind, word = PLANTED[engine]
    result = audit_tensor(f"{ZOO / engine}.py:Tensor")
    first = result.failures[0]
    assert (first.finding.op, first.finding.kind) == (op, kind), result.render()
    assert word in first.finding.pattern
    assert first.steps <= 2 and first.largest_dim <= 3, first.snippet
    assert result.exit_code == 1 and result.render().splitlines()[-1].startswith("FAIL")


def test_a_crash_is_blamed_on_the_op_under_test_and_shrunk():
    result = audit_tensor(f"{ZOO / 'planted_matmul'}.py:Tensor", only="(m,k) @ (k,n)")
    [failure] = result.failures
    assert failure.finding.op == "matmul" and failure.finding.kind == "crash"
    assert failure.finding.shapes == ((1, 2), (2, 2))  # the smallest non-square pair still fails


def test_findings_name_the_wrong_elements_expected_and_actual():
    result = audit_tensor(f"{ZOO / 'planted_permute'}.py:Tensor", only="permute (1, 2, 0)")
    [failure] = result.failures
    f = failure.finding
    assert f.shapes == ((2, 2, 2),) and f.pattern == "perm=(1, 2, 0) of (2, 2, 2)"
    assert f.wrong and all(len(w) == 3 for w in f.wrong)
    flat = lambda x: [v for a in x for b in a for v in b]
    expected, actual = flat(f.expected), flat(f.actual)
    assert sorted(expected) == pytest.approx(sorted(actual))  # the right numbers, in the wrong places
    assert expected != actual


def test_the_snippet_reproduces_the_bug_with_the_engines_own_api(tmp_path):
    import subprocess
    import sys

    result = audit_tensor(f"{ZOO / 'planted_reshape'}.py:Tensor", only="reshape (m,n)")
    [failure] = result.failures
    assert "x.reshape((3, 2))" in failure.snippet
    out = subprocess.run([sys.executable, "-c", failure.snippet], cwd=ZOO, capture_output=True, text=True,
                         check=True).stdout
    printed = out.splitlines()[0]
    assert printed.replace(" ", "") != str(failure.finding.expected).replace(" ", "")


def test_json_rendering_round_trips():
    result = audit_tensor(f"{ZOO / 'planted_max_ties'}.py:Tensor", only="max with ties")
    data = json.loads(json.dumps(result.to_json()))
    assert data["kind"] == "tensor" and data["verdict"] == "fail"
    [finding] = data["findings"]
    assert finding["op"] == "max" and finding["kind"] == "gradient" and finding["snippet"]


def test_float32_storage_is_a_fragility_with_the_digits_lost_not_a_wrong_rule():
    result = audit_tensor(f"{ZOO / 'float32'}.py:Tensor", only="matmul")
    assert result.failures == [] and result.verdict == "fragile"
    [note] = result.fragilities
    digits = int(note.split("keep about ")[1].split()[0])
    assert 5 <= digits <= 9 and "float32" in note


def test_minitorch_tensors_are_audited_through_their_factory():
    result = audit_tensor(f"{ZOO / 'minitorch_like' / 'tensor_functions'}.py:tensor")
    assert result.dialect == "minitorch" and result.failures == [], result.render()
    assert {"sum", "mean", "permute", "reshape", "matmul"} <= set(result.ops)


def test_a_minitorch_bug_is_blamed_on_its_op_though_only_leaves_keep_gradients():
    result = audit_tensor(f"{ZOO / 'minitorch_like' / 'planted_permute'}.py:tensor")
    [failure] = result.failures
    assert (failure.finding.op, failure.finding.pattern) == ("permute", "perm=(1, 2, 0) of (2, 2, 2)")
    assert "from minitorch_like.planted_permute import tensor" in failure.snippet
    assert "x.permute(1, 2, 0)" in failure.snippet and ".to_numpy()" in failure.snippet


def test_a_hanging_backward_is_a_finding_on_its_op_and_the_audit_finishes():
    result = audit_tensor(f"{ZOO / 'planted_hang'}.py:Tensor", only="x + x", shrink=False)
    [failure] = result.failures
    assert (failure.finding.op, failure.finding.kind) == ("add", "crash")
    assert "backward: no answer within 5 s" in failure.finding.message


def test_the_worker_runs_under_a_memory_limit():
    result = audit_tensor(f"{ZOO / 'planted_memory'}.py:Tensor", only="matmul (m,k) @ (k,n)", shrink=False)
    [failure] = result.failures
    assert (failure.finding.op, failure.finding.kind) == ("matmul", "crash")
    assert "MemoryError" in failure.finding.message


def test_values_are_read_before_backward_can_change_them():
    result = audit_tensor(f"{ZOO / 'changes_data'}.py:Tensor", only="matmul")
    assert result.programs >= 5 and result.failures == [], result.render()
