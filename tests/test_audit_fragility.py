"""Fault or fragility: a failure an accepted textbook formula shows at the same point is a fragility.

The model (``verify.judge.fragility``) runs each textbook formula as float64 steps, with and
without traps, and excuses only what the formula itself does at that point; the audit lists such
findings apart and exits 0 for them unless ``strict``. Real engines from the zoo, real worker.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.cli.audit import main
from verify.judge.fragility import (
    LOST_DIGITS,
    Fragility,
    digits_lost,
    explain_lost,
    explain_non_finite,
    explain_raise,
)

ZOO = Path(__file__).resolve().parent / "engines" / "zoo"
sys.path.insert(0, str(ZOO))

TINY = 1.3e-300


# ---- the model: what a formula does at a point, nothing more ----

def test_karpathys_division_overflows_in_its_power_rule_at_tiny_operands() -> None:
    fragile = explain_raise("div", [TINY, -TINY], "OverflowError", "backward")
    assert fragile is not None and "y**-1" in fragile.formula and "-x/y/y" in fragile.robust
    # without traps the same step gives inf, of the sign the chain rule gives it
    assert explain_non_finite("div", [TINY, -TINY], "grad", 1, -math.inf) is not None
    assert explain_non_finite("div", [-TINY, TINY], "grad", 1, math.inf) is not None


def test_a_raise_the_formula_does_not_make_there_is_not_excused() -> None:
    # y**-2 fits at 1e-150 (1e300): a correct x * y**-1 does not overflow, so nothing excuses it
    assert explain_raise("div", [1e-150, 1e-150], "OverflowError", "backward") is None
    # the wrong sign of inf, another exception class, or the wrong stage are not what it does
    assert explain_non_finite("div", [TINY, -TINY], "grad", 1, math.inf) is None
    assert explain_raise("div", [TINY, -TINY], "ZeroDivisionError", "backward") is None
    assert explain_raise("div", [TINY, -TINY], "OverflowError", "forward") is None


def test_the_lecture_tanh_overflows_from_355_on_and_not_before() -> None:
    assert explain_raise("tanh", [356.0], "OverflowError", "forward") is not None
    assert explain_raise("tanh", [354.0], "OverflowError", "forward") is None  # exp(708) fits
    assert explain_non_finite("tanh", [400.0], "value", 0, math.nan) is not None  # inf / inf
    assert explain_non_finite("tanh", [354.0], "value", 0, math.nan) is None


def test_the_sigmoid_formulas_overflow_only_in_their_tails() -> None:
    assert explain_raise("sigmoid", [-710.0], "OverflowError", "forward") is not None
    assert explain_raise("sigmoid", [-700.0], "OverflowError", "forward") is None
    assert explain_raise("sigmoid", [-400.0], "OverflowError", "backward") is not None
    assert explain_raise("sigmoid", [-300.0], "OverflowError", "backward") is None


def test_one_minus_t_squared_loses_every_digit_for_large_x() -> None:
    exact = 4 * math.exp(-600.0)  # tanh'(300), a normal float
    fragile = explain_lost("tanh", [300.0], 0, 0.0, exact)
    assert fragile is not None and fragile.digits_lost == 16 and "1 - t*t" in fragile.formula
    # a gradient the formula does not give there is not excused by it
    assert explain_lost("tanh", [300.0], 0, exact * 2, exact) is None
    assert explain_lost("tanh", [0.5], 0, 1 - math.tanh(0.5) ** 2, 1 - math.tanh(0.5) ** 2) is None


@pytest.mark.parametrize(("got", "exact", "lost"), [
    (1.0, 1.0, 0), (0.0, 1e-260, 16), (math.inf, 1.0, 16), (1.0 + 1e-8, 1.0, 8), (1.0 + 1e-15, 1.0, 1)])
def test_digits_lost(got: float, exact: float, lost: int) -> None:
    assert digits_lost(got, exact) == lost


# ---- the audit: fragilities apart, exit 0 unless strict ----

def test_karpathys_division_with_a_guarded_power_rule_is_a_fragility_not_a_fault() -> None:
    result = audit(f"{ZOO / 'fragile.py'}:KarpathyDivision", ops=["div", "add", "mul"], max_examples=10)
    assert result.faults == [], result.render()
    # y**-2 overflows at 1e-300 (inf) and underflows at 1e300 (a gradient of 0 for 5.9e-301)
    kinds = {(f.kind, f.op) for f in result.fragilities}
    assert kinds == {("non-finite", "div"), ("lost-digits", "div")}, result.render()
    assert result.exit_code == 0 and result.verdict == "pass" and result.findings == []
    text = result.render()
    assert "FRAGILITY 1: non-finite in div" in text and "-x/y/y" in text and "FINDING" not in text
    document = result.to_dict()
    assert document["findings"] == [] and document["fragilities"][0]["category"] == "fragility"
    assert {f["fragility"]["digits_lost"] for f in document["fragilities"]} == {16}
    assert "fragilit" in result._repr_html_()


def test_strict_makes_a_fragility_fail() -> None:
    result = audit(f"{ZOO / 'fragile.py'}:KarpathyDivision", ops=["div", "add", "mul"], max_examples=10,
                   strict=True)
    assert result.exit_code == 1 and result.verdict == "fail"
    assert "strict=True" in result.reproduce() or "--strict" in result.reproduce()


def test_the_cli_takes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    spec = f"{ZOO / 'overflow.py'}:NaiveSigmoid"
    args = ["--engine", spec, "--ops", "sigmoid,add,mul", "--max-examples", "5", "-q", "--json"]
    assert main(args) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["verdict"] == "pass" and document["fragilities"] and not document["findings"]
    assert main([*args, "--strict"]) == 1
    assert json.loads(capsys.readouterr().out)["strict"] is True


def test_a_crash_no_textbook_formula_makes_stays_a_fault() -> None:
    # abs' = x / |x| raises ZeroDivisionError at 0: no accepted formula for abs does
    result = audit(f"{ZOO / 'crashes.py'}:AbsSignByDivision", ops=["abs", "add", "mul"], max_examples=10)
    assert [(f.kind, f.op, f.category) for f in result.campaign.findings] == [("crash", "abs", "fault")]
    assert result.exit_code == 1 and result.fragilities == []


# ---- verify.check: a fragile pass says so ----

def test_a_pass_through_a_lossy_textbook_rule_names_the_formula() -> None:
    from micrograd import Value
    from verify import check

    x = Value(300.0)
    y = x.tanh() * 1e300
    y.backward()
    report = check(y, inputs={"x": x})
    assert report.verdict == "pass" and x.grad == 0.0  # exactly 1.06e40: 1 - t*t lost every digit
    fragile = [n for n in report.notes if n.startswith("fragile: ")]
    assert len(fragile) == 1 and "1 - t*t" in fragile[0] and "16 of 16 digits" in fragile[0]
    assert "note: fragile:" in report.render()


def test_a_number_no_textbook_formula_gives_is_not_called_fragile() -> None:
    from micrograd import Value
    from verify import check

    x = Value(300.0)
    y = x.tanh() * 1e300
    y.backward()
    x.grad = 5e39  # inside what the accepted rules allow here, but no formula gives it
    report = check(y, inputs={"x": x})
    assert not any(n.startswith("fragile: ") for n in report.notes), report.render()
    x2 = Value(0.5)
    y2 = x2.tanh() * 2.0
    y2.backward()  # 1 - t*t keeps its digits at 0.5: nothing to say
    assert not any(n.startswith("fragile: ") for n in check(y2, inputs={"x": x2}).notes)


# ---- losing digits: half of float64's 16 is where a rounding becomes a fragility ----

def _tanh_rule_loss(x: float) -> Fragility | None:
    t = math.tanh(x)
    exact = 4 / (math.exp(x) + math.exp(-x)) ** 2  # within a few ulps of sech(x)**2 here
    return explain_lost("tanh", [x], 0, (1 - t * t) * 1.0, exact)


def test_losing_half_the_digits_or_more_is_a_fragility() -> None:
    # 1 - t*t at x = 10 keeps 8 of 16 digits, just at the line: a 10x looser line (80 digits)
    # would call nothing fragile, and this must be one
    assert LOST_DIGITS == 8
    fragile = _tanh_rule_loss(10.0)
    assert fragile is not None and fragile.digits_lost >= LOST_DIGITS
    assert _tanh_rule_loss(20.0) is not None  # every digit lost


def test_losing_fewer_digits_is_rounding_not_a_fragility() -> None:
    # 1 - t*t at 3.7 loses 2 digits and at 9 loses 6: accepted rounding of an accepted rule (a 10x
    # tighter line, 0.8 digits, would call both fragile)
    assert _tanh_rule_loss(3.7) is None
    assert _tanh_rule_loss(9.0) is None


def test_a_gradient_a_textbook_rule_lost_is_listed_as_a_fragility_by_the_audit() -> None:
    # our own engine's tanh rule is 1 - out * out: where |x| is large it loses every digit
    result = audit("micrograd.engine:Value", ops=["tanh", "add", "mul"], max_examples=10)
    assert result.findings == [] and result.exit_code == 0, result.render()
    lost = [f for f in result.fragilities if f.kind == "lost-digits"]
    assert [f.op for f in lost] == ["tanh"], result.render()
    assert lost[0].fragility is not None and lost[0].fragility.digits_lost >= LOST_DIGITS
    assert lost[0].steps <= 3


# ---- unsupported is not a crash ----

def test_a_layout_that_raises_the_same_everywhere_is_not_supported() -> None:
    result = audit(f"{ZOO / 'fragile.py'}:PowNumbersOnly", ops=["pow", "powi", "add", "mul"], max_examples=10)
    assert result.campaign.findings == [] and result.exit_code == 0, result.render()
    assert not result.survey.present("pow", "x o y")
    assert "not supported (raises UnboundLocalError at each of" in result.survey.why_not("pow")
    assert result.survey.present("pow", "c o x") and result.campaign.battery[("pow", "c o x")] > 0


def test_a_layout_that_raises_only_at_some_points_is_still_a_crash() -> None:
    # abs' = x / |x| works at every point but 0: a crash there, not an unsupported layout
    result = audit(f"{ZOO / 'crashes.py'}:AbsSignByDivision", ops=["abs", "add", "mul"], max_examples=5)
    assert [(f.kind, f.op) for f in result.findings] == [("crash", "abs")]
    assert result.survey.present("abs", "f(x)")


def test_three_points_all_raising_make_a_layout_unsupported_and_two_do_not() -> None:
    from verify.audit.battery import op_cases
    from verify.audit.engine.sandbox import EngineProcess
    from verify.audit.survey import Status
    from verify.audit.trial import Lab
    from verify.audit.unsupported import MIN_POINTS, layout_cases, unsupported

    assert MIN_POINTS == 3
    cases = layout_cases(op_cases("pow", ["x o y"]), "x o y")
    crashes = Status("crashes", "UnboundLocalError at the probe point")
    with EngineProcess(f"{ZOO / 'fragile.py'}:PowNumbersOnly", 10.0) as engine:
        lab = Lab(engine)
        assert unsupported(lab, crashes, cases[:2]) is None  # two raises prove too little
        gone = unsupported(lab, crashes, cases[:3])
        assert gone is not None and gone.state == "absent" and "3 points" in gone.reason
        assert unsupported(lab, Status("works"), cases) is None  # it raised nowhere at the probe


def test_a_method_broken_at_every_point_is_a_crash_not_an_unsupported_layout() -> None:
    # tanh raises NameError everywhere: no other layout of tanh works and a NameError is a bug
    result = audit(f"{ZOO / 'crashes.py'}:TanhNameError", ops=["tanh", "add", "mul"], max_examples=5)
    assert [(f.kind, f.op) for f in result.findings] == [("crash", "tanh")], result.render()
    assert result.survey.present("tanh", "f(x)")


def test_an_unseeded_backward_is_one_finding_and_the_values_are_still_judged() -> None:
    result = audit(f"{ZOO / 'unseeded.py'}:UnseededLeakyRelu", ops=["relu", "add", "mul"], max_examples=10)
    assert [(f.kind, f.op) for f in result.findings] == [("seed", ""), ("forward", "relu")], result.render()
    assert all(f.steps <= 3 for f in result.findings)


# ---- the programs learners write: augmented assignment ----

def test_an_in_place_iadd_is_caught_with_a_three_statement_program() -> None:
    result = audit(f"{ZOO / 'inplace.py'}:InPlaceAdd", ops=["add", "mul", "sub"], max_examples=10)
    assert [(f.kind, f.op) for f in result.findings] == [("in-place", "add")], result.render()
    finding = result.findings[0]
    assert finding.statements == ("y = x * 3.7", "y += x") and "x.grad is 3.7, not 4.7" in finding.message
    from verify.audit.render import snippet

    assert snippet(result, finding).endswith("y = x * 3.7\ny += x\ny.backward()\nprint(x.grad)")
    assert result.exit_code == 1


def test_a_correct_engine_means_the_same_by_c_plus_equals_x() -> None:
    result = audit(f"{ZOO / 'base.py'}:Value", ops=["add", "mul", "sub", "relu", "powi", "div", "neg"],
                   max_examples=5)
    assert not any(f.kind == "in-place" for f in result.campaign.findings), result.render()


# ---- deep graphs: a death is a finding, a RecursionError a limit ----

def test_a_worker_that_dies_on_a_deep_graph_is_a_died_finding_with_the_depth() -> None:
    engine = ZOO.parent / "sandbox" / "dies_deep.py"
    result = audit(f"{engine}:DiesOnDeepGraphs", ops=["add", "mul"], max_examples=5)
    died = [f for f in result.findings if f.kind == "died"]
    assert len(died) == 1 and died[0].steps == 5000, result.render()  # bisected to the first depth that dies
    assert "a chain of 4,999 steps works" in died[0].message and result.exit_code == 1


def test_a_clean_recursion_error_stays_a_limit() -> None:
    # BareValue's build_topo recurses: a RecursionError near 1,000 levels, reported as a limit
    result = audit(f"{ZOO / 'bare.py'}:BareValue", max_examples=5)
    assert not any(f.kind == "died" for f in result.campaign.findings)
    assert "RecursionError" in (result.campaign.depth.failure or "")
