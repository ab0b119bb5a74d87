"""The mutation driver (tests/mutation/run.py) sorts survivors rightly and points at real files."""

from __future__ import annotations

import importlib.util
import re
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
    for dropped in ("strict=None", "strict=False", ""):
        diff = f"-    for a, b in zip(xs, ys, strict=True):\n+    for a, b in zip(xs, ys, {dropped}):\n"
        assert run.reason(diff).startswith("a guard")
    swapped = "-    zip(xs, ys, strict=True)\n+    zip(ys, ys, strict=True)\n"
    assert run.reason(swapped).startswith("a test to write")


def test_every_area_names_files_that_exist() -> None:
    for area, patterns in run.AREAS.items():
        for pattern in patterns:
            assert list(ROOT.glob(pattern)), f"{area}: {pattern} matches no file"


def test_a_listed_equivalent_is_named_as_such_and_an_unlisted_change_is_not() -> None:
    (function, before, after), why = next(iter(run.EQUIVALENT.items()))
    diff = f"-    {before}\n+    {after}\n"
    assert run.reason(diff, f"{function}__mutmut_7") == f"equivalent: {why}"
    assert not run.reason(diff, "verify.oracle.ball.x_elsewhere__mutmut_7").startswith("equivalent")
    other = f"-    {before}\n+    {after} + 1\n"
    assert not run.reason(other, f"{function}__mutmut_7").startswith("equivalent")


def test_every_listed_equivalent_names_a_line_still_in_its_function() -> None:
    for (function, before, after), why in run.EQUIVALENT.items():
        module, _, name = function.rpartition(".")
        source = (ROOT / (module.replace(".", "/") + ".py")).read_text()
        plain = name.split("ǁ")[-1] if "ǁ" in name else name[2:]  # x_name, or xǁClassǁname for a method
        if "ǁ" in name:  # a method: look in its class (another class may have one of the same name)
            source = source.split(f"class {name.split('ǁ')[1]}", 1)[-1]
        assert f"def {plain}(" in source, f"{function}: no such function"
        # up to the next function at the same depth (a nested helper's lines are the function's own)
        indent = "\n    " if "ǁ" in name else "\n"
        rest = source.split(f"def {plain}(", 1)[1]
        body = re.split(f"{indent}(?:def|class) |\nclass |\ndef ", rest, maxsplit=1)[0]
        assert before in [line.strip() for line in body.splitlines()], f"{function}: {before!r} is gone"
        assert before != after and why


def test_a_function_that_runs_only_at_import_is_named_so() -> None:
    function = next(iter(run.AT_IMPORT))
    why = run.reason("-    out = xs[0]\n+    out = None\n", f"{function}__mutmut_1")
    assert why.startswith("runs only at import")
    module, _, name = function.rpartition(".")
    assert f"def {name[2:]}(" in (ROOT / (module.replace(".", "/") + ".py")).read_text()


def test_the_score_counts_a_hang_as_detected_and_skipped_mutants_not_at_all() -> None:
    states = ["killed"] * 6 + ["timeout"] * 2 + ["survived"] * 2 + ["skipped"] * 5
    assert run._score(states) == "8/10 = 80.0% detected (6 killed, 2 hung)"
    assert run._score(["killed", "not checked"]) == "1/2 = 50.0% detected (1 killed, 0 hung, 1 not checked)"


def test_each_area_named_gets_its_own_score_line() -> None:
    status = {"verify.judge.blame.x_show__mutmut_1": "killed",
              "verify.judge.blame.x_show__mutmut_2": "survived",
              "verify.oracle.fd.x__gap__mutmut_1": "timeout"}
    assert run._area_scores(status, ["judge", "verify/oracle/fd.py"]) == [
        "score of judge: 1/2 = 50.0% detected (1 killed, 0 hung)",
        "score of verify/oracle/fd.py: 1/1 = 100.0% detected (0 killed, 1 hung)"]
