"""A float32 engine's ops are judged with float32's unit roundoff (``verify.tensor.narrow``): every guard
works both ways, as for float64 (``test_tensor_allowance``). Tightened 10x, correct float32 engines
(two, with different numerics) would fail; loosened 10x, an error planted just outside would pass;
a float32 engine with a wrong rule well inside a finite-difference check's rtol is a fault."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pytest

from verify.tensor import allowance
from verify.tensor.audit import audit_tensor
from verify.tensor.battery import TEMPLATES, runnable
from verify.tensor.check import check
from verify.tensor.narrow import FORWARD, PARTIALS, U32
from verify.tensor.ops import ELEMENTWISE
from verify.tensor.program import TensorProgram, build
from verify.tensor.run import Run
from verify.tensor.runner import ask

pytest.importorskip("numpy")
ZOO = Path(__file__).parent / "engines" / "tensor"
CORRECT = ("float32", "float32_alt")
TIGHT = {"add", "sub", "mul", "div", "exp", "log", "sigmoid", "sum", "mean", "matmul"}
"""The ops whose float32 allowance a correct engine's battery run uses more than a tenth of."""

N = 64
HALF = 2.0**-25
"""Half an ulp of 1.0 in float32: added to 1.0 it rounds away, left to right."""


def _float32_sum_run(x_grad: float) -> tuple[TensorProgram, Run]:
    """sum((x + z) * w) with x of shape (1,) broadcast over z of shape (N,), float32 storage: x's
    gradient is sum(w), which a left-to-right float32 loop over w = [1, HALF, ...] leaves at 1.0."""
    w = [1.0] + [HALF] * (N - 1)
    program = build({"x": ((1,), [0.5]), "z": ((N,), [0.0] * N), "w": ((N,), w)},
                    [("add", [0, 1], {}), ("mul", [3, 2], {}), ("sum", [4], {})])
    t2 = [0.5 * v for v in w]
    data = [[0.5], [0.0] * N, w, [0.5] * N, t2, [0.5 + (N - 1) * 0.5 * HALF]]
    grads = [[x_grad], list(w), [0.5] * N, list(w), [1.0] * N, [1.0]]
    shapes = list(program.shapes)
    return program, Run(data, shapes, grads, shapes, dtypes=["float32"] * len(shapes))


def test_a_float32_gradient_summed_left_to_right_passes_and_would_fail_10x_tighter():
    program, run = _float32_sum_run(1.0)  # what float32 gives: every HALF rounded away
    assert check(program, run).faults == []
    assert [f.kind for f in check(program, run, scale=0.1).faults] == ["gradient"]


def test_a_float32_gradient_planted_just_outside_is_caught_and_passes_10x_looser():
    exact = 1 + (N - 1) * Fraction(HALF)
    slack = allowance.accumulation(N + 1, 1.0 + (N - 1) * HALF, U32)
    program, run = _float32_sum_run(float(exact + 3 * Fraction(slack)))
    assert [(f.kind, f.op) for f in check(program, run).faults] == [("gradient", "add")]
    assert check(program, run, scale=10).faults == []


def _runs(engine: str) -> list[tuple[TensorProgram, Run]]:
    path = str(ZOO / f"{engine}.py")
    have = set(ask(path, "Tensor", [], None).survey["have"])
    programs = [t.program(t.sizes[0], 0) for t in TEMPLATES if runnable(t, have, "numpy")]
    return list(zip(programs, ask(path, "Tensor", programs, "numpy").runs, strict=True))


@pytest.fixture(scope="module")
def correct_runs() -> dict[str, list[tuple[TensorProgram, Run]]]:
    return {engine: _runs(engine) for engine in CORRECT}


def test_correct_float32_engines_pass_and_10x_tighter_each_elementwise_and_summing_op_would_refuse_them(
        correct_runs):
    for engine, runs in correct_runs.items():
        assert all(run.dtypes and set(run.dtypes) == {"float32"} for _, run in runs), engine
        assert [p.nodes[0].op for p, run in runs if check(p, run).faults] == [], engine
        tighter = [check(p, run, scale=0.1).faults for p, run in runs]
        refused = {faults[0].op for faults in tighter if faults}
        assert refused >= TIGHT, engine


def _first_caught(program: TensorProgram, run: Run, tensor: int, grad: bool, scale: float) -> float:
    """The smallest relative change of element 0 of ``tensor``'s gradient (or value) that is caught."""
    def caught(rel: float) -> bool:
        table = run.grads if grad else run.data
        changed = [list(v) if v is not None else None for v in table]
        row = changed[tensor]
        assert row is not None
        row[0] = row[0] * (1 + rel)
        bent = Run(run.data if grad else changed, run.data_shapes, changed if grad else run.grads,
                   run.grad_shapes, dtypes=run.dtypes)
        return bool(check(program, bent, scale=scale).faults)

    lo, hi = 0.0, 1e-2
    assert caught(hi) and not caught(lo)
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if caught(mid) else (mid, hi)
    return hi


@pytest.mark.parametrize(("op", "grad"), [("tanh", True), ("sigmoid", True), ("exp", True), ("log", True),
                                           ("tanh", False), ("log", False), ("exp", False)])
def test_an_elementwise_error_planted_just_outside_is_caught_and_passes_10x_looser(op, grad):
    # x's gradient (the op's partial, times w's upstream), or the op's value (nothing reads it after)
    nodes = [(op, [0], {}), ("mul", [2, 1], {})] if grad else [(op, [0], {})]
    program = build({"x": ((), [1.3]), "w": ((), [0.7])}, nodes)
    [run] = ask(str(ZOO / "float32.py"), "Tensor", [program], "numpy").runs
    assert check(program, run).faults == []
    tensor = 0 if grad else 2
    edge = _first_caught(program, run, tensor, grad, 1.0)
    planted = 1.5 * edge
    table = run.grads if grad else run.data
    bent = [list(v) if v is not None else None for v in table]
    row = bent[tensor]
    assert row is not None
    row[0] *= 1 + planted
    run2 = Run(run.data if grad else bent, run.data_shapes, bent if grad else run.grads, run.grad_shapes,
               dtypes=run.dtypes)
    assert [f.op for f in check(program, run2).faults] == [op]
    assert check(program, run2, scale=10).faults == []
    assert planted < 1e-4  # far inside a finite-difference check's rtol=1e-2


def test_every_elementwise_op_has_its_float32_counts():
    assert set(FORWARD) == set(ELEMENTWISE) == set(PARTIALS)
    assert all(math.isfinite(allowance.gamma(k, U32)) for k in range(1, 40))


def test_a_float32_engine_with_a_wrong_rule_is_a_fault_and_its_storage_one_fragility():
    result = audit_tensor(f"{ZOO}/float32_planted.py:Tensor")
    assert [(f.finding.kind, f.finding.op, f.steps) for f in result.findings] == [("gradient", "log", 1)]
    assert len(result.fragilities) == 1 and result.fragilities[0].startswith("float32: ")
    assert result.exit_code == 1


def test_a_correct_float32_engine_is_fragile_with_one_note_of_its_digits():
    result = audit_tensor(f"{ZOO}/float32.py:Tensor")
    assert (result.verdict, result.exit_code, result.findings) == ("fragile", 0, [])
    [note] = result.fragilities
    assert note.startswith("float32: its gradients keep about ") and "2**-24" in note
