"""The verdict's list of faults at its cap (``judge.verdict.MAX_FAULTS``): every fault up to it is
listed with no note; one more and the first MAX_FAULTS are listed, with a note that says so."""

from __future__ import annotations

import pytest

from micrograd import Value
from verify import check
from verify.judge.verdict import MAX_FAULTS


@pytest.mark.parametrize("n", [MAX_FAULTS, MAX_FAULTS + 1])
def test_faults_are_listed_up_to_the_cap_and_a_note_says_when_more_were_found(n: int) -> None:
    # x0 * 1 + ... + x{n-1} * 1 with every input's gradient doubled: one wrong rule per input
    xs = [Value(0.5 + i) for i in range(n)]
    y = xs[0] * 1.0
    for x in xs[1:]:
        y = y + x * 1.0
    y.backward()
    for x in xs:
        x.grad = 2.0
    report = check(y, inputs={f"x{i}": x for i, x in enumerate(xs)})
    assert report.verdict == "fail" and len(report.faults) == MAX_FAULTS == 50
    assert all(f.kind == "wrong-rule" and f.op == "mul" and f.actual == 2.0 for f in report.faults)
    capped = [m for m in report.notes if "faults" in m]
    assert capped == ([] if n == MAX_FAULTS else ["more than 50 faults: only the first 50 are listed"])
