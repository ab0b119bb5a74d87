"""The mutation driver (tests/mutation/run.py) sorts survivors rightly and points at real files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("mutation_run", ROOT / "tests" / "mutation" / "run.py")
assert _spec is not None and _spec.loader is not None
run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


def test_a_mutant_that_changes_only_a_message_is_told_apart_from_one_that_changes_a_decision() -> None:
    wording = '-    note = f"gradient of {name}"\n+    note = f"XXgradient of {name}XX"\n'
    decision = "-    if drift > WIDE * abs(exact):\n+    if drift > WIDE / abs(exact):\n"
    both = '-    if x > 1: say("a")\n+    if x > 2: say("XXaXX")\n'
    assert run.reason(wording).startswith("a string literal only")
    assert run.reason(decision).startswith("a test to write")
    assert run.reason(both).startswith("a test to write")
    assert run.reason("-    if d <= tol:\n+    if d < tol:\n").startswith("a boundary")
    assert run.reason("-    if d <= tol:\n+    if d < 2 * tol:\n").startswith("a test to write")


def test_every_area_names_files_that_exist() -> None:
    for area, patterns in run.AREAS.items():
        for pattern in patterns:
            assert list(ROOT.glob(pattern)), f"{area}: {pattern} matches no file"
