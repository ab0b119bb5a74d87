"""Exact and signed zeros in the battery: 0.0 and -0.0 wherever an op is defined there.

The points are read off the op table (``verify.audit.battery.zero_points``); planted engines whose
rule is right everywhere but at an exact zero are real files (``tests/engines/zoo/zeros.py``) and
run in the real worker; a gradient of -0.0 where the exact one is 0 is a correct float64 answer.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from micrograd.ops import OPS
from verify.audit.api import audit
from verify.audit.battery import ZEROS, defined_at, op_cases, zero_points
from verify.audit.engine.probes import layouts_of
from verify.audit.engine.sandbox import EngineProcess
from verify.audit.trial import Lab
from verify.program import Const, Program, Step

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
sys.path.insert(0, str(ZOO))


def _signs(points: list[tuple[float, ...]]) -> set[tuple[str, ...]]:
    return {tuple(repr(x) for x in p) for p in points}


# ---- where the zeros go: read off the table ----

def test_the_zeros_learners_meet_are_in_the_battery() -> None:
    assert {("0.0", "3.0"), ("-0.0", "3.0")} <= _signs(zero_points(OPS["powi"], "x o c"))  # x**3 at 0
    assert ("0.0", "0.43") in _signs(zero_points(OPS["div"], "c o x"))  # 0.0 / x
    assert ("0.0", "0.43") in _signs(zero_points(OPS["mul"], "c o x"))  # 0 * x
    assert ("0.43", "0.0") in _signs(zero_points(OPS["mul"], "x o c"))  # x * 0
    assert {("0.43", "0.0"), ("0.0", "0.43")} <= _signs(zero_points(OPS["mul"], "x o y"))  # a zero factor
    assert ("0.0", "0.43") in _signs(zero_points(OPS["div"], "x o y"))  # a zero numerator
    for op in ("relu", "abs", "exp", "tanh", "sigmoid", "neg", "sin", "cos"):
        assert _signs(zero_points(OPS[op], "f(x)")) == {("0.0",), ("-0.0",)}, op


def test_a_zero_goes_only_where_the_op_and_its_derivative_are_defined() -> None:
    # log, sqrt: 0 is the edge of the domain (or sqrt' is infinite); a Value exponent needs x > 0;
    # a fractional power is one-sided at 0; nothing is divided by zero
    for op, layout in (("log", "f(x)"), ("sqrt", "f(x)"), ("powc", "x o c"), ("div", "x o x")):
        assert zero_points(OPS[op], layout) == [], op
    assert all(p[1] != 0.0 for p in zero_points(OPS["div"], "x o y"))
    assert all(p[0] != 0.0 for p in zero_points(OPS["pow"], "x o y") + zero_points(OPS["pow"], "c o x"))
    # 0 ** -2 is undefined; 0 ** 0 is a convention whose textbook rule 0 * 0**-1 divides by zero
    bases = [p for p in zero_points(OPS["powi"], "x o c") if p[0] == 0.0]
    assert bases and all(k >= 1 for _, k in bases)
    assert not defined_at(OPS["powi"], (0.0, 0.0)) and not defined_at(OPS["powi"], (0.0, -2.0))
    assert defined_at(OPS["powi"], (0.0, 1.0)) and defined_at(OPS["powi"], (-0.0, 3.0))


def test_both_signs_of_zero_are_kept_apart() -> None:
    for op in OPS:
        for layout in layouts_of(op):
            points = [tuple(v for _, v in c.program.inputs) + tuple(
                a.value for s in c.program.steps for a in s.args if isinstance(a, Const))
                for c in op_cases(op, [layout])]
            shown = [tuple(repr(x) for x in p) for p in points]
            assert len(shown) == len(set(shown)), (op, layout)  # no program twice
    assert any(math.copysign(1.0, p[0]) < 0 for p in zero_points(OPS["relu"], "f(x)"))
    assert ZEROS == (0.0, -0.0) and math.copysign(1.0, ZEROS[1]) < 0


def test_zero_cases_run_in_the_second_round_after_the_usual_points() -> None:
    cases = op_cases("powi", ["x o c"])
    zero = [c for c in cases if c.program.inputs[0][1] == 0.0]
    assert zero and not any(c.core for c in zero)
    assert cases.index(zero[0]) > max(i for i, c in enumerate(cases) if c.program.inputs[0][1] != 0.0)


# ---- planted: right everywhere but at an exact zero ----

@pytest.mark.parametrize(("cls", "kind", "op", "ops"), [
    ("PowRuleFromOutput", "crash", "powi", ["powi", "add", "mul"]),  # k * out / x at x = 0
    ("DivRuleFromOutput", "non-finite", "div", ["div", "add", "mul"]),  # out / x: nan at x = 0
    ("MulSkipsZeroFactor", "wrong-rule", "mul", ["mul", "add"]),  # no gradient through a zero factor
])
def test_a_rule_wrong_only_at_an_exact_zero_is_a_fault(cls: str, kind: str, op: str, ops: list[str]) -> None:
    result = audit(f"{ZOO / 'zeros.py'}:{cls}", ops=ops, max_examples=5)
    faults = [(f.kind, f.op, f.category) for f in result.findings]
    assert faults[:1] == [(kind, op, "fault")], result.render()
    finding = result.findings[0]
    assert finding.steps <= 3 and 0.0 in [v for _, v in finding.program.inputs], result.render()
    assert result.exit_code == 1 and result.fragilities == []


def test_the_zero_base_crash_needs_the_zero_points() -> None:
    # k * out / x is right at every nonzero base: only x = 0 shows it
    with EngineProcess(f"{ZOO / 'zeros.py'}:PowRuleFromOutput", 10.0) as engine:
        lab = Lab(engine)
        verdicts = {c.program.inputs[0][1] == 0.0: set() for c in op_cases("powi", ["x o c"])}
        for c in op_cases("powi", ["x o c"]):
            verdicts[c.program.inputs[0][1] == 0.0].add(lab.check(c.program).verdict)
    assert verdicts[False] == {"pass"} and verdicts[True] == {"crash"}


# ---- correct engines: no false alarm at a zero, of either sign ----

@pytest.mark.parametrize("spec", ["base.py:Value", "constants.py:Value", "numpy_scalars.py:Value",
                                  "opcodes.py:Value", "tape.py:Value"])
def test_every_zero_point_passes_on_a_correct_engine(spec: str) -> None:
    if spec.startswith("numpy"):
        pytest.importorskip("numpy")
    with EngineProcess(f"{ZOO / spec}", 10.0) as engine:
        lab = Lab(engine)
        ran = 0
        for op in OPS:
            for layout in layouts_of(op):
                for xs in zero_points(OPS[op], layout):
                    cases = op_cases(op, [layout])
                    case = next(c for c in cases if _inputs_of(c.program, layout) == _key(xs))
                    a = lab.check(case.program)
                    ran += 1
                    assert a.verdict == "pass", (spec, op, layout, xs, a.verdict, a.reason)
    assert ran >= 80


def _key(xs: tuple[float, ...]) -> tuple[str, ...]:
    return tuple(repr(x) for x in xs)


def _inputs_of(program: Program, layout: str) -> tuple[str, ...]:
    values = [v for _, v in program.inputs]
    step = program.steps[0]
    if layout == "x o c":
        return _key((values[0], step.args[1].value))  # type: ignore[union-attr]
    if layout == "c o x":
        return _key((step.args[0].value, values[0]))  # type: ignore[union-attr]
    if layout == "x o x":
        return _key((values[0], values[0]))
    return _key(tuple(values))


def test_a_negative_zero_gradient_is_a_correct_answer_of_an_exact_zero() -> None:
    # x * y at x = -0.0: dy = x is -0.0 in float64, exactly 0; relu(-0.0) may be -0.0 (max(x, 0)
    # keeps the sign when written x if x > 0 else x * 0). Either sign passes; a nonzero does not.
    from verify.judge.verdict import check_run

    mul = Program((("x", -0.0), ("y", 0.43)), (Step("mul", (0, 1)),))
    for dy in (-0.0, 0.0):
        assert check_run(mul, [-0.0, 0.43, -0.0], [0.43, dy, 1.0]).verdict == "pass"
    assert check_run(mul, [-0.0, 0.43, -0.0], [0.43, 0.43, 1.0]).verdict == "fail"
    relu = Program((("x", -0.0),), (Step("relu", (0,)),))
    for value in (-0.0, 0.0):
        assert check_run(relu, [-0.0, value], [0.0, 1.0]).verdict == "pass"
        assert check_run(relu, [-0.0, value], [-0.0, 1.0]).verdict == "pass"
    assert check_run(relu, [-0.0, 0.5], [0.0, 1.0]).verdict == "fail"
