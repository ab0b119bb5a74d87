"""judge_runs: many engines' runs of one program judged with one exact witness, each report the same
as check_run's."""

from __future__ import annotations

import pytest

from micrograd import Value
from verify import check_run
from verify.judge import verdict
from verify.judge.verdict import judge_runs
from verify.program import Const, Program, Step

PROGRAMS = [
    Program((("x", 0.7), ("y", -1.3)),
            (Step("mul", (0, 1)), Step("tanh", (2,)), Step("add", (3, 0)), Step("sin", (4,)))),
    Program((("x", 2.0),), (Step("log", (0,)), Step("mul", (1, Const(3.0))))),
    Program((("x", -1.0),), (Step("log", (0,)),)),  # undefined: every run's report says so
    Program((("x", -1.5),), (Step("mul", (0, Const(0.0))), Step("add", (1, 0)))),  # -0.0 - 1.5
]


def _runs(program: Program) -> list[tuple[list[float], list[float]]]:
    """Our engine's run, the same with one gradient 1e-9 off, with a value 1 ulp up, and with every
    zero's sign flipped (one allowance per operands and value: -0.0 is not 0.0 there)."""
    try:
        slots = program.run(Value)
        data, grad = [s.data for s in slots], [s.grad for s in slots]
    except Exception:
        data, grad = [v for _, v in program.inputs] + [0.0] * len(program.steps), [0.0] * program.size
    off = list(grad)
    off[0] *= 1 + 1e-9
    up = list(data)
    up[-1] = up[-1] + abs(up[-1]) * 2.0**-52
    flipped = [-d if d == 0 else d for d in data]
    return [(data, grad), (data, off), (up, grad), (flipped, grad)]


@pytest.mark.parametrize("program", PROGRAMS)
def test_each_report_is_check_runs_and_the_witness_is_made_once(
    program: Program, monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone = [check_run(program, data, grad) for data, grad in _runs(program)]
    made = []
    real = verdict.certified

    def counted(*args: object, **kwargs: object) -> object:
        made.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(verdict, "certified", counted)
    judge = judge_runs(program)
    together = [judge(data, grad) for data, grad in _runs(program)]
    assert together == alone
    assert len(made) == 1
    assert [r.render() for r in together] == [r.render() for r in alone]
