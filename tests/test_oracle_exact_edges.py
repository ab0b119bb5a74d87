"""The exact witness (``oracle.exact``) on small programs: its values, adjoints, kinks and refusals.

Each expectation is the exact answer (a ball that holds it and is tight), or the exact place and
reason of a refusal: the judge prints both, and blames nodes by them.
"""

from __future__ import annotations

from typing import Any

import pytest
from flint import arb

from verify.oracle.ball import ball, workprec
from verify.oracle.exact import UndefinedAt, exact, forward, local_partials, partials_at, plan
from verify.program import Const, Program, Step

BITS = 128


def close(got: Any, want: Any) -> bool:
    """``got`` holds ``want``'s midpoint and is tight (radius below 2**-100 of the size, or exact)."""
    with workprec(BITS):
        return bool(got.overlaps(want) and got.rad() <= abs(want.mid()) * arb(2) ** -100 + arb(2) ** -300)


def run(inputs: dict[str, float], *steps: Step, bits: int = BITS) -> Any:
    program = Program(tuple(inputs.items()), steps)
    return exact(program, plan(program), bits)


def test_values_and_adjoints_of_a_small_program() -> None:
    # x * y + sin(x) at x = 0.5, y = -2: d/dx = y + cos(x), d/dy = x
    ex = run({"x": 0.5, "y": -2.0}, Step("mul", (0, 1)), Step("sin", (0,)), Step("add", (2, 3)))
    with workprec(BITS):
        x, y = arb(0.5), arb(-2)
        assert close(ex.values[4], x * y + x.sin())
        assert close(ex.adjoints[0], y + x.cos())
        assert close(ex.adjoints[1], x)
    assert ex.adjoints[4] == arb(1) and ex.adjoints[2] == arb(1) and ex.adjoints[3] == arb(1)
    assert ex.partials[2] == [arb(-2), arb(0.5)] and ex.kinks == [] and ex.unsure == [] and ex.bits == BITS


def test_constants_take_their_place_in_each_operand() -> None:
    # (1 - x) * 3 ** ... : sub with the constant first, powi with its integer exponent
    ex = run({"x": -2.0}, Step("sub", (Const(1.0), 0)), Step("powi", (1, Const(3.0))),
             Step("mul", (2, Const(0.5))))
    assert ex.values[1:] == [arb(3), arb(27), arb(13.5)]
    # d/dx of ((1 - x)**3) / 2 is -3 (1 - x)**2 / 2 = -13.5
    assert ex.adjoints[0] == arb(-13.5)
    assert ex.partials[1] == [None, arb(-1)] and ex.partials[2] == [arb(27), None]


def test_one_node_twice_is_one_number_not_two() -> None:
    # x - x and x / x of an inexact x are exactly 0 and 1, with a total derivative of exactly 0
    ex = run({"x": 2.0}, Step("sqrt", (0,)), Step("sub", (1, 1)))
    assert ex.values[2] == arb(0) and ex.adjoints[0] == arb(0)
    ex = run({"x": 2.0}, Step("sqrt", (0,)), Step("div", (1, 1)))
    assert ex.values[2] == arb(1) and ex.adjoints[0] == arb(0)
    ex = run({"x": 3.0}, Step("mul", (0, 0)))
    assert ex.values[1] == arb(9) and ex.adjoints[0] == arb(6)  # 2x, once


@pytest.mark.parametrize(("op", "lo", "hi"), [("relu", 0, 1), ("abs", -1, 1)])
def test_at_a_kink_the_adjoint_is_every_derivative_between_the_sides(op: str, lo: int, hi: int) -> None:
    ex = run({"x": 0.0}, Step(op, (0,)))
    a = ex.adjoints[0]
    assert ex.kinks == [1] and a.contains(arb(lo)) and a.contains(arb(hi)) and a.contains(arb((lo + hi) / 2))
    assert a.lower() > lo - 1e-7 and a.upper() < hi + 1e-7  # arb rounds a radius up, to 30 bits
    assert ex.partials[1][0] is not None and ex.partials[1][0].contains(arb(lo))


@pytest.mark.parametrize(("op", "x", "want"), [("relu", 2.0, 1), ("relu", -2.0, 0), ("abs", -2.0, -1)])
def test_off_a_kink_the_adjoint_is_its_sides_own(op: str, x: float, want: int) -> None:
    ex = run({"x": x}, Step(op, (0,)))
    assert ex.kinks == [] and ex.adjoints[0] == arb(want)


def test_a_kink_operand_that_no_precision_decides_is_unsure() -> None:
    # relu(sqrt(2) * sqrt(2) - 2): a ball around 0, never exactly 0
    ex = run({"x": 2.0}, Step("sqrt", (0,)), Step("mul", (1, 1)), Step("sub", (2, Const(2.0))),
             Step("relu", (3,)))
    assert ex.unsure == [(4, "cannot tell which side of relu's kink its operand is")] and ex.kinks == []


@pytest.mark.parametrize(("inputs", "steps", "slot", "reason"), [
    ({"x": 0.0}, (Step("log", (0,)),), 1, "log is undefined here"),
    ({"x": -1.0}, (Step("sqrt", (0,)),), 1, "sqrt is undefined here"),
    ({"x": 1.0, "y": 0.0}, (Step("div", (0, 1)),), 2, "div is undefined here"),
    ({"x": 1.0}, (Step("exp", (0,)), Step("sub", (1, 1)), Step("log", (2,))), 3,
     "log is undefined here"),
    ({"x": 710.0}, (Step("exp", (0,)),), 1, "exp's value overflows float64"),
    ({"x": 1.7976931348623157e308}, (Step("mul", (0, Const(1.0000000000000002))),), 1,
     "mul's value overflows float64"),
    ({"x": 0.0}, (Step("sqrt", (0,)), Step("add", (1, Const(1.0)))), 1,
     "sqrt's derivative is undefined here"),
    ({"x": 0.0, "y": 2.0}, (Step("add", (1, Const(0.0))), Step("pow", (0, 2))), 3,
     "pow's derivative is undefined here"),
])
def test_an_undefined_value_or_derivative_names_its_step(inputs: dict[str, float], steps: tuple[Step, ...],
                                                         slot: int, reason: str) -> None:
    with pytest.raises(UndefinedAt) as raised:
        run(inputs, *steps)
    assert (raised.value.slot, raised.value.reason, str(raised.value)) == (slot, reason, reason)


def test_an_operand_certainly_outside_the_domain_is_undefined_even_in_a_wide_ball() -> None:
    program = Program((("x", 1.0),), (Step("log", (0,)),))
    nodes = plan(program)
    with workprec(BITS):
        for leaf in (arb(-0.96, 0.01), arb(-5, 1)):
            with pytest.raises(UndefinedAt) as raised:
                forward(nodes, [leaf], [])
            assert str(raised.value) == "log is undefined here"


def test_a_ball_astride_a_domain_edge_is_unsure_or_may_be_undefined() -> None:
    program = Program((("x", 1.0),), (Step("log", (0,)), Step("neg", (1,))))
    nodes = plan(program)
    with workprec(BITS):
        unsure: list[tuple[int, str]] = []
        values = forward(nodes, [arb(0, 0.5)], unsure)
        assert len(values) == 1 and unsure == [(1, "cannot tell whether log's operands are in its domain")]
        with pytest.raises(UndefinedAt) as raised:
            forward(nodes, [arb(0, 0.5)])
        assert (raised.value.slot, str(raised.value)) == (1, "log may be undefined here")
        assert forward(nodes, [arb(1)]) == [arb(1), arb(0), arb(0)]


def test_a_value_that_may_or_may_not_fit_in_float64_is_unsure() -> None:
    program = Program((("x", 1.0),), (Step("mul", (0, Const(1.0))),))
    nodes = plan(program)
    with workprec(BITS):
        big = arb(1.7976931348623157e308, 1e290)
        unsure: list[tuple[int, str]] = []
        values = forward(nodes, [big], unsure)
        assert len(values) == 2 and unsure == [(1, "cannot tell whether mul's value fits in float64")]
        kept = forward(nodes, [big])  # without a list to note it in: kept, no refusal
        assert len(kept) == 2 and kept[1].overlaps(big)
        fits: list[tuple[int, str]] = []
        forward(nodes, [arb(1e307, 1e290)], fits)
        assert fits == []


def test_an_unsure_forward_leaves_the_rest_unknown() -> None:
    # sqrt(2) * sqrt(2) - 2 is a ball around 0: log of it can not be decided at any precision
    ex = run({"x": 2.0}, Step("sqrt", (0,)), Step("mul", (1, 1)), Step("sub", (2, Const(2.0))),
             Step("log", (3,)), Step("neg", (4,)))
    assert ex.unsure == [(4, "cannot tell whether log's operands are in its domain")]
    assert len(ex.values) == len(ex.adjoints) == 6 and ex.partials == {} and ex.kinks == []
    assert all(v.is_finite() for v in ex.values[:4]) and not any(v.is_finite() for v in ex.values[4:])
    assert not any(a.is_finite() for a in ex.adjoints)


def test_a_derivative_undefined_off_the_outputs_path_does_not_matter() -> None:
    # sqrt(x) at 0 has no derivative, but the output x + 1 does not use it
    ex = run({"x": 0.0}, Step("sqrt", (0,)), Step("add", (0, Const(1.0))))
    assert ex.adjoints[0] == arb(1) and ex.partials[1] == [None] and ex.adjoints[1] == arb(0)


def test_a_derivative_undefined_where_the_adjoint_is_zero_but_live_is_refused() -> None:
    with pytest.raises(UndefinedAt) as raised:
        run({"x": 0.0}, Step("sqrt", (0,)), Step("mul", (1, Const(0.0))))
    assert str(raised.value) == "sqrt's derivative is undefined here"


def test_partials_remade_on_demand_are_the_ones_kept() -> None:
    program = Program((("x", 0.5), ("y", 3.0)), (Step("mul", (0, 1)), Step("exp", (2,)), Step("relu", (3,))))
    nodes = plan(program)
    kept, lean = exact(program, nodes, BITS), exact(program, nodes, BITS, keep_partials=False)
    assert lean.partials == {} and kept.partials
    for node in nodes:
        remade, stored = partials_at(lean, node), kept.partials[node.slot]
        assert len(remade) == len(stored)
        assert all(a.overlaps(b) and a.rad() == b.rad() for a, b in zip(remade, stored, strict=True))
    assert [a.mid() for a in lean.adjoints] == [a.mid() for a in kept.adjoints]


def test_partials_remade_where_the_derivative_is_undefined_are_none() -> None:
    program = Program((("x", 0.0),), (Step("sqrt", (0,)), Step("add", (0, Const(1.0)))))
    nodes = plan(program)
    ex = exact(program, nodes, BITS, keep_partials=False)
    assert partials_at(ex, nodes[0]) == [None]
    assert partials_at(ex, nodes[1])[0] == ball(1)


def test_a_plan_shares_one_calculus_per_op_and_constant() -> None:
    program = Program((("x", 1.5),), (Step("powi", (0, Const(2.0))), Step("powi", (1, Const(2.0))),
                                      Step("powi", (2, Const(3.0))), Step("add", (3, 1))))
    nodes = plan(program)
    assert nodes[0].calc is nodes[1].calc and nodes[2].calc is not nodes[0].calc
    assert [n.slot for n in nodes] == [1, 2, 3, 4]
    assert nodes[0].args == (0, None) and nodes[0].consts == (None, 2.0) and nodes[0].balls == (None, arb(2))
    assert nodes[0].variable == (True, False) and nodes[3].variable == (True, True)
    assert [n.same for n in nodes] == [False] * 4
    ex = exact(program, nodes, BITS)
    assert ex.values[4] == arb(1.5) ** 12 + arb(2.25)  # ((x**2)**2)**3 + x**2
    assert ex.adjoints[0] == 12 * arb(1.5) ** 11 + 3  # 12 x**11 + 2x


def test_partials_remade_at_an_undecided_kink_are_its_derivative_ball() -> None:
    program = Program((("x", 2.0),), (Step("sqrt", (0,)), Step("mul", (1, 1)), Step("sub", (2, Const(2.0))),
                                      Step("relu", (3,))))
    nodes = plan(program)
    ex = exact(program, nodes, BITS, keep_partials=False)
    [p] = partials_at(ex, nodes[-1])  # the side is not known: no list to note it in, and no crash
    assert p is not None and p.contains(arb(0)) and p.contains(arb(1))


def test_an_operand_touching_the_domains_closure_is_not_certainly_outside() -> None:
    with workprec(2):
        two = arb(7) / 3  # [2 +/- 1]: its ends exactly 1 and 3
    touching = -(two - 1)  # [-2, 0]: 0 is in the closure of log's domain
    assert touching.upper() == 0 and not touching.is_exact()
    program = Program((("x", 1.0),), (Step("log", (0,)),))
    with workprec(BITS):
        unsure: list[tuple[int, str]] = []
        forward(plan(program), [touching], unsure)
        assert unsure == [(1, "cannot tell whether log's operands are in its domain")]
        with pytest.raises(UndefinedAt) as raised:
            forward(plan(program), [touching - 1], [])  # [-3, -1]: certainly outside
        assert str(raised.value) == "log is undefined here"


def test_a_dead_step_between_live_ones_does_not_stop_the_reverse_pass() -> None:
    # (x + 1) * 2 with sqrt(x) computed between, unused: its derivative at 0 is undefined
    ex = run({"x": 0.0}, Step("add", (0, Const(1.0))), Step("sqrt", (0,)), Step("mul", (1, Const(2.0))))
    assert ex.adjoints[0] == arb(2) and ex.partials[2] == [None]


def test_an_unsure_witness_keeps_its_precision() -> None:
    ex = run({"x": 2.0}, Step("sqrt", (0,)), Step("mul", (1, 1)), Step("sub", (2, Const(2.0))),
             Step("log", (3,)), bits=200)
    assert ex.unsure and ex.bits == 200


def test_the_largest_float_itself_is_not_an_overflow_and_either_sign_near_it_is_unsure() -> None:
    program = Program((("x", 1.0),), (Step("mul", (0, Const(1.0))),))
    nodes = plan(program)
    with workprec(BITS):
        assert len(forward(nodes, [arb(1.7976931348623157e308)], [])) == 2  # no refusal
        unsure: list[tuple[int, str]] = []
        forward(nodes, [arb(-1.7976931348623157e308, 1e290)], unsure)
        assert unsure == [(1, "cannot tell whether mul's value fits in float64")]


def test_a_derivative_no_precision_shows_finite_is_unsure_where_the_operand_may_be_in_the_domain() -> None:
    # sqrt's derivative on [0, 2]: infinite at 0, finite inside, and the operand is not certainly outside
    [node] = plan(Program((("x", 1.0),), (Step("sqrt", (0,)),)))
    with workprec(BITS):
        unsure: list[tuple[int, str]] = []
        [p], on_kink = local_partials(node, [arb(1, 1)], unsure)
        assert p is not None and not p.is_finite() and not on_kink
        assert unsure == [(1, "cannot tell whether sqrt's derivative is defined here")]
        with pytest.raises(UndefinedAt) as raised:
            local_partials(node, [arb(-2, 1)], [])  # [-3, -1]: certainly outside
        assert str(raised.value) == "sqrt's derivative is undefined here"
