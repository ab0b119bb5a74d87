"""The soundness campaign explains each planted error the judge passes, from the judge's own allowance.

The cases are ones the campaign met: a 1e-12 error planted in one rule of our engine moves the
gradients, and the judge passes them; ``why_passed`` names the allowance that covers the error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from micrograd import OPS, Value
from verify import check_run
from verify.program import Const, Program, Step

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import soundness_campaign as campaign


@contextmanager
def planted(op: str) -> Iterator[None]:
    row = OPS[op]
    right = row.grad
    object.__setattr__(row, "grad", campaign._planted(op))
    try:
        yield
    finally:
        object.__setattr__(row, "grad", right)


CASES = [
    ("sin", Program((("x", -3.2516835665561906e+293),), (Step("sin", (0,)),)),
     "sin's partial allowed +-1e3+ ulps: the libm model: sin's argument reduction"),
    ("sub", Program((("x0", 0.25),), (Step("sqrt", (0,)), Step("abs", (1,)),
                                      Step("sub", (0, Const(331.1760645033921))), Step("pow", (2, 3)))),
     "a small share of a sum"),
    ("powi", Program((("x0", 3.3853368877230304e-262), ("x1", 2.2298876055743787e+55)),
                     (Step("powi", (1, Const(-1.0))), Step("pow", (2, 0)),
                      Step("div", (Const(-311175.1035761481), 3)))),
     "a subnormal gradient"),
]


@pytest.mark.parametrize(("op", "program", "reason"), CASES, ids=[c[0] for c in CASES])
def test_a_planted_error_that_passes_is_explained_by_the_judges_allowance(
    op: str, program: Program, reason: str,
) -> None:
    good = campaign._run(Value, program)
    with planted(op):
        bad = campaign._run(Value, program)
    assert good is not None and bad is not None and good[1] != bad[1]  # visible in float64
    assert check_run(program, *bad).verdict == "pass"
    why, detail = campaign.why_passed(program, good[1], bad)
    assert why.startswith(reason), why
    assert "planted" in detail and "within the allowed" in detail, detail


def test_a_caught_error_is_not_explained_away() -> None:
    """The same sin rule planted at a small argument: outside the allowance, a fail."""
    program = Program((("x", 0.5),), (Step("sin", (0,)),))
    good = campaign._run(Value, program)
    with planted("sin"):
        bad = campaign._run(Value, program)
    assert good is not None and bad is not None
    assert check_run(program, *bad).verdict == "fail"
    why, detail = campaign.why_passed(program, good[1], bad)
    assert why == "outside the allowance: the judge blames it" and detail.startswith("x: planted"), detail
