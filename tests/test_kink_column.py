"""At a kink the exact column shows the set of derivatives with exact ends: relu'(0) is [0, 1].

The ball that encloses the set is a little wider than the set (arb rounds its
radius up at every step); the column rounds each end only by that much
(``verify.oracle.ball.SPAN_SLACK``, whose 10x checks are in test_tolerances).
"""

from __future__ import annotations

import json
import math

import pytest

from verify.cli.expr import main


def _exact(formula: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main([formula, "--at", "x=0", "--json"]) == 0
    exact: str = json.loads(capsys.readouterr().out)["inputs"][0]["exact"]
    return exact


@pytest.mark.parametrize(("formula", "shown"), [
    ("relu(x)", "[0, 1]"),
    ("abs(x)", "[-1, 1]"),
    ("3*relu(x) + x", "[1, 4]"),
    ("relu(x) * 1e-300", "[0, 1e-300]"),
    (" + ".join(["relu(x)"] * 100), "[0, 100]"),
])
def test_the_ends_of_the_set_are_exact(formula: str, shown: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exact(formula, capsys) == shown


def test_an_end_that_is_no_short_number_is_rounded_correctly(capsys: pytest.CaptureFixture[str]) -> None:
    lo, hi = json.loads(_exact("relu(x) * tanh(x + 1)", capsys))
    assert lo == 0 and hi == pytest.approx(math.tanh(1), rel=1e-6) and hi == round(math.tanh(1), 6)


def test_the_text_column_shows_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["relu(x)", "--at", "x=0"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("x "))
    assert row.split()[3:5] == ["[0,", "1]"]
