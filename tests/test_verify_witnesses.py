"""Each witness on hand-computed cases: the exact gradient, the finite difference, the forward value."""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import mpmath
import pytest

import verify
from micrograd import Value
from verify.program import Const, Program, Step


def _digits(text: str, value: Fraction | mpmath.mpf, digits: int = 32) -> bool:
    """Does the decimal string ``text`` match ``value`` to ``digits`` significant digits?"""
    with mpmath.workdps(digits + 10):
        got = mpmath.mpf(text)
        want = mpmath.mpf(value.numerator) / value.denominator if isinstance(value, Fraction) else value
        return bool(abs(got - want) <= abs(want) * mpmath.mpf(10) ** -digits)


def seed(run: tuple[dict[str, Any], str]) -> tuple[Value, Value, Value]:
    names, _ = run
    return names["g"], names["a"], names["b"]


def test_seed_gradients_are_exact(seed_example: tuple[dict[str, Any], str]) -> None:
    # By hand at a=-4, b=2 (relu(a+b) is 0, relu(b-a) = b-a):
    # e = 4a + 3b + 3 - 12ab - 12b^3 = -7, de/da = 4 - 12b = -20, de/db = 3 - 12a - 36b^2 = -93,
    # f = e^2 = 49, dg/df = 1/2 - 10/f^2 = 2381/4802, so dg/da = 2e(-20)(2381/4802), dg/db = 2e(-93)(...).
    g, a, b = seed(seed_example)
    report = verify.check(g, inputs={"a": a, "b": b})
    assert report.verdict == "pass" and report.ok
    row_a, row_b = report.inputs
    assert (row_a.name, row_b.name) == ("a", "b")
    assert _digits(row_a.exact, Fraction(280 * 2381, 4802))
    assert _digits(row_b.exact, Fraction(1302 * 2381, 4802))
    assert (round(float(row_a.exact), 4), round(float(row_b.exact), 4)) == (138.8338, 645.5773)
    assert _digits(report.exact_value, Fraction(49, 2) + Fraction(10, 49))
    assert len(row_a.exact.replace(".", "").lstrip("0")) >= 30


def test_seed_formula_is_printed_and_mentions_both_inputs(seed_example: tuple[dict[str, Any], str]) -> None:
    g, a, b = seed(seed_example)
    report = verify.check(g, inputs={"a": a, "b": b})
    for row in report.inputs:
        assert row.formula is not None and "a" in row.formula and "b" in row.formula
    # The formula is evaluated and compared with the exact reverse mode: no oracle fault.
    assert not [n for n in report.notes if n.startswith("oracle fault")]


def test_float_constants_are_exact_rationals_not_53_bit_floats() -> None:
    x = Value(1.0)
    y = x / 3.0 + x * 0.1
    y.backward()
    report = verify.check(y)
    # d/dx = 1/3 + (the double nearest 0.1) = 1/3 + 3602879701896397 / 2**55
    want = Fraction(1, 3) + Fraction(3602879701896397, 2**55)
    assert _digits(report.inputs[0].exact, want, 33)


def test_finite_difference_witness_matches_a_hand_derivative() -> None:
    x, y = Value(0.5), Value(3.0)
    out = x.tanh() * y
    out.backward()
    report = verify.check(out, inputs={"x": x, "y": y})
    with mpmath.workdps(40):
        sech2 = mpmath.sech(mpmath.mpf(0.5)) ** 2
        assert _digits(report.inputs[0].fd, 3 * sech2, 15)
        assert _digits(report.inputs[1].fd, mpmath.tanh(mpmath.mpf(0.5)), 15)
        assert _digits(report.inputs[0].exact, 3 * sech2, 32)


def test_many_inputs_use_random_directions_for_the_difference() -> None:
    xs = [Value(float(i + 1)) for i in range(12)]
    out = xs[0]
    for v in xs[1:]:
        out = out * 0.5 + v * v
    out.backward()
    report = verify.check(out)
    assert report.ok
    assert any("random directions, 2 agreed" in n for n in report.notes)


def test_wrong_mirror_is_an_oracle_fault_not_an_engine_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    # Sabotage the finite-difference witness only: the exact and difference witnesses now disagree.
    from verify.oracle import fd as oracle_fd

    real_forward = oracle_fd.forward

    def skewed(nodes, leaves):  # type: ignore[no-untyped-def]
        values = real_forward(nodes, leaves)
        values[-1] = values[-1] * 1.001
        return values

    monkeypatch.setattr(oracle_fd, "forward", skewed)
    x = Value(0.7)
    out = x.sin() * x
    out.backward()
    report = verify.check(out)
    assert report.verdict == "inconclusive" and not report.ok
    assert any(n.startswith("oracle fault") for n in report.notes)
    assert not report.faults


def test_forward_values_are_checked() -> None:
    program = Program((("x", 2.0),), (Step("exp", (0,)),))
    # exp(2) = 7.38905609893065...; an engine answering 7.39 is wrong in the forward pass.
    report = verify.check_run(program, [2.0, 7.39], [7.39, 1.0])
    assert report.verdict == "fail"
    assert report.faults[0].kind == "forward" and report.faults[0].op == "exp"


def test_report_rows_errors_in_ulps_and_json() -> None:
    program = Program((("x", 3.0),), (Step("mul", (0, Const(2.0))),))
    off = 2.0 + 4 * 2.0**-51  # 4 ulps of 2.0 (ulp(2.0) = 2**-51)
    report = verify.check_run(program, [3.0, 6.0], [off, 1.0])
    row = report.inputs[0]
    assert row.ulps == pytest.approx(4.0)
    assert row.rel_error == pytest.approx(4 * 2.0**-52)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {"ok", "verdict", "value", "inputs", "faults", "notes"}
    assert set(data["inputs"][0]) >= {"name", "autograd", "exact", "fd", "rel_error", "ulps", "verdict"}
    x_row, product = data["nodes"]
    assert (x_row["name"], x_row["op"], x_row["grad"], x_row["exact_grad"]) == ("x", "", off, "2.0")
    assert (product["op"], product["args"], product["data"]) == ("mul", ["x", "2.0"], 6.0)
    assert product["exact_data"] == "6.0"
    assert product["local"] == [{"index": 0, "partial": "2.0", "exact": "2.0"}]


def test_node_rows_carry_local_derivatives() -> None:
    x = Value(0.5)
    out = (x * x).tanh()
    out.backward()
    report = verify.check(out, inputs={"x": x})
    tanh_row = report.nodes[-1]
    assert tanh_row.op == "tanh" and tanh_row.args == ("v1",)
    formula, value = tanh_row.local[0]
    assert formula == "1 - tanh(v1)**2"
    with mpmath.workdps(40):
        assert _digits(value, mpmath.sech(mpmath.mpf(0.25)) ** 2, 28)
