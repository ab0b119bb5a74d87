"""``verify expr``'s arguments as a user types them: a formula after ``--``, a leading space, ``--at`` values.

Each case is one a new user met: the help's own advice for a formula starting
with ``-`` failed, ``" -x"`` was an "unexpected indent", and ``--at`` values
got the formula's hints (``--at y=VALUE`` with y given, "did you mean
'sin'?" for ``inf``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli.expr import main
from verify.parse import ParseError, parse, parse_at

ROOT = Path(__file__).resolve().parent.parent


def _last_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize("argv", [
    ["--", "-x", "--at", "x=2"],
    ["--at", "x=2", "--", "-x"],
    ["--", "-x", "--at", "x=2", "--json"],
])
def test_a_formula_starting_with_minus_after_the_double_dash(argv: list[str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert ("PASS  f = -2" in out) or ('"verdict": "pass"' in out and '"value": -2.0' in out)


def test_the_helps_example_runs_as_typed_in_a_shell() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "verify", "expr", "--", "-x", "--at", "x=2"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    help_text = subprocess.run([sys.executable, "-m", "verify", "expr", "--help"], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120, check=True).stdout
    assert 'python -m verify expr -- "-x" --at x=2' in help_text


def test_a_formula_with_a_leading_space(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([" -x", "--at", "x=2"]) == 0
    assert _last_line(capsys).startswith("PASS  f = -2")


def test_an_indented_snippet_keeps_its_columns() -> None:
    text = "    x = Value(2.0)\n\n    y = x * tahn(x)\n"
    with pytest.raises(ParseError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.col) == (3, 13)  # where 'tahn' is in the text as given
    assert "unknown function 'tahn'" in caught.value.message
    assert parse(text.replace("tahn", "tanh")).output == "y"


def test_a_syntax_error_in_an_indented_formula_points_into_the_text() -> None:
    with pytest.raises(ParseError) as caught:
        parse("   x * (")
    assert caught.value.col == 8 and "never closed" in caught.value.message


def test_lines_indented_unevenly_are_still_python_s_error() -> None:
    with pytest.raises(ParseError, match="unexpected indent"):
        parse("x = Value(2.0)\n  y = x * x\n")


@pytest.mark.parametrize(("item", "says", "hint"), [
    ("x=y", "the value 'y' is not a number ('y' is a name)", "cannot name another input"),
    ("x=pi", "the value 'pi' is not a number ('pi' is a name)", "such as 2, -1e-3, 1/3 or 2**0.5"),
    ("x=abc", "the value 'abc' is not a number ('abc' is a name)", "such as 2"),
    ("x=nan", "the value 'nan' is not a finite number", "give a finite number"),
    ("x=inf", "the value 'inf' is not a finite number", "give a finite number"),
    ("x=-inf", "the value '-inf' is not a finite number", "give a finite number"),
    ("x=Infinity", "the value 'Infinity' is not a finite number", "give a finite number"),
])
def test_at_values_get_hints_about_values(item: str, says: str, hint: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_at([item, "y=2"])
    assert caught.value.message == f"--at {item}: {says}"
    assert hint in (caught.value.hint or "")
    assert "--at y=VALUE" not in (caught.value.hint or "") and "did you mean" not in (caught.value.hint or "")


def test_at_values_may_still_use_functions_of_numbers() -> None:
    assert parse_at(["x=2**0.5", "y=-1/3"]) == {"x": 2**0.5, "y": -1 / 3}


def test_at_x_equals_y_with_y_given_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["x*y", "--at", "x=y", "y=2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --at x=y: the value 'y' is not a number")
    assert "--at y=VALUE" not in err


@pytest.mark.parametrize(("text", "at", "hint"), [
    ("x*y", [], "give them values with --at x=VALUE y=VALUE"),
    ("x*y + z*x", ["y=1"], "give them values with --at x=VALUE z=VALUE"),
    ("a + zz", ["a=1"], "give it a value with --at zz=VALUE"),
    ("x = Value(1.0)\ny = x * w + q * tanh(w)\n", [], "give them values with --at w=VALUE q=VALUE"),
])
def test_every_missing_input_is_named_at_once(text: str, at: list[str], hint: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse(text, at=parse_at(at))
    assert caught.value.hint == hint
