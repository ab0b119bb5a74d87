"""Loading what learners write: packages named micrograd, odd file names, relative imports, notebooks.

And the exit codes of engines the audit cannot drive (2, each with a clear line),
and of bad options (2, one line, never a traceback).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import micrograd
from verify.audit.api import audit
from verify.audit.engine.sandbox import EngineProcess, UnusableEngine
from verify.audit.engine.spec import EngineSpec, UsageError
from verify.cli.audit import main, memory_size
from verify.program import Const, Program, Step

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
NOTEBOOKS = ROOT / "tests" / "engines" / "notebooks"
LEARNER = ZOO / "learner_pkg"
OURS = Path(micrograd.__file__).resolve().parent

EXP = Program((("x", 2.0),), (Step("exp", (0,)),))


# ---- load plans ----

def test_each_kind_of_file_gets_its_plan(tmp_path: Path) -> None:
    assert EngineSpec.parse(f"{ZOO / 'base.py'}:Value").plan().how == "import"
    odd = EngineSpec.parse(f"{ZOO / '005_x-y_revgrad.py'}:Value").plan()
    assert (odd.how, odd.module, odd.root) == ("path", "engine_005_x_y_revgrad", str(ZOO))
    package = EngineSpec.parse(f"{ZOO / 'relpkg' / 'engine.py'}:Value").plan()
    assert (package.how, package.module, package.root, package.folder) == (
        "import", "relpkg.engine", str(ZOO), str(ZOO / "relpkg"))
    learner = EngineSpec.parse(f"{LEARNER / 'micrograd' / 'engine.py'}:Value").plan()
    assert (learner.how, learner.module, learner.root) == ("import", "micrograd.engine", str(LEARNER))
    assert EngineSpec.parse("micrograd.engine:Value").plan().how == "module"
    assert EngineSpec.parse(f"{NOTEBOOKS / 'lecture.ipynb'}:Value").plan().how == "notebook"
    (tmp_path / "random.py").write_text("")  # a standard module's name: loaded by path
    assert EngineSpec.parse(f"{tmp_path / 'random.py'}:Value").plan().how == "path"
    (tmp_path / "my-pkg").mkdir()
    (tmp_path / "my-pkg" / "__init__.py").write_text("")
    odd_package = EngineSpec.parse(f"{tmp_path / 'my-pkg' / 'engine.py'}:Value").plan()
    assert (odd_package.how, odd_package.package) == ("package-path", "engine_my_pkg")


# ---- a learner's own package called micrograd ----

def test_a_learners_micrograd_package_by_file_is_theirs_with_its_absolute_imports() -> None:
    with EngineProcess(f"{LEARNER / 'micrograd' / 'engine.py'}:Value", 5.0) as engine:
        assert engine.engine_file == str(LEARNER / "micrograd" / "engine.py")
        assert engine.ready is not None and engine.ready.module == "micrograd.engine"
        assert engine.run(EXP).grad[0] == 2.0  # x * out.grad: their planted bug (ours gives exp(2))
        assert engine.probe("op", ["tanh", "f(x)"]).status == "works"  # the probes see their ops
    assert Path(micrograd.__file__).resolve().parent == OURS  # the audit's own micrograd is untouched


def test_a_learners_micrograd_package_by_module_from_its_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LEARNER)
    with EngineProcess("micrograd.engine:Value", 5.0) as engine:
        assert engine.engine_file == str(LEARNER / "micrograd" / "engine.py")
        assert engine.run(EXP).grad[0] == 2.0  # x * out.grad, their planted bug (ours: exp(2))
    monkeypatch.chdir(ROOT / "tests")  # no micrograd/ here: the name means ours
    with EngineProcess("micrograd.engine:Value", 5.0) as engine:
        assert engine.engine_file == str(OURS / "engine.py")
        assert engine.run(EXP).grad[0] == pytest.approx(7.38905609893065)


# ---- other layouts ----

def test_a_file_name_that_is_no_module_name() -> None:
    with EngineProcess(f"{ZOO / '005_x-y_revgrad.py'}:Value", 5.0) as engine:
        assert engine.ready is not None and engine.ready.loaded_as == "path"
        assert engine.engine_file == str(ZOO / "005_x-y_revgrad.py")
        div = engine.run(Program((("x", 6.0), ("y", 3.0)), (Step("div", (0, 1)),)))
        assert div.grad[:2] == (1 / 3, -2.0)  # d(x/y)/dy = -x/y, its planted bug (right: -x/y**2)


def test_a_package_with_relative_imports() -> None:
    with EngineProcess(f"{ZOO / 'relpkg' / 'engine.py'}:Value", 5.0) as engine:
        assert engine.ready is not None and engine.ready.module == "relpkg.engine"
        sqrt = engine.run(Program((("x", 4.0),), (Step("sqrt", (0,)),)))
        assert sqrt.grad[0] == 1.0  # 0.5 * 4 ** 0.5: its planted bug (right: 0.25)


def test_a_package_folder_whose_name_is_no_module_name(tmp_path: Path) -> None:
    package = tmp_path / "my-engine"
    shutil.copytree(ZOO / "relpkg", package)
    with EngineProcess(f"{package / 'engine.py'}:Value", 5.0) as engine:
        assert engine.ready is not None and engine.ready.loaded_as == "package-path"
        assert engine.run(Program((("x", 2.0),), (Step("mul", (0, Const(3.0))),))).grad == (3.0, 1.0)


# ---- notebooks ----

@pytest.mark.slow
def test_a_notebook_engine_passes_with_its_magics_skipped() -> None:
    result = audit(f"{NOTEBOOKS / 'lecture.ipynb'}:Value", max_examples=5)
    assert result.exit_code == 0, result.campaign.finding
    assert result.ready is not None and result.ready.loaded_as == "notebook"
    assert result.engine_file == str(NOTEBOOKS / "lecture.ipynb")
    notes = " ".join(result.ready.notes)
    assert "cell 4 skipped: the cell magic '%%bash'" in notes
    assert "cell 6 raised ModuleNotFoundError" in notes and "after Value was defined" in notes


def test_a_notebook_whose_later_cell_patches_in_a_bug_is_audited_as_it_ends() -> None:
    tanh = Program((("x", 0.5),), (Step("tanh", (0,)),))
    with EngineProcess(f"{NOTEBOOKS / 'buggy.ipynb'}:Value", 5.0) as engine:
        answer = engine.run(tanh)
    assert answer.grad[0] == 1 - answer.data[1]  # 1 - t: the last cell's tanh, not the class's


def test_a_notebook_failing_before_the_class_exists_is_exit_2_naming_the_cell(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", f"{NOTEBOOKS / 'broken.ipynb'}:Value"]) == 2
    err = capsys.readouterr().err
    assert "cell 2 raised NameError: name 'undefined_learning_rate' is not defined" in err
    assert "before Value was defined" in err and len(err.strip().splitlines()) == 1


def test_a_frame_in_a_notebook_cell_is_the_engines() -> None:
    with EngineProcess(f"{NOTEBOOKS / 'lecture.ipynb'}:Value", 5.0) as engine:
        answer = engine.run(Program((("x", 2.0),), (Step("tanh", (0,)), Step("exp", (1,)))))
    assert answer.stage == "forward" and answer.slot == 2  # the lecture engine has no exp
    assert answer.error is not None and answer.error.type == "AttributeError"


# ---- engines the audit cannot drive: exit 2, one clear line ----

@pytest.mark.parametrize(("cls", "said"), [
    ("NoBackward", "NoBackward has no backward() method (it has _backward(), backprop())"),
    ("BackwardNeedsSeed", "BackwardNeedsSeed.backward(grad) needs arguments"),
    ("LeafNeedsLabel", "LeafNeedsLabel(1.5) raised TypeError"),
])
def test_an_engine_that_cannot_be_driven_is_exit_2(cls: str, said: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", f"{ZOO / 'unusable.py'}:{cls}", "--max-examples", "5"]) == 2
    err = capsys.readouterr().err
    assert said in err and "unusable engine" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_class_that_cannot_be_loaded_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "broken.py").write_text("import math\nraise RuntimeError('half-written engine')\n")
    assert main(["--engine", f"{tmp_path / 'broken.py'}:Value"]) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: half-written engine" in err and "broken.py:2" in err
    assert main(["--engine", f"{tmp_path}:Value"]) == 2
    assert "is a folder" in capsys.readouterr().err
    with pytest.raises(UnusableEngine, match="no such file"):
        EngineProcess(f"{tmp_path / 'nowhere.py'}:Value", 5.0).start()


@pytest.mark.parametrize("argv", [
    ["--timeout", "nan"], ["--timeout", "inf"], ["--timeout", "-1"], ["--timeout", "0"],
    ["--deadline", "nan"], ["--deadline", "-5"], ["--memory", "lots"], ["--memory", "1M"],
    ["--ops", "frobnicate"], ["--ops", ","], ["--max-examples", "0"],
])
def test_bad_options_are_exit_2_in_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", f"{ZOO / 'base.py'}:Value", *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "error: " in err, err


@pytest.mark.parametrize("spec", ["nonsense", "engine.py:", ":Value", "a b:Value", "mod:1x", "x.py:Va lue"])
def test_a_malformed_engine_is_exit_2_in_one_line(spec: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", spec]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--engine" in err, err
    with pytest.raises(UsageError):
        EngineSpec.parse(spec)


def test_ops_the_engine_lacks_are_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", f"{ROOT / 'tests' / 'engines' / 'reference.py'}:Value", "--ops", "add,sin"]) == 2
    err = capsys.readouterr().err
    assert "--ops names op the engine lacks (sin: absent (AttributeError" in err
    assert len(err.strip().splitlines()) == 2  # the progress line, then the error


def test_memory_sizes() -> None:
    assert memory_size("2G") == 2 << 30 and memory_size("512M") == 512 << 20
    assert memory_size("1.5GiB") == 3 << 29 and memory_size("none") is None
    with pytest.raises(ValueError, match="at least 64M"):
        memory_size("10M")
