"""A gradient from rules that lose digits: the note quotes what careful rules give, not the engine's value.

A new user's snippet: h = tanh(x * w) + x. Our engine's x.grad is one ulp from
the correctly rounded exact value; the note used to print the middle of the
set a correct engine may give, which read as the engine's own number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from verify.cli.expr import main

SNIPPET = """from micrograd import Value
x = Value(2.0)
w = Value(-3.0)
h = (x * w).tanh()
h += x
loss = h ** 2
loss.backward()
"""
NOTE = re.compile(r"accepted: the engine's rules lose digits here \(rules that keep them give (\S+); "
                  r"a correct engine gives anything in \[(\S+), (\S+)\]\)")


def test_the_note_quotes_careful_rules_and_the_set(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snippet.py"
    path.write_text(SNIPPET)
    assert main(["--file", str(path), "--output", "h", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["inputs"]}
    x = rows["x"]
    found = NOTE.fullmatch(x["note"])
    assert found is not None, x["note"]
    careful, lo, hi = (float(v) for v in found.groups())
    assert careful != x["autograd"]  # the note does not contradict itself
    assert lo <= x["autograd"] <= hi
    assert careful == float(x["exact"])  # here careful rules give the correctly rounded exact value
