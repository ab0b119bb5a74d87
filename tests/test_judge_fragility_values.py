"""The textbook formulas of ``judge.fragility`` run directly: their values and gradients in both
float64 worlds, where each overflows, underflows or loses digits and where it does not, and the
explanations (``explain_raise``, ``explain_non_finite``, ``explain_lost``) that name them."""

from __future__ import annotations

import math

import pytest

from verify.judge.fragility import (
    LOST_DIGITS,
    TEXTBOOK,
    Fragility,
    Run,
    Textbook,
    _Ieee,
    _Raise,
    digits_lost,
    explain_lost,
    explain_non_finite,
    explain_raise,
    run,
)

inf = math.inf


def _row(op: str, part_of_name: str) -> Textbook:
    (book,) = [b for b in TEXTBOOK if b.op == op and part_of_name in b.name]
    return book


DIV = _row("div", "y**-1")
TANH_RULE = _row("tanh", "1 - t*t")
LECTURE_TANH = _row("tanh", "lecture")
ONE_BRANCH = _row("sigmoid", "one-branch")
SIGMOID_RULE = _row("sigmoid", "exp(-x) / (1 + exp(-x))**2")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-14)


# -- the two float worlds ------------------------------------------------------------------------

def test_ieee_floats_overflow_to_inf_and_keep_the_sign_of_an_odd_power() -> None:
    assert _Ieee.exp(1.0) == math.e and _Ieee.exp(1000.0) == inf
    assert _Ieee.pow(2.0, -1.0) == 0.5
    assert _Ieee.pow(1e-310, -1.0) == inf and _Ieee.pow(-1e-310, -1.0) == -inf
    assert _Ieee.pow(-1e-200, -2.0) == inf  # an even power is positive
    assert _Ieee.pow(-1e-300, -1.5) == inf  # not an integer power: no sign to keep
    assert _Ieee.pow(0.0, -1.0) == inf
    assert math.isnan(_Ieee.pow(-8.0, 0.5))  # a complex result is not a float


def test_ieee_division_by_zero_is_a_signed_inf_or_nan() -> None:
    assert _Ieee.div(6.0, 3.0) == 2.0
    assert _Ieee.div(1.0, 0.0) == inf and _Ieee.div(-1.0, 0.0) == -inf
    assert _Ieee.div(1.0, -0.0) == -inf and _Ieee.div(-1.0, -0.0) == inf
    assert math.isnan(_Ieee.div(0.0, 0.0)) and math.isnan(_Ieee.div(math.nan, 0.0))


def test_python_floats_raise_where_ieee_gives_inf() -> None:
    assert _Raise.exp(1.0) == math.e and _Raise.pow(2.0, -1.0) == 0.5 and _Raise.div(6.0, 3.0) == 2.0
    with pytest.raises(OverflowError):
        _Raise.exp(1000.0)
    with pytest.raises(OverflowError):
        _Raise.pow(1e-300, -2.0)
    with pytest.raises(ZeroDivisionError):
        _Raise.div(1.0, 0.0)
    assert math.isnan(_Raise.pow(-8.0, 0.5))


# -- each formula's value and gradient where it is fine ---------------------------------------------

def test_karpathys_division_and_its_power_rule_at_ordinary_operands() -> None:
    for world in ("raise", "ieee"):
        got = run(DIV, world, [3.0, 2.0], 5.0)
        assert got == Run(value=1.5, grads=(2.5, -3.75))  # 5 / 2 and -5 * 3 / 2**2
        assert got.error == "" and got.stage == ""
    assert run(DIV, "raise", [1.0, 3.0]).value == 1.0 * 3.0 ** -1
    assert run(DIV, "raise", [3.0, 2.0]).grads == (0.5, -0.75)  # upstream 1 by default


@pytest.mark.parametrize("book", [TANH_RULE, LECTURE_TANH])
def test_both_tanh_forms_and_the_rule_one_minus_t_squared_at_half(book: Textbook) -> None:
    got = run(book, "raise", [0.5], 5.0)
    assert _close(got.value, math.tanh(0.5))
    (g,) = got.grads
    assert _close(g, 5.0 / math.cosh(0.5) ** 2)


def test_the_library_tanh_reads_the_one_operand() -> None:
    assert run(TANH_RULE, "raise", [0.5]).value == math.tanh(0.5)


@pytest.mark.parametrize("x", [0.5, 0.9, 1.0, -1.0, -3.0])
@pytest.mark.parametrize("book", [ONE_BRANCH, SIGMOID_RULE])
def test_both_sigmoid_forms_and_both_rules(book: Textbook, x: float) -> None:
    got = run(book, "raise", [x], 5.0)
    s = 0.5 * (1.0 + math.tanh(x / 2))
    assert _close(got.value, s)
    (g,) = got.grads
    assert _close(g, 5.0 * s * (1.0 - s))


def test_the_two_branch_sigmoid_takes_one_over_one_plus_exp_minus_x_from_zero_up() -> None:
    # at 0.9 the two branches round differently; from 0 up it is the one-branch formula
    assert 1 / (1 + math.exp(-0.9)) != math.exp(0.9) / (1 + math.exp(0.9))
    assert run(SIGMOID_RULE, "raise", [0.9]).value == 1 / (1 + math.exp(-0.9))
    assert run(SIGMOID_RULE, "raise", [-0.9]).value == math.exp(-0.9) / (1 + math.exp(-0.9))


# -- where each formula overflows -----------------------------------------------------------------

def test_the_lecture_tanh_raises_in_its_value_from_355_and_gives_nan_without_traps() -> None:
    assert run(LECTURE_TANH, "raise", [354.0]).value == 1.0
    got = run(LECTURE_TANH, "raise", [355.0])
    assert got.error == "OverflowError" and got.stage == "forward"
    assert math.isnan(got.value) and got.grads == ()
    ieee = run(LECTURE_TANH, "ieee", [400.0])
    assert ieee.error == "" and math.isnan(ieee.value) and math.isnan(ieee.grads[0])
    library = run(TANH_RULE, "raise", [400.0])
    assert library == Run(value=1.0, grads=(0.0,))


def test_karpathys_division_raises_in_its_power_rule_at_a_tiny_divisor() -> None:
    got = run(DIV, "raise", [1.0, 1e-300])
    assert got.error == "OverflowError" and got.stage == "backward" and got.value == 1e-300 ** -1
    assert run(DIV, "ieee", [1.0, 1e-300]) == Run(value=1e-300 ** -1, grads=(1e-300 ** -1, -inf))
    zero = run(DIV, "raise", [1.0, 0.0])
    assert zero.error == "ZeroDivisionError" and zero.stage == "forward"


def test_the_sigmoids_overflow_in_the_far_negative_tail_only() -> None:
    one = run(ONE_BRANCH, "raise", [-745.0])
    assert one.error == "OverflowError" and one.stage == "forward"
    two = run(SIGMOID_RULE, "raise", [-745.0])
    assert two.error == "OverflowError" and two.stage == "backward" and two.value == 5e-324
    # without traps the one-branch sigmoid underflows to 0 instead
    assert run(ONE_BRANCH, "ieee", [-745.0]) == Run(value=0.0, grads=(0.0,))
    for book in (ONE_BRANCH, SIGMOID_RULE):
        assert run(book, "raise", [1000.0]) == Run(value=1.0, grads=(0.0,))
    # the rule's (1 + exp(-x))**2 overflows from -355 on, the one-branch value from -710 on
    assert run(SIGMOID_RULE, "raise", [-354.0]).error == ""
    assert run(SIGMOID_RULE, "raise", [-356.0]).stage == "backward"
    assert run(ONE_BRANCH, "raise", [-709.0]).error == ""


# -- explain_raise ----------------------------------------------------------------------------------

def test_a_raise_is_explained_by_the_formula_that_raises_it_in_the_same_stage() -> None:
    f = explain_raise("div", [1.0, 1e-300], "OverflowError", "backward")
    assert f == Fragility("div", DIV.name, "raises OverflowError in backward", 16, DIV.robust)
    assert explain_raise("div", [1.0, 1e-300], "OverflowError", "forward") is None
    assert explain_raise("div", [1.0, 1e-300], "ZeroDivisionError", "backward") is None
    assert explain_raise("div", [1.0, 2.0], "OverflowError", "backward") is None
    zero = explain_raise("div", [1.0, 0.0], "ZeroDivisionError", "forward")
    assert zero is not None and zero.formula == DIV.name


def test_a_raise_is_matched_on_both_its_class_and_its_stage() -> None:
    # the one-branch sigmoid raises in forward, the sigmoid rule in backward, at the same point
    back = explain_raise("sigmoid", [-745.0], "OverflowError", "backward", 3.0)
    assert back is not None and back.formula == SIGMOID_RULE.name and back.robust == SIGMOID_RULE.robust
    fwd = explain_raise("sigmoid", [-745.0], "OverflowError", "forward")
    assert fwd is not None and fwd.formula == ONE_BRANCH.name
    assert explain_raise("tanh", [355.0], "OverflowError", "forward") is not None
    assert explain_raise("tanh", [354.0], "OverflowError", "forward") is None
    assert explain_raise("relu", [-745.0], "OverflowError", "forward") is None


# -- explain_non_finite -----------------------------------------------------------------------------

def test_a_non_finite_gradient_is_explained_only_with_the_same_sign_and_operand() -> None:
    f = explain_non_finite("div", [1.0, 1e-300], "grad", 1, -inf)
    assert f == Fragility("div", DIV.name, "gives -inf for the gradient of operand 1", 16, DIV.robust)
    assert explain_non_finite("div", [1.0, 1e-300], "grad", 1, inf) is None
    assert explain_non_finite("div", [1.0, 1e-300], "grad", 1, math.nan) is None
    assert explain_non_finite("div", [1.0, 1e-300], "grad", 1, -1.0) is None
    assert explain_non_finite("div", [1.0, 1e-300], "grad", 0, inf) is None  # 1e300 is finite
    assert explain_non_finite("div", [1.0, 1e-300], "value", 0, inf) is None
    g0 = explain_non_finite("div", [1.0, 1e-310], "grad", 0, inf)
    assert g0 is not None and g0.what == "gives inf for the gradient of operand 0"


def test_a_nan_value_or_gradient_is_the_lecture_tanhs() -> None:
    value = explain_non_finite("tanh", [400.0], "value", 0, math.nan)
    assert value == Fragility("tanh", LECTURE_TANH.name, "gives nan for the value", 16, LECTURE_TANH.robust)
    grad = explain_non_finite("tanh", [400.0], "grad", 0, math.nan)
    assert grad is not None and grad.formula == LECTURE_TANH.name
    assert grad.what == "gives nan for the gradient of operand 0"
    assert explain_non_finite("tanh", [400.0], "grad", 1, math.nan) is None  # tanh has one operand
    assert explain_non_finite("tanh", [400.0], "value", 0, inf) is None
    assert explain_non_finite("tanh", [3.0], "value", 0, math.nan) is None


def test_a_non_finite_gradient_depends_on_the_upstream_gradient() -> None:
    # 1 / 1e-308 is 1e308, finite; twice it overflows
    assert explain_non_finite("div", [1.0, 1e-308], "grad", 0, inf) is None
    f = explain_non_finite("div", [1.0, 1e-308], "grad", 0, inf, 2.0)
    assert f is not None and f.formula == DIV.name
    sigmoid = explain_non_finite("sigmoid", [-1000.0], "grad", 0, math.nan)
    assert sigmoid is not None and sigmoid.formula == SIGMOID_RULE.name


def test_a_value_is_not_explained_by_a_non_finite_gradient() -> None:
    # at y = 1e-300 the value 1e300 is finite while the gradient of y is -inf
    assert explain_non_finite("div", [1.0, 1e-300], "value", 1, -inf) is None


def test_an_operand_too_large_for_a_float_skips_the_formula_that_raises_on_it() -> None:
    # math.tanh raises on an int past float64's range; the lecture tanh gives nan there
    f = explain_non_finite("tanh", [10**400], "value", 0, math.nan)
    assert f is not None and f.formula == LECTURE_TANH.name


# -- explain_lost and digits_lost -------------------------------------------------------------------

TANH10 = 8.244614455767397e-09
"""1 / cosh(10)**2 to 16 digits: 1 - t*t there keeps 8 of them."""
TANH9_5 = 2.241118549901845e-08
"""1 / cosh(9.5)**2: 1 - t*t there keeps 9."""


def test_one_minus_t_squared_losing_half_the_digits_is_a_fragility_and_fewer_is_not() -> None:
    seen = run(TANH_RULE, "raise", [10.0]).grads[0]
    assert digits_lost(seen, TANH10) == LOST_DIGITS == 8
    f = explain_lost("tanh", [10.0], 0, seen, TANH10)
    assert f == Fragility("tanh", TANH_RULE.name, f"gives {seen!r} for the gradient of operand 0", 8,
                          TANH_RULE.robust)
    assert explain_lost("tanh", [10.0], 0, seen, TANH10, 2.0) is None  # not what the rule gives there
    assert explain_lost("tanh", [10.0], 0, 2 * seen, TANH10, 2.0) is not None
    assert explain_lost("tanh", [10.0], 1, seen, TANH10) is None
    assert explain_lost("tanh", [10.0], 0, seen * (1 + 2**-50), TANH10) is None
    fewer = run(TANH_RULE, "raise", [9.5]).grads[0]
    assert digits_lost(fewer, TANH9_5) == 7
    assert explain_lost("tanh", [9.5], 0, fewer, TANH9_5) is None


def test_every_digit_lost_to_rounding_one_is_sixteen() -> None:
    exact = 1 / math.cosh(20.0) ** 2
    f = explain_lost("tanh", [20.0], 0, 0.0, exact)
    assert f is not None and f.digits_lost == 16 and f.formula == TANH_RULE.name
    assert f.what == "gives 0.0 for the gradient of operand 0"


def test_a_loss_seen_only_without_traps_is_explained_too() -> None:
    # on Python floats both sigmoid forms raise at -745; without traps the one-branch one gives 0
    f = explain_lost("sigmoid", [-745.0], 0, 0.0, 5e-324)
    assert f is not None and f.formula == ONE_BRANCH.name and f.digits_lost == 16
    assert explain_lost("sigmoid", [-745.0], 0, 0.0, 0.0) is None  # exact 0 kept


def test_a_loss_of_a_later_formula_is_found_past_one_that_does_not_match() -> None:
    # at 18.5 the lecture tanh rounds to 1, so its 1 - t*t is 0; math.tanh's is 4.4e-16
    exact = 3.413219050297626e-16  # 1 / cosh(18.5)**2
    assert run(TANH_RULE, "raise", [18.5]).grads == (2**-51,)
    f = explain_lost("tanh", [18.5], 0, 0.0, exact)
    assert f is not None and f.formula == LECTURE_TANH.name and f.digits_lost == 16


@pytest.mark.parametrize(("got", "exact", "lost"), [
    (1.5, 1.5, 0),
    (1.0, inf, 0),
    (1.0, math.nan, 0),
    (-inf, inf, 0),
    (math.nan, inf, 0),
    (1.0, 0.0, 0),
    (inf, 1.0, 16),
    (math.nan, 1.0, 16),
    (-inf, 1.0, 16),
    (0.0, 1.0, 16),
    (2.0, 1.0, 16),
    (-1.0, 1.0, 16),
    (1.0 + 1e-8, 1.0, 8),
    (1.0 + 1e-4, 1.0, 12),
    (1.0 - 1e-3, 1.0, 13),
    (1.0 + 2**-52, 1.0, 0),
    (1.25, 1.0, 15),
    (1.01, 1.0, 14),
])
def test_digits_lost(got: float, exact: float, lost: int) -> None:
    assert digits_lost(got, exact) == lost


# -- the rows and the sentence --------------------------------------------------------------------

def test_the_rows_name_their_formula_and_their_robust_alternative() -> None:
    assert [b.op for b in TEXTBOOK] == ["div", "tanh", "tanh", "sigmoid", "sigmoid"]
    assert DIV.name.startswith("x * y**-1") and DIV.name.endswith("k * y**(k - 1)")
    assert DIV.robust.endswith("d/dy = -x/y/y")
    assert TANH_RULE.name.endswith("1 - t*t") and TANH_RULE.robust.endswith("below |x| = 355")
    assert LECTURE_TANH.name.endswith("(exp(2x) - 1) / (exp(2x) + 1)")
    assert LECTURE_TANH.robust.startswith("math.tanh(x)")
    assert ONE_BRANCH.name.endswith("1 / (1 + exp(-x))") and ONE_BRANCH.robust.endswith("for x < 0")
    assert SIGMOID_RULE.name.endswith("exp(-x) / (1 + exp(-x))**2")
    assert SIGMOID_RULE.robust.startswith("the rule s * (1 - s)")


def test_the_sentence_names_the_formula_what_it_does_the_digits_and_the_alternative() -> None:
    f = explain_raise("div", [1.0, 1e-300], "OverflowError", "backward")
    assert f is not None
    text = f.sentence()
    assert text.startswith(f"{DIV.name} raises OverflowError in backward here too")
    assert "losing 16 of 16 digits" in text and text.endswith(f"robust: {DIV.robust}")
