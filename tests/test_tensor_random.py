"""Random tensor programs after the battery: they fit their shapes, shrink like the battery's, raise no
false alarm on correct engines, and find a planted bug by themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from verify.tensor import shapes as sh
from verify.tensor.audit import audit_tensor
from verify.tensor.randomized import random_templates

ZOO = Path(__file__).parent / "engines" / "tensor"


def test_random_programs_are_reproducible_and_keep_their_ops_as_they_shrink():
    first = random_templates(7, 40)
    again = random_templates(7, 40)
    for a, b in zip(first, again, strict=True):
        programs = [a.program(d, 0) for d in a.sizes]
        assert programs[0] == b.program(a.sizes[0], 0)
        assert len({tuple(n.op for n in p.nodes) for p in programs}) == 1, a.name
        sizes = [sum(sh.size(s) for s in p.shapes) for p in programs]
        assert sizes == sorted(sizes, reverse=True), a.name
    ops = {n.op for t in first for n in t.program(t.sizes[0], 0).nodes}
    assert {"matmul", "softmax", "permute", "reshape", "max"} <= ops


@pytest.mark.parametrize("engine", ["numpy_alt", "torch_ref"])
def test_random_programs_raise_no_false_alarm_on_a_correct_engine(engine):
    pytest.importorskip("numpy")
    result = audit_tensor(f"{ZOO / engine}.py:Tensor", seed=11, random=150, only="random")
    assert result.programs == 150 and result.failures == [], result.render()


def test_random_programs_alone_find_a_planted_bug_and_shrink_it():
    pytest.importorskip("numpy")
    result = audit_tensor(f"{ZOO / 'planted_softmax'}.py:Tensor", random=60, only="random")
    first = result.failures[0]
    assert first.finding.op == "softmax" and first.template.startswith("random")
    assert first.largest_dim <= 3


def test_a_crash_in_a_random_program_is_blamed_by_cutting_it_at_each_op():
    pytest.importorskip("numpy")
    result = audit_tensor(f"{ZOO / 'planted_permute'}.py:Tensor", random=12, only="random #9")
    [failure] = result.failures
    assert (failure.finding.op, failure.finding.kind) == ("permute", "crash")
    assert failure.steps == 1 and failure.program.nodes[0].op == "permute"
