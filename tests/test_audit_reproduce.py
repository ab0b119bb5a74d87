"""Reproduction snippets run as printed, in fresh interpreters, for every way an engine is loaded.

For each layout the audit's worker runs a program, the snippet of that program
is run in new processes from the folder the audit ran in, and its printed
gradients must be the ones the worker read.
"""

from __future__ import annotations

import math
import os
import shutil
import uuid
from pathlib import Path

import pytest

from verify.audit.engine.sandbox import EngineProcess
from verify.audit.engine.spec import EngineSpec
from verify.audit.reproduce import Reproduction, engine_import, matches, program_snippet, reproduces
from verify.program import Const, Program, Step

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
NOTEBOOKS = ROOT / "tests" / "engines" / "notebooks"
LEARNER = ZOO / "learner_pkg"

# x * y, then a number on the left, then the same object twice: every gradient exact in binary.
PROGRAM = Program((("x", 1.5), ("y", -2.0)),
                  (Step("mul", (0, 1)), Step("sub", (Const(3.0), 2)), Step("mul", (3, 3))))
EXP = Program((("x", 2.0),), (Step("exp", (0,)),))


def seen(spec: str, program: Program, cwd: Path | None = None) -> tuple[str, list[float | str | None]]:
    """The snippet of ``program`` and the input gradients the audit's worker read for it."""
    here = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        with EngineProcess(spec, 5.0) as engine:
            answer = engine.run(program)
            snippet = program_snippet(engine.spec, program, engine.ready, str(cwd or here))
    finally:
        os.chdir(here)
    assert answer.stage == "done", answer
    printed = {u.slot: u.printed for u in answer.unreadable}
    grads = [printed.get(i, answer.grad[i]) for i in range(len(program.inputs))]
    return snippet, grads


def copy_of_relpkg_as(tmp_path: Path, name: str) -> Path:
    shutil.copytree(ZOO / "relpkg", tmp_path / name)
    return tmp_path / name / "engine.py"


@pytest.mark.parametrize(("spec", "program", "head"), [
    (f"{ZOO / 'base.py'}:Value", PROGRAM, "from base import Value"),
    (f"{ZOO / '005_x-y_revgrad.py'}:Value", Program((("x", 6.0), ("y", 3.0)), (Step("div", (0, 1)),)),
     "spec_from_file_location('engine_005_x_y_revgrad'"),
    (f"{ZOO / 'relpkg' / 'engine.py'}:Value", Program((("x", 4.0),), (Step("sqrt", (0,)),)),
     "from relpkg.engine import Value"),
    (f"{LEARNER / 'micrograd' / 'engine.py'}:Value", EXP, "from micrograd.engine import Value"),
    (f"{NOTEBOOKS / 'buggy.ipynb'}:Value", Program((("x", 0.5),), (Step("tanh", (0,)),)),
     "load_class("),
    (f"{ZOO / 'unreadable.py'}:GradAsText", PROGRAM, "from unreadable import GradAsText"),
])
def test_a_snippet_reproduces_what_the_audit_saw(spec: str, program: Program, head: str,
                                                 tmp_path: Path) -> None:
    snippet, grads = seen(spec, program)
    assert head in snippet, snippet
    result = reproduces(snippet, grads, runs=2, cwd=tmp_path)  # from anywhere: paths are absolute
    assert (result.hits, result.runs) == (2, 2), result.outputs
    assert result.summary == "reproduces: yes (2 of 2 runs)"


def test_a_package_folder_that_is_no_module_name(tmp_path: Path) -> None:
    engine = copy_of_relpkg_as(tmp_path, "my-engine")
    snippet, grads = seen(f"{engine}:Value", Program((("x", 4.0),), (Step("sqrt", (0,)),)))
    assert "submodule_search_locations" in snippet
    assert tuple(reproduces(snippet, grads, runs=1, cwd=tmp_path)) == (1, 1)


def test_a_module_spec_from_the_learners_folder(tmp_path: Path) -> None:
    snippet, grads = seen("micrograd.engine:Value", EXP, cwd=LEARNER)
    assert grads == [2.0]  # theirs: exp' = x
    assert snippet.startswith(f"import sys; sys.path.insert(0, {str(LEARNER)!r})")
    assert tuple(reproduces(snippet, grads, runs=1, cwd=LEARNER)) == (1, 1)
    assert tuple(reproduces(snippet, grads, runs=1, cwd=tmp_path)) == (1, 1)  # the folder is in the snippet


def test_our_engine_by_module_imports_plainly() -> None:
    spec = EngineSpec.parse("micrograd.engine:Value")
    assert engine_import(spec, None, "/somewhere/else") == ["from micrograd.engine import Value"]


def test_a_run_that_differs_does_not_reproduce(tmp_path: Path) -> None:
    snippet, grads = seen(f"{ZOO / 'base.py'}:Value", PROGRAM)
    wrong = [g + 1 for g in grads if isinstance(g, float)]
    result = reproduces(snippet, wrong, runs=1, cwd=tmp_path)
    assert (result.hits, result.always) == (0, False)
    assert result.summary.startswith("reproduces: no (")


def test_a_nondeterministic_engine_reproduces_some_of_the_time(tmp_path: Path) -> None:
    # Each run takes the next number from a counter in the folder; even runs print the "bug".
    snippet = (
        "import os, itertools\n"
        "for n in itertools.count():\n"
        "    try:\n"
        "        os.close(os.open(f'run-{n}', os.O_CREAT | os.O_EXCL)); break\n"
        "    except FileExistsError:\n"
        "        pass\n"
        "print(1.0 if n % 2 == 0 else 2.0)\n"
    )
    result = reproduces(snippet, [1.0], runs=5, cwd=tmp_path)
    assert (result.hits, result.runs) == (3, 5)
    assert result.summary == "reproduces: 3 of 5 runs (the engine is nondeterministic)"


def test_a_crash_reproduces_as_its_exception(tmp_path: Path) -> None:
    program = Program((("x", 0.0),), (Step("abs", (0,)),))
    spec = EngineSpec.parse(f"{ZOO / 'crashes.py'}:AbsSignByDivision")
    snippet = program_snippet(spec, program)
    assert tuple(reproduces(snippet, raises="ZeroDivisionError", runs=1, cwd=tmp_path)) == (1, 1)
    assert tuple(reproduces(snippet, raises="TypeError", runs=1, cwd=tmp_path)) == (0, 1)


def test_a_hang_reproduces_as_a_timeout_and_leaves_nothing_behind(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    mark = uuid.uuid4().hex
    monkeypatch.setenv("VERIFY_SNIPPET_MARK", mark)
    snippet = "import os, time\nif os.fork() == 0:\n    time.sleep(60)\nwhile True:\n    pass\n"
    result = reproduces(snippet, hangs=True, runs=2, cwd=tmp_path, timeout=1.0)
    assert (result.hits, result.runs) == (2, 2) and "still running after 1 s" in result.outputs[0]
    needle = f"VERIFY_SNIPPET_MARK={mark}".encode()
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue
        assert needle not in environ.split(b"\0"), f"process {entry} outlived its snippet"


def test_matching_printed_gradients() -> None:
    assert matches("1.5 -2.0", [1.5, -2.0]) and matches("nan 0", [math.nan, 0.0])
    assert matches("3.0000 None", ["3.0000", "None"]) and matches("7 8", [None, 8.0])
    assert not matches("1.5", [1.5, 2.0]) and not matches("1.5 x", [1.5, 2.0])
    assert not matches("1.5000000000000002", [1.5])
    hits, runs = Reproduction(1, 3, ("", "", ""))
    assert (hits, runs) == (1, 3)
