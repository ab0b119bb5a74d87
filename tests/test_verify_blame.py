"""Planted bugs: each kind is detected, and the blamed op is the one that is wrong."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

import verify
from micrograd import OPS, Value
from verify.program import Const, Program, Step


def _well_conditioned() -> tuple[Value, dict[str, Value]]:
    x, y = Value(0.3), Value(1.7)
    z = (x * y).tanh() + (x / y).exp() * y
    z.backward()
    return z, {"x": x, "y": y}


def test_a_correct_engine_passes_the_same_expression() -> None:
    out, inputs = _well_conditioned()
    assert verify.check(out, inputs=inputs).verdict == "pass"


def test_wrong_sign_is_blamed_on_its_op(plant_rule: Callable[..., None]) -> None:
    plant_rule("exp", lambda out, x: -out)
    out, inputs = _well_conditioned()
    report = verify.check(out, inputs=inputs)
    assert report.verdict == "fail"
    assert report.faults[0].op == "exp" and report.faults[0].kind == "wrong-rule"


def test_wrong_operand_is_blamed_on_its_op(plant_rule: Callable[..., None]) -> None:
    plant_rule("mul", lambda out, x, y: (x, y))  # swapped partials
    out, inputs = _well_conditioned()
    report = verify.check(out, inputs=inputs)
    assert report.verdict == "fail" and report.faults[0].op == "mul"
    assert {f.op for f in report.faults if f.op} == {"mul"}
    # Nearest the output is exp(x / y) * y: its partial for the first operand must be y = 1.7,
    # the swapped rule used the first operand itself, exp(0.3 / 1.7).
    assert float(report.faults[0].expected) == pytest.approx(1.7)
    assert report.faults[0].actual == pytest.approx(math.exp(0.3 / 1.7))


def test_a_relative_error_of_1e_10_in_one_rule_is_found(plant_rule: Callable[..., None]) -> None:
    good = OPS["tanh"].grad
    plant_rule("tanh", lambda out, x: good(out, x) * (1 + 1e-10))
    out, inputs = _well_conditioned()
    report = verify.check(out, inputs=inputs)
    assert report.verdict == "fail" and report.faults[0].op == "tanh"


def test_a_rule_wrong_only_for_negative_operands(plant_rule: Callable[..., None]) -> None:
    plant_rule("abs", lambda out, x: 1.0)  # right for x > 0 only

    def run(at: float) -> verify.Report:
        x = Value(at)
        out = abs(x) * 3.0
        out.backward()
        return verify.check(out)

    assert run(2.0).verdict == "pass"
    report = run(-2.0)
    assert report.verdict == "fail" and report.faults[0].op == "abs"


def test_an_engine_whose_backward_left_the_output_at_0_is_blamed_at_the_output() -> None:
    # verify.check refuses such a graph outright; check_run judges what a foreign engine did.
    program = Program((("x", 2.0),), (Step("mul", (0, 0)),))
    report = verify.check_run(program, [2.0, 4.0], [0.0, 0.0])
    assert report.verdict == "fail"
    fault = report.faults[0]
    assert fault.slot == report.program.size - 1 and "must start from 1" in fault.message


# A small engine with switchable bugs in the backward pass itself.
class Buggy:
    accumulate = True
    topological = True

    def __init__(self, data: float, parents: tuple[Any, ...] = (), op: str = "") -> None:
        self.data, self.grad, self.parents, self.op = float(data), 0.0, parents, op

    def _apply(self, op: str, *operands: Any) -> Buggy:
        args = tuple(a if isinstance(a, Buggy) else Buggy(a, op="const") for a in operands)
        return type(self)(OPS[op].forward(*(a.data for a in args)), args, op)

    def __add__(self, o: Any) -> Buggy:
        return self._apply("add", self, o)

    def __radd__(self, o: Any) -> Buggy:
        return self._apply("add", o, self)

    def __mul__(self, o: Any) -> Buggy:
        return self._apply("mul", self, o)

    def __rmul__(self, o: Any) -> Buggy:
        return self._apply("mul", o, self)

    def tanh(self) -> Buggy:
        return self._apply("tanh", self)

    def _order(self) -> list[Buggy]:
        if not self.topological:  # wrong: breadth-first from the output, not a topological order
            order, seen, queue = [], {id(self)}, [self]
            while queue:
                node = queue.pop(0)
                order.append(node)
                for p in node.parents:
                    if id(p) not in seen:
                        seen.add(id(p))
                        queue.append(p)
            return order
        post: list[Buggy] = []
        seen2 = {id(self)}
        stack: list[tuple[Buggy, int]] = [(self, 0)]
        while stack:
            node, i = stack.pop()
            if i < len(node.parents):
                stack.append((node, i + 1))
                p = node.parents[i]
                if id(p) not in seen2:
                    seen2.add(id(p))
                    stack.append((p, 0))
            else:
                post.append(node)
        return post[::-1]

    def backward(self) -> None:
        self.grad = 1.0
        for node in self._order():
            if not node.parents:
                continue
            partials = OPS[node.op].grad(node.data, *(p.data for p in node.parents))
            if not isinstance(partials, tuple):
                partials = (partials,)
            for p, d in zip(node.parents, partials, strict=True):
                if self.accumulate:
                    p.grad += d * node.grad
                else:
                    p.grad = d * node.grad


def _shared_program() -> Program:
    # a = x * 2; b = a + 1; f = a * b.tanh(): `a` is used twice, and `b` sits between.
    steps = (
        Step("mul", (0, Const(2.0))),   # slot 1: a
        Step("add", (1, Const(1.0))),   # slot 2: b
        Step("tanh", (2,)),             # slot 3
        Step("mul", (1, 3)),            # slot 4: f
    )
    return Program((("x", 0.4),), steps)


def _run(engine: type[Buggy], program: Program) -> verify.Report:
    slots = program.run(engine)
    return verify.check_run(program, [s.data for s in slots], [s.grad for s in slots])


def test_the_test_engine_is_correct_without_bugs() -> None:
    assert _run(Buggy, _shared_program()).verdict == "pass"


def test_missing_accumulation_on_a_reused_node() -> None:
    class Overwrites(Buggy):
        accumulate = False

    report = _run(Overwrites, _shared_program())
    assert report.verdict == "fail"
    fault = report.faults[0]
    assert fault.name == "v1" and "summed" in fault.message


def test_wrong_traversal_order() -> None:
    class BreadthFirst(Buggy):
        topological = False

    program = Program((("x", 0.4),), (
        Step("mul", (0, Const(2.0))),   # slot 1: a
        Step("add", (1, Const(1.0))),   # slot 2: b
        Step("tanh", (2,)),             # slot 3
        Step("tanh", (3,)),             # slot 4
        Step("mul", (1, 4)),            # slot 5: f uses a directly and through a chain
    ))
    report = _run(BreadthFirst, program)
    assert report.verdict == "fail"
    assert any("traversal order" in f.message for f in report.faults)
    # x's gradient is wrong because v1, used twice, passed its adjoint on too early.
    assert report.faults[0].kind == "traversal" and report.faults[0].culprit == 1


def test_hand_corrupted_grads_through_check_run() -> None:
    program = Program((("x", 2.0), ("y", 5.0)), (Step("mul", (0, 1)), Step("sin", (2,))))
    data = [2.0, 5.0, 10.0, math.sin(10.0)]
    c = math.cos(10.0)
    good = [5.0 * c, 2.0 * c, c, 1.0]
    assert verify.check_run(program, data, good).verdict == "pass"
    bad = [5.0 * c, 2.0 * c, -c, 1.0]  # the sin rule's sign is wrong
    report = verify.check_run(program, data, bad)
    assert report.verdict == "fail" and report.faults[0].op == "sin"
