"""The public API: check, check_run, assert_gradients, input naming and bad input."""

from __future__ import annotations

import subprocess
import sys

import mpmath
import pytest
import sympy

import verify
from micrograd import OPS, DomainError, MathError, Value
from verify.graph import to_program
from verify.oracle.ns import MPMATH, SYMPY
from verify.program import Const, Program, RunFailed, Step


def test_assert_gradients_returns_the_report_when_right_and_raises_when_wrong() -> None:
    x = Value(1.5)
    out = x * x + 1
    out.backward()
    assert verify.assert_gradients(out).ok
    x.grad = 2.0  # exactly: 2 * 1.5 = 3
    with pytest.raises(AssertionError, match="FAIL"):
        verify.assert_gradients(out)


def test_inputs_pick_and_name_the_leaves_reported() -> None:
    x, y, z = Value(1.0), Value(2.0), Value(3.0)
    out = x * y + z
    out.backward()
    report = verify.check(out, inputs={"weight": y})
    assert [(r.name, r.autograd) for r in report.inputs] == [("weight", 1.0)]
    report = verify.check(out, inputs=[z, x])
    assert [r.autograd for r in report.inputs] == [1.0, 2.0]
    assert [r.name for r in verify.check(out).inputs] == ["x0", "x1", "x2"]


def test_bad_inputs_get_clear_errors() -> None:
    x = Value(1.0)
    inner = x * 2.0
    out = inner + 1.0
    with pytest.raises(ValueError, match="not a leaf"):
        verify.check(out, inputs=[inner])
    with pytest.raises(TypeError, match="Value"):
        verify.check(3.0)  # type: ignore[arg-type]
    program = Program((("x", 1.0),), (Step("exp", (0,)),))
    with pytest.raises(ValueError, match="2 slots"):
        verify.check_run(program, [1.0], [1.0])
    with pytest.raises(ValueError, match="not a slot"):
        verify.check_run(program, [1.0, 2.7], [2.7, 1.0], inputs=[5])


def test_nan_from_an_engine_is_a_fault_not_a_silent_pass() -> None:
    program = Program((("x", 1.0),), (Step("exp", (0,)),))
    report = verify.check_run(program, [1.0, 2.718281828459045], [float("nan"), 1.0])
    assert report.verdict == "fail"


def test_graph_walk_handles_shared_nodes_constants_and_operand_order() -> None:
    x = Value(2.0)
    a = x + 1
    out = 3 - a * a
    program, values = to_program(out)
    assert program.steps == (
        Step("add", (0, Const(1.0))), Step("mul", (1, 1)), Step("sub", (Const(3.0), 2)),
    )
    assert values[0] is x and values[-1] is out


def test_a_chain_of_100000_nodes_is_walked_and_checked_without_recursion() -> None:
    x = Value(0.5)
    out = x
    for _ in range(50_000):
        out = out * 1.0 + 0.0
    out.backward()
    report = verify.check(out)
    assert report.program.size == 100_001 and report.ok


def test_every_op_in_the_table_has_a_sympy_and_an_mpmath_form() -> None:
    symbols = [sympy.Symbol(f"x{i}", real=True) for i in range(2)]
    for row in OPS.values():
        operands = [sympy.Rational(2) if i in row.constant else symbols[i] for i in range(row.arity)]
        exact = row.math(SYMPY, *operands)
        assert isinstance(exact, sympy.Expr) and exact.free_symbols, row.name
        with mpmath.workdps(30):
            point = [mpmath.mpf("0.75") if i == 0 else mpmath.mpf(2) for i in range(row.arity)]
            assert isinstance(row.math(MPMATH, *point), mpmath.mpf), row.name


def test_import_verify_stays_light() -> None:
    code = "import sys, verify; print('hypothesis' in sys.modules, 'sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_render_names_the_blamed_op() -> None:
    program = Program((("x", 2.0),), (Step("log", (0,)),))
    report = verify.check_run(program, [2.0, 0.6931471805599453], [0.25, 1.0])  # log'(2) is 1/2
    text = report.render()
    assert "FAIL" in text and "blamed: wrong-rule in log at v1" in text
    assert "\033[" in report.render(color=True)


def test_an_engine_that_gives_only_leaf_gradients_is_judged_end_to_end() -> None:
    program = Program((("x", 0.5),), (Step("tanh", (0,)), Step("mul", (1, Const(3.0)))))
    t = 0.46211715726000974  # tanh(0.5)
    good = 3.0 * (1.0 - t * t)
    data = [0.5, t, 3.0 * t]
    report = verify.check_run(program, data, [good, None, None])
    assert report.verdict == "pass", report.render()
    report = verify.check_run(program, data, [good * (1 + 1e-9), None, None])
    assert report.verdict == "fail" and "no per-node gradients" in report.faults[0].message


def test_check_before_backward_is_a_clear_error() -> None:
    x = Value(2.0)
    y = x * x
    with pytest.raises(ValueError, match=r"call output.backward\(\) before verify.check"):
        verify.check(y)


def test_running_a_program_says_which_step_raised_and_keeps_the_error() -> None:
    program = Program((("x", -1.0),), (Step("mul", (0, 0)), Step("log", (0,)), Step("add", (1, 2))))
    with pytest.raises(RunFailed) as forward:
        program.run(Value)
    assert (forward.value.stage, forward.value.slot) == ("forward", 2)  # log(-1): slot 2, the second step
    assert isinstance(forward.value.error, DomainError)
    assert len(forward.value.slots) == 2

    sqrt_at_0 = Program((("x", 0.0),), (Step("sqrt", (0,)),))
    assert len(sqrt_at_0.run(Value, backward=False)) == 2
    with pytest.raises(RunFailed) as backward:
        sqrt_at_0.run(Value)
    assert (backward.value.stage, backward.value.slot) == ("backward", None)
    assert isinstance(backward.value.error, MathError)
    with pytest.raises(ZeroDivisionError):  # only the exceptions asked for are caught
        Program((("x", 0.0),), (Step("div", (Const(1.0), 0)),)).run(lambda x: x, catch=MathError)
