"""The op table is complete and every row is reachable from Value."""

from __future__ import annotations

import inspect

import pytest

from micrograd import OPS, Value
from micrograd.ops import INTEGER, NONZERO, POSITIVE, REAL, Op
from verify.program import call

# An operand inside each region, and one outside it (None: nothing is outside).
INSIDE = {REAL: 0.75, POSITIVE: 1.25, NONZERO: -1.5, INTEGER: 3.0}
OUTSIDE = {REAL: None, POSITIVE: 0.0, NONZERO: 0.0, INTEGER: 2.5}


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.name)
def test_row_is_consistent(op: Op) -> None:
    assert op.arity in (1, 2)
    assert len(op.domain) == op.arity
    assert all(0 <= i < op.arity for i in op.constant)
    assert len(inspect.signature(op.grad).parameters) == op.arity + 1
    assert len(inspect.signature(op.math).parameters) == op.arity + 1
    assert "{0}" in op.notation
    assert ("{1}" in op.notation) == (op.arity == 2)


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.name)
def test_every_row_is_reachable_from_value(op: Op) -> None:
    operands = [INSIDE[region] for region in op.domain]
    args = [x if i in op.constant else Value(x) for i, x in enumerate(operands)]
    out = call(op, *args)
    assert isinstance(out, Value)
    assert out.op == op.name
    assert out.data == op.forward(*operands)


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.name)
def test_domain_regions_contain_their_samples(op: Op) -> None:
    for region in op.domain:
        assert INSIDE[region] in region
        if OUTSIDE[region] is not None:
            assert OUTSIDE[region] not in region


def test_kinks_are_declared_where_the_convention_matters() -> None:
    assert {name for name, op in OPS.items() if op.kinks} == {"relu", "abs"}


# ---- every formula a row accepts is the op's own value or partial ----

def _accepted() -> list[tuple[str, str, int, int]]:
    """(op, "value" or "partial", operand, index of the formula) for every accepted formula."""
    out = []
    for name, op in OPS.items():
        out += [(name, "value", -1, k) for k in range(len(op.accepts.values))]
        for i, forms in enumerate(op.accepts.partials):
            out += [(name, "partial", i, k) for k in range(len(forms))]
    return out


@pytest.mark.parametrize(("name", "what", "i", "k"), _accepted(), ids=lambda v: str(v))
def test_an_accepted_formula_equals_the_definition(name: str, what: str, i: int, k: int) -> None:
    """Checked on balls at points across the domain, to 200 bits: an accepted formula that is wrong
    would widen the allowance around a wrong value."""
    from flint import arb, ctx

    from verify.oracle.ball import ARB
    from verify.oracle.calculus import calculus

    op = OPS[name]
    samples = {REAL: (-2.5, -0.3, 0.7, 3.1), POSITIVE: (0.2, 1.7, 4.5), NONZERO: (-1.5, 0.6),
               INTEGER: (-2.0, 3.0)}
    grid: list[list[float]] = [[]]
    for region in op.domain:
        grid = [[*point, x] for point in grid for x in samples[region]]
    with ctx.workprec(200):
        for point in grid:
            xs = [arb(x) for x in point]
            exact_value = op.math(ARB, *xs)
            if what == "value":
                got, want = op.accepts.values[k](ARB, *xs), exact_value
            else:
                fixed = tuple((j, x) for j, x in enumerate(point) if j in op.constant)
                got = op.accepts.partials[i][k](ARB, exact_value, *xs)
                want = calculus(name, fixed).partial(i, xs)
            assert abs(got - want) <= abs(want) * arb(2) ** -150 + arb(2) ** -150, (name, what, point)
