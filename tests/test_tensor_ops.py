"""The tensor op table, tensor programs and their lowering to the scalar program the oracle trusts."""

from __future__ import annotations

from fractions import Fraction

import pytest

from micrograd.ops import OPS
from verify.oracle.ball import to_float
from verify.oracle.exact import exact, plan
from verify.tensor.elements import Apply
from verify.tensor.ops import ELEMENTWISE, TENSOR_OPS
from verify.tensor.program import build, evaluate, lower, suffix
from verify.tensor.shapes import ShapeError


def shape_of(op, operands, **params):
    return TENSOR_OPS[op].shape(operands, params)


def test_shape_rules_follow_numpy():
    assert shape_of("add", [(3, 1), (1, 4)]) == (3, 4)
    assert shape_of("add", [(4,), (3, 4)]) == (3, 4)
    assert shape_of("mul", [(2, 3), 2.0]) == (2, 3)
    assert shape_of("sum", [(2, 3, 4)], axis=-1, keepdims=True) == (2, 3, 1)
    assert shape_of("mean", [(2, 3, 4)], axis=(0, 2)) == (3,)
    assert shape_of("permute", [(2, 3, 4)], perm=(1, 2, 0)) == (3, 4, 2)
    assert shape_of("reshape", [(2, 3, 4)], shape=(4, -1)) == (4, 6)
    assert shape_of("transpose", [(2, 3)]) == (3, 2)
    assert shape_of("matmul", [(3,), (3, 2)]) == (2,)
    assert shape_of("matmul", [(2, 3), (3,)]) == (2,)
    for op, operands, params in [("add", [(3,), (4,)], {}), ("sum", [(2, 3)], {"axis": 2}),
                                 ("matmul", [(2, 3), (2, 3)], {}), ("reshape", [(2, 3)], {"shape": (4,)}),
                                 ("permute", [(2, 3)], {"perm": (0, 0)})]:
        with pytest.raises(ShapeError):
            shape_of(op, operands, **params)


def test_elementwise_rows_are_the_scalar_tables_rows():
    for name in ELEMENTWISE:
        row = TENSOR_OPS[name]
        assert row.arity == OPS[name].arity
        elements = row.elements([(2,)] * row.arity, {})
        assert all(isinstance(e, Apply) and e.op == name for e in elements)


def test_every_op_is_written_in_both_dialects():
    written = {name: row.calls["numpy"]({"axis": 1, "keepdims": True, "shape": (3, 2), "perm": (1, 0)})
               .write(["a", "b"]) for name, row in TENSOR_OPS.items()}
    assert written["sum"] == "a.sum(axis=1, keepdims=True)"
    assert written["permute"] == "a.transpose((1, 0))"
    assert written["transpose"] == "a.T"
    assert written["matmul"] == "a @ b"
    assert written["tanh"] == "a.tanh()"
    torch = {name: row.calls["torch"]({"axis": 1, "keepdims": True, "shape": (3, 2), "perm": (1, 0)})
             .write(["a", "b"]) for name, row in TENSOR_OPS.items()}
    assert torch["sum"] == "a.sum(dim=1, keepdim=True)"
    assert torch["permute"] == "a.permute(1, 0)"
    assert torch["reshape"] == "a.view(3, 2)"


def test_a_program_must_end_in_a_scalar():
    with pytest.raises(ValueError, match="0-d"):
        build({"a": ((2,), [1.0, 2.0])}, [("exp", [0], {})])
    with pytest.raises(ValueError, match="takes no"):
        build({"a": ((2,), [1.0, 2.0])}, [("sum", [0], {"dim": 0})])


def _exact_input_grads(program):
    scalar, where = lower(program)
    ex = exact(scalar, plan(scalar), 256)
    return [[to_float(ex.adjoints[s]) for s in where[i]] for i in range(len(program.inputs))]


def test_matmul_lowers_to_sums_of_products_with_the_exact_gradient():
    a = [0.5, -1.25, 2.0, 3.0, 0.75, -0.5]          # (2, 3)
    bb = [1.5, -2.0, 0.25, 1.0, -0.75, 2.5, 0.5, 1.25, 0.125, -0.5, 1.0, 2.0]  # (3, 4)
    w = [1.0, -1.0, 0.5, 2.0, -0.25, 0.75, 1.5, -2.0]  # (2, 4)
    program = build({"a": ((2, 3), a), "b": ((3, 4), bb), "w": ((2, 4), w)},
                    [("matmul", [0, 1], {}), ("mul", [3, 2], {}), ("sum", [4], {})])
    got = _exact_input_grads(program)
    # d sum(W * (A @ B)) / dA = W @ B^T, by hand in exact rationals
    want = [float(sum(Fraction(w[i * 4 + j]) * Fraction(bb[k * 4 + j]) for j in range(4)))
            for i in range(2) for k in range(3)]
    assert got[0] == want


def test_broadcasting_lowers_to_reuse_so_gradients_sum_back():
    program = build({"a": ((3, 1), [1.0, 2.0, 3.0]), "b": ((1, 4), [1.0, 2.0, 3.0, 4.0]),
                     "w": ((3, 4), [float(i) for i in range(12)])},
                    [("add", [0, 1], {}), ("mul", [3, 2], {}), ("sum", [4], {})])
    ga, gb, _ = _exact_input_grads(program)
    assert ga == [0 + 1 + 2 + 3.0, 4 + 5 + 6 + 7.0, 8 + 9 + 10 + 11.0]
    assert gb == [0 + 4 + 8.0, 1 + 5 + 9.0, 2 + 6 + 10.0, 3 + 7 + 11.0]


def test_permute_and_mean_lower_exactly():
    x = [float(i) for i in range(24)]
    program = build({"x": ((2, 3, 4), x), "w": ((3, 4, 2), [float(i % 5) for i in range(24)])},
                    [("permute", [0], {"perm": (1, 2, 0)}), ("mul", [2, 1], {}),
                     ("mean", [3], {"axis": (0, 1)}), ("sum", [4], {})])
    gx, _ = _exact_input_grads(program)
    # x[i, j, k] lands at (j, k, i) and each mean over 12 elements weighs it 1/12
    want = [float(Fraction(((j * 4 + k) * 2 + i) % 5, 12))
            for i in range(2) for j in range(3) for k in range(4)]
    assert gx == want
    assert evaluate(program)[-1][0] == pytest.approx(sum(v * (n % 5) for n, v in enumerate([
        x[i * 12 + j * 4 + k] for j in range(3) for k in range(4) for i in range(2)])) / 12)


def test_a_suffix_starts_at_an_op_with_what_it_reads_made_inputs():
    program = build({"x": ((2, 3), [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), "w": ((3, 2), [1.0] * 6)},
                    [("exp", [0], {}), ("transpose", [2], {}), ("mul", [3, 1], {}), ("sum", [4], {})])
    values = evaluate(program)
    cut = suffix(program, 3, values)
    assert [i.name for i in cut.inputs] == ["w", "t1"]  # t1 = exp(x), now a leaf holding its values
    assert cut.inputs[1].values == tuple(values[2])
    assert [n.op for n in cut.nodes] == ["transpose", "mul", "sum"]
    assert evaluate(cut)[-1] == values[-1]
    with pytest.raises(ValueError):
        suffix(program, 1, values)
