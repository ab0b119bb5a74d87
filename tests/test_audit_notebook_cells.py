"""A notebook audit runs the code cells once per worker, skips the cells that call the verifier, and says so.

``tests/engines/notebooks/audits_itself.ipynb`` is the lecture notebook with a
bug, plus cells that audit it (``verify.audit``, ``check`` imported under
another name, ``!python -m verify``, ``%run``) and a last cell that prints.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.audit.engine.notebook import run, verifier_call
from verify.audit.render import render

NOTEBOOKS = Path(__file__).resolve().parent / "engines" / "notebooks"


@pytest.mark.parametrize(("source", "said"), [
    ("import verify\nverify.audit(Value)", "verify.audit(...)"),
    ("import verify as v\nr = [v.check(y)]", "v.check(...)"),
    ("from verify.audit import audit as a\nif True:\n    a(Value)", "a(...)"),
    ("!python -m verify audit --engine nb.ipynb:Value", "!python -m verify audit --engine nb.ipynb:Value"),
    ("!verify expr 'x*x' --at x=2", "!verify expr 'x*x' --at x=2"),
    ("%run grade.py", "%run grade.py"),
])
def test_a_cell_that_calls_the_verifier_is_found(source: str, said: str) -> None:
    assert verifier_call(source, set()) == said


@pytest.mark.parametrize("source", [
    "import verify",  # importing alone runs nothing
    "audit(Value)",  # not the verifier's
    "engine.audit(Value)",
    "text = 'verify.audit(Value)'  # verify.audit(Value)",
    "!pip install verify-something",
    "!python -m pip install graphviz",
])
def test_a_cell_that_does_not_call_the_verifier_runs(source: str) -> None:
    assert verifier_call(source, set()) is None


def test_an_alias_from_an_earlier_cell_is_remembered() -> None:
    aliases: set[str] = set()
    assert verifier_call("from verify import check", aliases) is None
    assert verifier_call("check(y)", aliases) == "check(...)"


def test_the_notes_say_which_cells_ran_were_skipped_and_raised() -> None:
    notes = run(NOTEBOOKS / "audits_itself.ipynb", "Value").notes
    assert "cell 4 skipped: the cell magic '%%bash'" in notes
    assert any(n.startswith("cell 6 raised ModuleNotFoundError") for n in notes)
    assert "cell 8 skipped: it calls the verifier (verify.audit(...))" in notes
    assert "cell 9 skipped: it calls the verifier (chk(...))" in notes
    assert any(n.startswith("cell 10 skipped") for n in notes)
    assert any(n.startswith("cell 11 skipped") for n in notes)
    assert notes[-1] == "ran code cells 2, 3, 5, 7, 12 of audits_itself.ipynb"


def test_the_audit_report_mentions_the_cells_and_the_notebooks_prints() -> None:
    result = audit(f"{NOTEBOOKS / 'audits_itself.ipynb'}:Value", max_examples=10)
    text = render(result)
    assert "  loading: cell 6 raised ModuleNotFoundError" in text
    assert "  loading: cell 8 skipped: it calls the verifier (verify.audit(...))" in text
    assert "    engine stdout | still ran" in text
    assert result.engine_output.stdout.total == len("still ran\n")  # the last cell, once: one worker
    assert result.exit_code == 1  # the notebook's tanh bug is still found
