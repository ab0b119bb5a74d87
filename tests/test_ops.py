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
