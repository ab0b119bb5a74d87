"""minitorch's Scalar dialect: ``Scalar(x)``, ``.derivative`` on leaves only, no numpy needed."""

from __future__ import annotations

from pathlib import Path

from verify.tensor.audit import audit_tensor

ZOO = Path(__file__).parent / "engines" / "tensor"


def test_a_correct_minitorch_style_scalar_passes():
    result = audit_tensor(f"{ZOO / 'scalar_ref'}.py:Scalar")
    assert result.dialect == "scalar"
    assert result.failures == [], result.render()
    assert {"add", "mul", "div", "exp", "log", "sigmoid", "relu"} <= set(result.ops)
    assert "tanh" not in result.ops  # it has no tanh: the survey leaves it out


def test_a_wrong_rule_in_a_scalar_is_blamed_though_only_leaves_have_derivatives():
    result = audit_tensor(f"{ZOO / 'scalar_planted'}.py:Scalar")
    first = result.failures[0]
    assert (first.finding.op, first.finding.kind) == ("div", "gradient")
    assert first.finding.actual == -first.finding.expected  # the sign, and nothing else
    assert "y.derivative" in first.snippet and "np." not in first.snippet
