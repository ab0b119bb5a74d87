"""``verify.audit(Tensor)`` from Python: a tensor engine class (one defined in a function, a notebook
cell or a REPL too, which no file holds) gets the tensor audit, with the scalar result's face."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import verify
from verify.audit.engine.sandbox import UnusableEngine
from verify.audit.engine.spec import UsageError

ZOO = Path(__file__).parent / "engines" / "tensor"
pytest.importorskip("numpy")
sys.path.insert(0, str(ZOO))
from numpy_ref import Tensor as Reference  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"),
                                reason="a class in memory is audited in a worker forked from here")


def planted() -> type:
    """Matmul's transposes swapped, in a class no file defines (as a notebook cell's)."""

    class Tensor(Reference):
        def __matmul__(self, other):  # type: ignore[no-untyped-def]
            out = self._new(self.data @ other.data, (self, other), "@")

            def _backward() -> None:
                self.grad += out.grad @ other.data
                other.grad += self.data @ out.grad
            out._backward = _backward
            return out

    return Tensor


def test_a_planted_class_in_memory_fails_with_the_op_and_the_scalar_results_face():
    result = verify.audit(planted(), deadline=120, only="matmul")
    assert type(result).__name__ == "TensorAudit"
    assert result.verdict == "fail" and result.exit_code == 1 and not result.ok
    assert [f.finding.op for f in result.findings] == ["matmul"] and result.faults == result.findings
    assert result.fragilities == []
    assert result.engine.endswith(":Tensor") and "1 finding (gradient in matmul)" in result.summary()
    snippet = result.findings[0].snippet.splitlines()
    assert snippet[1] == "# Tensor: the class defined in this notebook or session"  # nothing imports it
    page = result._repr_html_()
    assert "finding 1: gradient" in page and "<td class='exact'>matmul</td>" in page
    with pytest.raises(AssertionError, match="FAIL  1 finding"):
        result.raise_for_findings()
    assert result.to_dict() == result.to_json() and result.to_dict()["exit_code"] == 1


def test_a_correct_class_in_memory_passes():
    class Tensor(Reference):
        pass

    result = verify.audit(Tensor, deadline=120, only="matmul")
    assert (result.verdict, result.exit_code, result.findings) == ("pass", 0, [])
    result.raise_for_findings()  # passes: nothing raised


def test_a_notebook_class_has_a_snippet_without_an_import():
    namespace: dict[str, object] = {"__name__": "__main__", "Reference": Reference}
    exec(compile((ZOO / "planted_permute.py").read_text().replace("from numpy_ref import Tensor as Reference",
                                                                  ""), "<cell>", "exec"), namespace)
    result = verify.audit(namespace["Tensor"], deadline=120, only="permute")
    assert result.engine == "__main__:Tensor" and result.exit_code == 1
    first = result.findings[0].snippet.splitlines()
    assert first[:2] == ["import numpy as np", "# Tensor: the class defined in this notebook or session"]


def test_float32_storage_is_a_fragility_exit_0_and_1_when_strict():
    from float32 import Tensor

    loose = verify.audit(Tensor, deadline=120, only="matmul")
    assert (loose.verdict, loose.exit_code) == ("fragile", 0) and loose.fragilities
    strict = verify.audit(Tensor, deadline=120, only="matmul", strict=True)
    assert (strict.verdict, strict.exit_code, strict.findings) == ("fail", 1, [])


def test_options_without_a_meaning_for_a_tensor_engine_are_refused_not_dropped():
    with pytest.raises(UsageError, match="takes no max_examples"):
        verify.audit(Reference, max_examples=5)
    with pytest.raises(UsageError, match="deadline=None"):
        verify.audit(Reference, deadline=None)
    with pytest.raises(UsageError, match="kind='matrix'"):
        verify.audit(Reference, kind="matrix")


def test_a_scalar_class_stays_with_the_scalar_audit():
    from micrograd.engine import Value

    result = verify.audit(Value, max_examples=1, deadline=120)
    assert type(result).__name__ == "AuditResult" and result.exit_code == 0


def test_an_engine_in_memory_that_cannot_be_surveyed_is_unusable_in_the_scalar_audits_words():
    def tensor(data):  # type: ignore[no-untyped-def]
        raise RuntimeError("no tensors today")

    with pytest.raises(UnusableEngine, match="RuntimeError: no tensors today"):
        verify.audit(tensor, kind="tensor", deadline=60)
    with pytest.raises(UnusableEngine, match="give a class"):
        verify.audit(42, kind="tensor")


def test_a_class_defined_in_a_real_jupyter_kernel_is_audited_and_shown_as_html(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    root = str(Path(__file__).resolve().parent.parent)
    importing = "from numpy_ref import Tensor as Reference"
    planted = (ZOO / "planted_permute.py").read_text().replace(importing, "")
    cells = [f"import sys\nsys.path[:0] = [{root!r}, {str(ZOO)!r}]\nimport verify\n{importing}",
             planted,
             'result = verify.audit(Tensor, deadline=120, only="permute")\nresult',
             "print(result.verdict, result.exit_code, [f.finding.op for f in result.findings],"
             " Tensor.__module__)"]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if any cell fails
    shown = notebook.cells[2].outputs[0]["data"]
    page = shown["text/html"]
    assert "finding 1: gradient" in page and "<td class='exact'>permute</td>" in page
    assert "FAIL  1 finding" in shown["text/plain"]  # IPython's text view is the report
    printed = notebook.cells[3].outputs[0]["text"]
    assert printed.strip() == "fail 1 ['permute'] __main__"
