"""``python -m verify expr``: each input form, each output mode, each exit code.

Expected numbers are derived by hand: for f = a*b + b**3 at a=-4, b=2,
f = -8 + 8 = 0, df/da = b = 2, df/db = a + 3*b**2 = -4 + 12 = 8.
The seed snippet's numbers are the ones micrograd's README prints.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from verify import check_run
from verify.cli.expr import main
from verify.parse import parse
from verify.report.expr import summary
from verify.report.style import PALETTE, Style

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "seed.py"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_formula_with_at(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["a*b + b**3", "--at", "a=-4", "b=2"], capsys)
    assert code == 0
    assert out.splitlines()[-1].startswith("PASS  f = 0  all 2 gradients agree")
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:2] in ("a ", "b ")}
    assert float(rows["a"][2]) == 2.0 and float(rows["b"][2]) == 8.0


def test_seed_file_prints_readme_numbers_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--file", str(SEED)], capsys)
    assert code == 0
    assert "24.7041" in out and "138.8338" in out and "645.5773" in out
    assert out.splitlines()[-1].startswith("PASS  g = 24.7041")
    assert "\033[" not in out  # not a terminal: plain text


def test_explain_prints_the_seed_exact_derivative_formulas(capsys: pytest.CaptureFixture[str]) -> None:
    _, plain, _ = run(["--file", str(SEED)], capsys)
    code, out, _ = run(["--file", str(SEED), "--explain"], capsys)
    assert code == 0
    formulas = {line.split(" = ")[0].strip(): line for line in out.splitlines() if line.startswith("  dg/d")}
    assert set(formulas) == {"dg/da", "dg/db"}
    # relu's derivative appears as a step function of its operand (b + a and b - a)
    assert all("Heaviside" in line for line in formulas.values())
    assert "dg/da =" not in plain  # too long for the default output


def test_stdin_snippet(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                       valid_report: Callable[[object], dict[str, Any]]) -> None:
    text = "from micrograd import Value\nx = Value(3.0)\ny = x * x\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, _ = run(["-", "--json"], capsys)
    assert code == 0
    document = valid_report(json.loads(out))
    assert document["output"] == "y"
    assert document["value"] == 9.0
    assert document["inputs"][0]["autograd"] == 6.0


def test_json_keys_and_values(capsys: pytest.CaptureFixture[str],
                              valid_report: Callable[[object], dict[str, Any]]) -> None:
    code, out, _ = run(["a*b + b**3", "--at", "a=-4", "b=2", "--json"], capsys)
    document = valid_report(json.loads(out))
    assert code == 0 and document["ok"] is True and document["value"] == 0.0
    a, b = document["inputs"]
    for key in ("name", "autograd", "exact", "fd", "rel_error", "ulps", "verdict"):
        assert key in a
    assert (a["name"], a["autograd"], b["name"], b["autograd"]) == ("a", 2.0, "b", 8.0)
    assert a["exact"].startswith("2") and b["exact"].startswith("8")


def test_explain_shows_the_chain_rule(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["a*b + b**3", "--at", "a=-4", "b=2", "--explain"], capsys)
    assert code == 0
    assert "forward pass" in out and "backward pass" in out
    # v2 = b ** 3 passes 3*b**2 = 12 to b; v1 = a * b passes a = -4: b's gradient 12 - 4 = 8.
    # Each line shows the product it adds and, apart, the running total: never "12 * 1 = 8".
    assert "b.grad += 12 * 1   (running total 12)" in out
    assert "b.grad += -4 * 1   (running total 8)" in out


def test_dot_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "graph.dot"
    code, _, err = run(["x * x + 1", "--at", "x=3", "--dot", str(path)], capsys)
    assert code == 0 and "wrote" in err
    text = path.read_text()
    assert text.startswith("digraph") and "x" in text


def test_dot_unknown_format_is_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["x * x", "--at", "x=3", "--dot", str(tmp_path / "graph.txt")], capsys)
    assert code == 2 and "--dot" in err


def test_undefined_point_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["log(a)", "--at", "a=-1"], capsys)
    assert code == 2 and out == ""
    assert "log(-1.0)" in err and "undefined" in err and "^" in err


def test_undefined_gradient_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["sqrt(a)", "--at", "a=0"], capsys)
    assert code == 2 and "gradient is undefined" in err


def test_typo_is_exit_2_with_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["tahn(x)", "--at", "x=1", "--json"], capsys)
    assert code == 2 and "did you mean 'tanh'?" in err


@pytest.mark.parametrize(
    "argv",
    [[], ["x*x", "--file", "f.py"], ["--bogus"], ["x*x", "--at"], ["x*x", "--at", "x"],
     ["--file", "/no/such/file"]],
)
def test_usage_errors_are_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and err


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    assert "exit codes" in out and "0  pass: every witness agrees" in out and "1  fail: a gradient" in out


def test_planted_fault_is_exit_1(capsys: pytest.CaptureFixture[str], plant_rule: Callable[..., None]) -> None:
    # A wrong local derivative for tanh (1 + out**2 instead of 1 - out**2) must be caught and blamed.
    plant_rule("tanh", lambda out, x: 1.0 + out * out)
    code, out, _ = run(["x * tanh(x)", "--at", "x=0.5"], capsys)
    assert code == 1
    assert out.splitlines()[-1].startswith("FAIL")
    assert "tanh" in out


def test_module_entry_point_runs_the_seed() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "verify", "expr", "--file", str(SEED)], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "PASS  g = 24.7041" in result.stdout


@pytest.mark.parametrize("verdict", ["pass", "fail", "inconclusive", "undefined"])
def test_both_renderers_paint_a_verdict_in_the_same_colour(verdict: str) -> None:
    parsed = parse("a*b", at={"a": 2.0, "b": 3.0})
    report = dataclasses.replace(check_run(parsed.program, [2.0, 3.0, 6.0], [3.0, 2.0, 1.0]), verdict=verdict)
    painted = f"\033[{PALETTE[verdict]}m{verdict.upper()}\033[0m"
    assert report.render(color=True).startswith(painted + ":")
    assert summary(report, parsed, Style(color=True)).startswith(painted + "  ")
    assert "\033[" not in report.render() + summary(report, parsed, Style())
