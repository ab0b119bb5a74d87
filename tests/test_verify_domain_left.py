"""A correct engine whose values, right to rounding, take an op out of its domain is not failed.

Found by the soundness campaign: NumPy's x ** (1/3) is 1 ulp from ours at 1.47e200 (both within
the allowance), sin of that 5.3e66 then differs completely, and log of a negative sum is nan.
"""

from __future__ import annotations

import pytest
from engines import zoo_class

from micrograd import Value
from verify import check_run
from verify.program import Const, Program, Step

PROGRAM = Program((("x0", -3.2661850880520896e+202),),
                  (Step("mul", (0, Const(-0.0045036247776290795))),
                   Step("powc", (1, Const(0.3333333333333333))),
                   Step("sin", (2,)), Step("add", (3, 3)), Step("log", (4,))))


def _numbers(engine: type) -> tuple[list[float], list[float]]:
    slots = PROGRAM.run(engine, catch=())
    return [float(s.data) for s in slots], [float(s.grad) for s in slots]


# numpy warns of the log of a negative sum: that nan is what is judged
@pytest.mark.filterwarnings("ignore:invalid value encountered in log:RuntimeWarning")
def test_nan_past_a_domain_the_engines_own_values_left_is_inconclusive() -> None:
    data, grad = _numbers(zoo_class("numpy_scalars.py"))
    assert data[-1] != data[-1]  # nan: log of a negative number
    report = check_run(PROGRAM, data, grad)
    assert report.verdict == "inconclusive", report.render()
    assert any("leave an op's domain" in note for note in report.notes)


def test_nan_where_the_op_is_defined_still_fails() -> None:
    data, grad = _numbers(Value)
    data[-1] = float("nan")
    assert check_run(PROGRAM, data, grad).verdict == "fail"
