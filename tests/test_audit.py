"""Test the tester: the audit passes correct engines and catches every planted bug with the right blame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from verify.audit.api import audit
from verify.audit.coverage import depth, features
from verify.audit.engine.sandbox import UnusableEngine
from verify.audit.engine.spec import EngineSpec, UsageError
from verify.audit.ledger import keep_shortest
from verify.cli.audit import main
from verify.program import Const, Program, Step

ENGINES = Path(__file__).parent / "engines"
REFERENCE = f"{ENGINES / 'reference.py'}:Value"


def planted(name: str) -> str:
    return f"{ENGINES / 'planted.py'}:{name}"


# ---- the coverage features, on hand-built programs ----

def test_features_of_a_shared_dag_with_constants() -> None:
    # v1 = x * x; v2 = 2.0 - v1; v3 = v2 * v1; y unused
    program = Program(
        (("x", 1e5), ("y", 1e-5)),
        (Step("mul", (0, 0)), Step("sub", (Const(2.0), 2)), Step("mul", (3, 2))),
    )
    assert features(program) == {"same", "const-left", "shared", "large", "small", "unused"}
    assert depth(program) == 3


def test_features_at_and_near_a_kink() -> None:
    at = Program((("x", 0.5),), (Step("sub", (0, Const(0.5))), Step("relu", (1,))))
    near = Program((("x", 0.5),), (Step("sub", (0, Const(0.5 - 1e-9))), Step("abs", (1,))))
    assert features(at) == {"const-right", "kink"}
    assert features(near) == {"const-right", "near-kink"}


# ---- specs and unusable engines: exit code 2 ----

@pytest.mark.parametrize("spec", ["engine.py", "engine.py:", ":Value", "a b:Value", "mod:1x"])
def test_malformed_specs_are_usage_errors(spec: str) -> None:
    with pytest.raises(UsageError):
        EngineSpec.parse(spec)


def test_a_spec_names_a_file_or_a_module_and_a_class() -> None:
    by_file = EngineSpec.parse("path/to/engine.py:Value")
    assert (by_file.is_file, by_file.target, by_file.name) == (True, "path/to/engine.py", "Value")
    assert EngineSpec.parse("engine.py:Value").is_file and EngineSpec.parse("lib/engine:Value").is_file
    by_module = EngineSpec.parse("micrograd.engine:Value")
    assert (by_module.is_file, by_module.target, by_module.name) == (False, "micrograd.engine", "Value")


def test_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["--engine", "nonsense"]) == 2
    assert main(["--engine", REFERENCE, "--ops", "add,frobnicate"]) == 2
    assert "frobnicate" in capsys.readouterr().err
    assert main(["--engine", REFERENCE, "--max-examples", "0"]) == 2


def test_missing_file_or_class_is_an_unusable_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", str(ENGINES / "nowhere.py") + ":Value"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["--engine", f"{ENGINES / 'reference.py'}:Nope"]) == 2
    assert "has no class 'Nope'" in capsys.readouterr().err
    with pytest.raises(UnusableEngine, match="Number"):
        audit(f"{ENGINES / 'reference.py'}:Number", max_examples=5)  # not a class: int | float


# ---- correct engines pass ----

def test_the_reference_engine_passes_and_reports_what_it_lacks() -> None:
    result = audit(REFERENCE, max_examples=60)
    assert result.findings == [], result.findings
    assert result.exit_code == 0
    assert result.campaign.examples == 60
    drawable = set(result.survey.drawable_ops())
    assert {"add", "mul", "div", "powi", "tanh", "log", "relu"} <= drawable
    assert not {"sin", "abs", "sigmoid", "pow"} & drawable  # the reference engine has none of them
    # It resets nothing between calls: y = x*x + x at 1.5 gives 4, then 4 + 1 + 2*1.5*2 = 11.
    assert result.survey.twice == {"first": 4.0, "second": 11.0}


def test_our_engine_passes_the_audit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", "micrograd.engine:Value", "--max-examples", "40", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    assert all(row["tested"] for row in out["ops"].values())
    assert out["depth"] == {"works_to": 100_000, "failure": None}
    assert out["backward_twice"]["second"] == 2 * out["backward_twice"]["first"] == 8.0


# ---- planted bugs are caught, blamed right, and shrunk ----

@pytest.mark.parametrize(
    ("engine", "kind", "op"),
    [
        ("Overwrites", "lost-contribution", ""),  # = instead of += everywhere: no op is to blame
        ("BreadthFirst", "traversal", ""),
        ("SignOfNegatives", "wrong-rule", "mul"),
        ("SaturatedTanh", "wrong-rule", "tanh"),
        ("ImpreciseLog", "wrong-rule", "log"),
        ("WrongOperand", "wrong-rule", "mul"),
    ],
)
def test_each_planted_bug_is_found_blamed_and_shrunk(engine: str, kind: str, op: str) -> None:
    result = audit(planted(engine), max_examples=20)
    finding = result.campaign.finding
    assert finding is not None, f"{engine}: no fault found"
    assert result.exit_code == 1
    assert (finding.kind, finding.op) == (kind, op), finding.message
    assert len(finding.program.steps) <= 3, finding.program.source()


def test_a_hanging_backward_is_reported_as_the_engines() -> None:
    result = audit(planted("Hangs"), max_examples=5, timeout=1.0)
    finding = result.campaign.finding
    assert finding is not None
    assert (finding.kind, finding.op) == ("hang", "")  # backward() itself hangs, whatever the op
    assert result.exit_code == 1
    assert result.reproduce().endswith("--timeout 1")


def test_a_recursing_backward_is_a_crash_not_a_crash_of_the_audit() -> None:
    result = audit(planted("Recurses"), max_examples=20)
    finding = result.campaign.finding
    assert finding is not None
    assert (finding.kind, finding.op, finding.stage) == ("crash", "", "backward")
    assert finding.error is not None and finding.error.type == "RecursionError"
    assert len(finding.program.steps) <= 1


def test_an_engine_that_refuses_an_input_is_blamed_on_the_leaf() -> None:
    result = audit(planted("RefusesLargeInputs"), max_examples=20)
    finding = result.campaign.finding
    assert finding is not None
    assert (finding.kind, finding.op, finding.layout, finding.stage) == ("crash", "", "leaf", "leaf")
    assert finding.error is not None and finding.error.type == "ValueError"
    assert "too large for an input" in finding.error.message
    assert abs(finding.program.inputs[0][1]) >= 1e4
    assert result.exit_code == 1


def test_the_cli_prints_a_pasteable_reproduction(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", planted("WrongOperand"), "--seed", "3", "--max-examples", "20"]) == 1
    out = capsys.readouterr().out
    assert "FINDING 1: wrong-rule in mul" in out
    assert "from engines.planted import WrongOperand" in out  # tests/engines is a package
    assert "--seed 3" in out
    lines = out.split("  minimal program:\n")[1].splitlines()
    snippet = lines[: next(i for i, line in enumerate(lines) if not line.startswith(" " * 6))]
    # The snippet runs as it is, with the audited engine.
    code = "\n".join(line[6:] for line in snippet)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ENGINES.parent)
    assert done.returncode == 0, done.stderr


# ---- micrograd 0.1.0, fetched from the package index at test time ----

@pytest.fixture(scope="session")
def micrograd_010(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("micrograd-0.1.0")
    fetched = subprocess.run(
        [sys.executable, "-m", "pip", "download", "micrograd==0.1.0", "--no-deps", "--quiet",
         "-d", str(folder)],
        capture_output=True, text=True, timeout=120,
    )
    wheels = list(folder.glob("micrograd-0.1.0-*.whl"))
    if fetched.returncode != 0 or not wheels:
        pytest.skip(f"micrograd 0.1.0 could not be fetched (offline?): {fetched.stderr.strip()[-200:]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(folder)
    return f"{folder / 'micrograd' / 'engine.py'}:Value"


def test_micrograd_010_is_audited_cleanly(micrograd_010: str) -> None:
    result = audit(micrograd_010, max_examples=100)
    assert result.findings == [] and result.exit_code == 0, result.render()
    # its x / y is x * y**-1: where y**-2 leaves float64 the gradient does too, as that formula's does
    assert {(f.op, f.fragility.formula.split(" ")[2]) for f in result.fragilities if f.fragility} <= {
        ("div", "y**-1")}, result.render()
    tested = set(result.survey.drawable_ops())
    assert tested == {"add", "sub", "mul", "div", "neg", "powi", "powc", "relu"}
    # Its recursive topological sort stops near Python's limit of 1,000 frames.
    assert 900 <= result.campaign.depth.works_to < 1000
    assert "RecursionError" in (result.campaign.depth.failure or "")


def test_a_learners_own_micrograd_package_in_the_current_folder(tmp_path: Path) -> None:
    # `python -m verify` puts the current folder first on sys.path; a learner's
    # micrograd/ there is audited, by file or by module name, and never shadows the op table.
    (tmp_path / "micrograd").mkdir()
    (tmp_path / "micrograd" / "__init__.py").write_text("")
    (tmp_path / "micrograd" / "engine.py").write_text((ENGINES / "reference.py").read_text())
    env = {**os.environ, "PYTHONPATH": str(ENGINES.parent.parent)}

    def audit_cli(spec: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "verify", "audit", "--engine", spec, "--max-examples", "5"]
        return subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)

    by_file = audit_cli("micrograd/engine.py:Value")
    assert by_file.returncode == 0, by_file.stdout + by_file.stderr
    assert "no fault found" in by_file.stdout
    by_module = audit_cli("micrograd.engine:Value")
    assert by_module.returncode == 0, by_module.stdout + by_module.stderr
    assert f"({tmp_path / 'micrograd' / 'engine.py'})" in by_module.stderr  # theirs, not ours


def test_an_engine_file_that_imports_its_siblings_relatively(tmp_path: Path) -> None:
    package = tmp_path / "mygrad"
    package.mkdir()
    (package / "__init__.py").write_text("from .engine import Value\n")
    (package / "rules.py").write_text((ENGINES / "reference.py").read_text())
    (package / "engine.py").write_text("from .rules import Value\n")
    result = audit(f"{package / 'engine.py'}:Value", max_examples=20)
    assert result.exit_code == 0, result.findings
    assert result.campaign.examples == 20


def test_an_imprecise_formula_is_remarked_and_its_overflow_is_a_fragility() -> None:
    # The lecture's tanh, (e^2x - 1) / (e^2x + 1): near 0 it loses digits (remarked, not a fault),
    # and from x ~ 355 on it raises OverflowError where tanh is simply 1: the formula itself does
    # that there, so it is a crash listed as a fragility, not a fault (exit 0).
    result = audit(f"{ENGINES / 'lecture.py'}:LectureTanh", ops=["tanh", "add", "mul"], max_examples=20)
    # its rule 1 - t*t loses every digit of tanh' for large x: a fragility of its own
    assert {(f.kind, f.op, f.stage) for f in result.fragilities} <= {("crash", "tanh", "forward"),
                                                                     ("lost-digits", "tanh", "")}
    finding = next(f for f in result.fragilities if f.kind == "crash")
    assert finding.error is not None and finding.error.type == "OverflowError"
    assert finding.program.inputs[0][1] > 355
    assert finding.category == "fragility" and result.findings == [] and result.exit_code == 0
    assert any(r.startswith("imprecise forward: ") and "tanh" in r for r in result.campaign.remarks)


def test_the_shortest_remarks_are_kept() -> None:
    remarks = ["imprecise forward: a; program: v1 = x.tanh()"]
    for steps in (40, 3, 25, 1, 30):
        keep_shortest(remarks, "inconclusive: why; program: " + "v = x + 1.0; " * steps, "inconclusive", 2)
    kept = sorted(r.count(";") for r in remarks if r.startswith("inconclusive"))
    assert kept == [1 + 1, 1 + 3]  # the two shortest programs, each with its reason
    assert remarks[0].startswith("imprecise forward")  # another kind is left alone


def test_a_verifier_failure_is_loud_and_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # A bug in the verifier is never blamed on the engine, but it must not pass quietly either.
    from verify.judge import verdict

    real = verdict.check_run
    calls = []

    def broken_on_the_third(program: Program, *args: Any, **kwargs: Any) -> Any:
        calls.append(program)
        if len(calls) == 3:
            raise RuntimeError("planted verifier bug")
        return real(program, *args, **kwargs)

    monkeypatch.setattr(verdict, "check_run", broken_on_the_third)
    assert main(["--engine", REFERENCE, "--max-examples", "10"]) == 2
    out, err = capsys.readouterr()
    assert "no fault found" in out  # the engine is not blamed
    assert "verifier error (not blamed on the engine): RuntimeError: planted verifier bug" in out
    assert "tests/test_audit.py:" in out and "in broken_on_the_third) on: x = Value(" in out  # the last frame
    loud = "the verifier failed on 1 program, this is a bug in verify, please report it"
    assert out.rstrip().endswith(f"VERIFIER FAILED: {loud}")
    assert loud in err

    calls.clear()
    assert main(["--engine", REFERENCE, "--max-examples", "10", "--json"]) == 2
    document = json.loads(capsys.readouterr().out)
    assert (document["ok"], document["exit_code"], document["verifier_failures"]) == (False, 2, 1)
