"""Which engines a batch audits (globs, list files, labels) and when a stored result may be reused."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from verify.batch import specs
from verify.batch.local import run_local
from verify.batch.store import Store, key, slot

OPTIONS = {"max_examples": 5, "seed": 0, "ops": None, "timeout": 10.0, "deadline": 300.0, "memory": 1 << 30}


def _class_folder(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "engine.py").write_text(f"class Value:\n    who = {name!r}\n")


def test_a_glob_expands_to_each_file_sorted_and_labels_are_what_differs(tmp_path: Path) -> None:
    _class_folder(tmp_path / "subs", ["carol", "alice", "bob"])
    found = specs.engines([f"{tmp_path}/subs/*/engine.py:Value"])
    assert [e.label for e in found] == ["alice", "bob", "carol"]
    assert [e.spec for e in found] == [f"{tmp_path}/subs/{n}/engine.py:Value"
                                       for n in ("alice", "bob", "carol")]


def test_classes_of_one_file_are_labelled_by_their_names() -> None:
    assert [e.label for e in specs.engines(["zoo/graphs.py:BreadthFirst", "zoo/graphs.py:PreOrder"])] == [
        "BreadthFirst", "PreOrder"]
    assert [e.label for e in specs.engines(["zoo/base.py:Value", "zoo/graphs.py:PreOrder"])] == [
        "base.py:Value", "graphs.py:PreOrder"]


def test_a_glob_that_matches_nothing_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(specs.SpecError, match="no file matches"):
        specs.engines([f"{tmp_path}/nothing/*/engine.py:Value"])
    with pytest.raises(specs.SpecError, match=r"expected path/to/file\.py:ClassName"):
        specs.engines(["engine.py"])
    with pytest.raises(specs.SpecError, match="no engine to audit"):
        specs.engines([])


def test_a_list_file_reads_specs_labels_comments_and_paths_relative_to_itself(tmp_path: Path) -> None:
    _class_folder(tmp_path / "subs", ["alice", "bob"])
    roster = tmp_path / "subs" / "roster.txt"
    roster.write_text("# the class\nalice/engine.py:Value s001\n\n'bob/engine.py:Value' 'Bob Smith'  # late\n"
                      "micrograd.engine:Value\n")
    listed = specs.read_list(str(roster), roster.read_text())
    here = os.getcwd()
    assert listed == [(os.path.relpath(tmp_path / "subs/alice/engine.py", here) + ":Value", "s001"),
                      (os.path.relpath(tmp_path / "subs/bob/engine.py", here) + ":Value", "Bob Smith"),
                      ("micrograd.engine:Value", None)]
    found = specs.engines([], listed)
    assert [e.label for e in found] == ["s001", "Bob Smith", "micrograd.engine:Value"]


def test_a_bad_list_line_and_a_label_given_twice_are_errors(tmp_path: Path) -> None:
    with pytest.raises(specs.SpecError, match="line 2: expected SPEC or SPEC LABEL, found 3 words"):
        specs.read_list("roster.txt", "a.py:Value x\na.py:Value x y\n")
    with pytest.raises(specs.SpecError, match="labels must differ"):
        specs.engines([], [("a.py:Value", "x"), ("b.py:Value", "x")])
    # the same spec twice is audited once; the same file spelled two ways is refused
    assert [e.spec for e in specs.engines(["a.py:Value", "a.py:Value"])] == ["a.py:Value"]
    from verify.batch.api import audit_many

    (tmp_path / "a.py").write_text("class Value:\n    pass\n")
    with pytest.raises(specs.SpecError, match="are the same engine"):
        audit_many([f"{tmp_path}/a.py:Value", f"{tmp_path}/./a.py:Value"])


def test_the_key_changes_with_the_engine_its_imports_the_seed_and_the_options(tmp_path: Path) -> None:
    (tmp_path / "base.py").write_text("class Base:\n    pass\n")
    (tmp_path / "engine.py").write_text("from base import Base\n\nclass Value(Base):\n    pass\n")
    (tmp_path / "other.py").write_text("x = 1\n")
    spec, cwd = "engine.py:Value", str(tmp_path)
    first = key(spec, cwd, OPTIONS)
    assert key(spec, cwd, dict(OPTIONS)) == first
    assert key(spec, cwd, {**OPTIONS, "seed": 1}) != first
    assert key(spec, cwd, {**OPTIONS, "max_examples": 6}) != first
    (tmp_path / "other.py").write_text("x = 2\n")  # not imported: the result still holds
    assert key(spec, cwd, OPTIONS) == first
    (tmp_path / "base.py").write_text("class Base:\n    level = 2\n")  # imported: it does not
    second = key(spec, cwd, OPTIONS)
    assert second != first
    (tmp_path / "engine.py").write_text("from base import Base\n\nclass Value(Base):\n    level = 3\n")
    assert key(spec, cwd, OPTIONS) != second


def test_a_result_is_reused_only_under_its_key_and_only_when_complete(tmp_path: Path) -> None:
    store = Store(tmp_path / "out")
    name = slot("engine.py:Value", str(tmp_path))
    assert name == slot("./engine.py:Value", str(tmp_path)) != slot("engine.py:Other", str(tmp_path))
    assert store.load(name, "k1") is None
    store.save(name, {"key": "k1", "verdict": "pass"}, "text", "<p>html</p>")
    assert store.load(name, "k1") == {"key": "k1", "verdict": "pass"}
    assert store.load(name, "k2") is None
    store.path(name, "report.html").unlink()  # a folder killed half-way is no result
    assert store.load(name, "k1") is None


def test_the_local_pool_runs_every_job_at_most_jobs_at_a_time() -> None:
    running = peak = 0
    lock = threading.Lock()

    def job(n: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return n * n

    done = dict(run_local(job, list(range(9)), jobs=3))
    assert done == {i: i * i for i in range(9)}
    assert peak == 3


def test_the_local_pool_runs_processes_and_passes_a_job_s_exception_on() -> None:
    assert dict(run_local(abs, [-1, -2, 3], jobs=2, processes=True)) == {0: 1, 1: 2, 2: 3}
    with pytest.raises(TypeError):
        list(run_local(abs, ["x"], jobs=1))
