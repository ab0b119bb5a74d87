"""What a report shows beside its verdict (``judge.details``), by value: the kink notes, the printed
formulas (none at a kink), each node's row against independently computed values, and the notes of
the finite differences."""

from __future__ import annotations

import math

from flint import arb

from verify.judge.details import difference_notes, kink_notes, lazy, node_rows, shown_formulas
from verify.oracle.exact import exact, plan
from verify.oracle.fd import Difference
from verify.program import Const, Program, Step

SMOOTH = Program((("x", 0.5), ("y", 2.0)),
                 (Step("mul", (0, 1)), Step("sin", (2,)), Step("div", (Const(1.0), 3))))
"""1 / sin(x * y): slots x, y, m = x*y, s = sin(m), d = 1/s."""


def test_each_node_on_its_kink_gets_a_note_with_its_sides_in_order() -> None:
    program = Program((("x", 0.0),), (Step("relu", (0,)), Step("abs", (0,)), Step("add", (1, 2))))
    nodes = plan(program)
    ex = exact(program, nodes, 128)
    assert ex.kinks == [1, 2]
    between = "any derivative between the one-sided ones"
    tail = "is accepted, including the engine's convention"
    assert kink_notes(program, nodes, ex, ["x", "r", "a", "o"]) == [
        f"r = relu(...) sits exactly on its kink at 0.0: {between} [0.0, 1.0] {tail}",
        f"a = abs(...) sits exactly on its kink at 0.0: {between} [-1.0, 1.0] {tail}"]
    assert shown_formulas(program, [0], ex) == {}  # at a kink no one formula is the gradient


def test_formulas_are_shown_for_the_slots_asked() -> None:
    ex = exact(SMOOTH, plan(SMOOTH), 128)
    assert shown_formulas(SMOOTH, [0, 1], ex) == {0: "-y*cos(x*y)/sin(x*y)**2", 1: "-x*cos(x*y)/sin(x*y)**2"}
    assert shown_formulas(SMOOTH, [1], ex) == {1: "-x*cos(x*y)/sin(x*y)**2"}


def test_lazy_makes_once_on_first_use() -> None:
    made: list[int] = []
    get = lazy(lambda: {len(made): str(made.append(1))})
    assert made == []
    assert get() == {0: "None"} and get() == {0: "None"} and made == [1]


def test_each_node_row_holds_the_engines_numbers_beside_the_exact_ones() -> None:
    nodes = plan(SMOOTH)
    ex = exact(SMOOTH, nodes, 128)
    data, grad = [0.5, 2.0, 1.0, 0.8, 1.2], [1.0, 2.0, 3.0, 4.0, 5.0]
    rows = node_rows(SMOOTH, nodes, ["x", "y", "m", "s", "d"], data, grad, ex)
    shape = [(r.slot, r.name, r.op, r.args, r.data, r.grad, [f for f, _ in r.local]) for r in rows]
    assert shape == [(0, "x", "", (), 0.5, 1.0, []), (1, "y", "", (), 2.0, 2.0, []),
                     (2, "m", "mul", ("x", "y"), 1.0, 3.0, ["y", "x"]),
                     (3, "s", "sin", ("m",), 0.8, 4.0, ["cos(m)"]),
                     (4, "d", "div", ("1.0", "s"), 1.2, 5.0, ["-1.0/s**2"])]
    s, c = math.sin(1.0), math.cos(1.0)
    d_dm = -c / s**2
    want_data = [0.5, 2.0, 1.0, s, 1 / s]
    want_grad = [2 * d_dm, 0.5 * d_dm, d_dm, -1 / s**2, 1.0]
    want_local = [[], [], [2.0, 0.5], [c], [-1 / s**2]]
    for r, v, g, loc in zip(rows, want_data, want_grad, want_local, strict=True):
        assert math.isclose(float(r.exact_data), v, rel_tol=1e-14)
        assert math.isclose(float(r.exact_grad), g, rel_tol=1e-14)
        assert [math.isclose(float(t), w, rel_tol=1e-14) for (_, t), w in zip(r.local, loc, strict=True)] == \
            [True] * len(loc)
    assert len(rows[3].local[0][1].lstrip("0.")) == 30  # cos(1) = 0.540302305868...: 30 digits shown


def test_difference_notes_say_each_skip_and_disagreement_and_count_random_directions() -> None:
    one = arb(1)
    skipped = Difference([1, 0], None, one, True, "difference skipped: a kink lies within the step")
    wrong = Difference([0, 1], arb(2), one, False, "")
    right = Difference([1, 1], one, one, True, "")
    assert difference_notes([skipped, wrong, right], True) == [
        "difference skipped: a kink lies within the step",
        "oracle fault: the finite difference disagrees with the exact gradient (fd 2.0, exact 1.0)"]
    assert difference_notes([right, wrong, skipped], False) == [
        "oracle fault: the finite difference disagrees with the exact gradient (fd 2.0, exact 1.0)",
        "difference skipped: a kink lies within the step",
        "finite differences checked along 3 random directions, 1 agreed"]
    two = "finite differences checked along 2 random directions, 2 agreed"
    assert difference_notes([right, right], False) == [two]


def _digits(shown: str) -> int:
    """Significant digits of a printed number: "-0.00123e+5" has 3."""
    return len(shown.partition("e")[0].lstrip("-").replace(".", "").lstrip("0"))


def test_each_exact_number_of_a_row_is_shown_to_30_digits() -> None:
    # at x = 0.1 and y = 0.3 (neither a short decimal in binary) every exact number but the output's
    # gradient (1) has more than 30 digits, and none of them ends in a 0 at the 31st
    program = Program((("x", 0.1), ("y", 0.3)), SMOOTH.steps)
    nodes = plan(program)
    ex = exact(program, nodes, 128)
    rows = node_rows(program, nodes, ["x", "y", "m", "s", "d"], [None] * 5, [None] * 5, ex)
    assert [r.slot for r in rows] == [0, 1, 2, 3, 4] and rows[4].exact_grad == "1.0"
    shown = [(r.slot, "value", _digits(r.exact_data)) for r in rows]
    shown += [(r.slot, "gradient", _digits(r.exact_grad)) for r in rows[:4]]
    shown += [(r.slot, f"partial {f}", _digits(t)) for r in rows for f, t in r.local]
    assert shown == [(s, what, 30) for s, what, _ in shown] and len(shown) == 5 + 4 + 4


def test_a_formula_with_no_finite_value_at_the_working_precision_is_not_shown() -> None:
    # log(1 - tanh(x)): SymPy's derivative divides by 1 - tanh(x), which at x = 50 (7e-44) the ball
    # at the oracle's precision cannot tell from 0; at x = 20 it can
    def shown(x: float) -> dict[int, str]:
        program = Program((("x", x),), (Step("tanh", (0,)), Step("neg", (1,)), Step("add", (2, Const(1.0))),
                                        Step("log", (3,))))
        return shown_formulas(program, [0], exact(program, plan(program), 128))

    assert shown(20.0) == {0: "(tanh(x)**2 - 1)/(1 - tanh(x))"}
    assert shown(50.0) == {}
