"""Properties of our engine over random programs: exact gradients, and metamorphic relations.

Every test here is marked ``property``: the ci profile runs a few dozen
programs each, ``tox -e deep`` runs 100,000 on every core.
"""

from __future__ import annotations

import math
import sys

import mpmath  # type: ignore[import-untyped]
import pytest
from hypothesis import event, example, given, reject, target

from micrograd import OPS, Value
from verify import Report, check_run
from verify.oracle.ns import MPMATH
from verify.program import Arg, Const, Program, Step
from verify.strategies import expressions

pytestmark = pytest.mark.property


def _run(program: Program) -> list[Value]:
    slots: list[Value] = program.run(Value)
    return slots


def _undefined_exactly(program: Program) -> bool:
    """Whether, in exact arithmetic (mpmath at 100 digits), some operand lies outside its op's domain
    or some value beyond float64.

    The strategies keep every float operand inside; cancellation can still put the exact one
    outside (a float 4e-7 whose exact value is negative, a float 1 whose exact value is 1e6 before
    an exp), and there "undefined" is the truth.
    """
    with mpmath.workdps(100):
        values = [mpmath.mpf(v) for _, v in program.inputs]
        for step in program.steps:
            row = OPS[step.op]
            xs = [mpmath.mpf(a.value) if isinstance(a, Const) else values[a] for a in step.args]
            for x, region in zip(xs, row.domain, strict=True):
                if not any(lo < x < hi for lo, hi in region.intervals):
                    return True
            value = row.math(MPMATH, *xs)
            if abs(value) > sys.float_info.max:
                return True
            values.append(value)
    return False


def _honest(program: Program, report: Report) -> bool:
    """A verdict a correct engine may get: pass, inconclusive (an ill-conditioned gradient, e.g.
    through pow at a base of 1), or undefined where the exact program really is."""
    if report.verdict == "undefined":
        return _undefined_exactly(program)
    return report.verdict in ("pass", "inconclusive")


# Programs `tox -e deep` found, kept as examples: floats inside every domain, exact values not
# (a base negative only exactly, under a Value exponent of 1 and of 1.5; exp of an exact 1e6).
_FOUND_DEEP = (
    Program((("x", 0.0),), (
        Step("add", (0, Const(2.0))), Step("powc", (1, Const(0.5))), Step("mul", (2, Const(-276.6))),
        Step("add", (3, 2)), Step("add", (4, Const(389.757258190025))), Step("powc", (5, Const(0.5))),
        Step("add", (6, Const(0.5))), Step("sub", (7, Const(0.5))), Step("abs", (8,)), Step("abs", (9,)),
        Step("abs", (10,)), Step("powc", (11, Const(-2.5))), Step("add", (12, Const(-99408847.47301598))),
        Step("add", (1, Const(-1.0))), Step("pow", (13, 14)))),
    Program((("x", 0.0),), (
        Step("add", (0, Const(0.5))), Step("powc", (1, Const(0.5))), Step("mul", (2, Const(-200.0))),
        Step("add", (3, 3)), Step("add", (4, Const(282.84271277461903))), Step("powc", (5, Const(0.5))),
        Step("abs", (6,)), Step("abs", (7,)), Step("abs", (8,)), Step("abs", (9,)),
        Step("powc", (10, Const(-2.5))), Step("add", (11, Const(-142428994.33478373))),
        Step("add", (11, Const(-142428994.83478373))), Step("pow", (13, 12)))),
    Program((("x", 10000.0),), (
        Step("add", (0, Const(1.109))), Step("add", (1, 1)), Step("add", (2, 2)), Step("add", (3, 3)),
        Step("mul", (4, 4)), Step("add", (5, Const(-6401419598.712384))), Step("tanh", (6,)),
        Step("add", (7, Const(0.001))), Step("powc", (8, Const(-2.25))), Step("add", (9, Const(0.5))),
        Step("add", (10, Const(-5623412.75190349))), Step("exp", (11,)))),
)


def test_undefined_exactly_tells_a_defined_program_from_one_that_is_not() -> None:
    assert not _undefined_exactly(Program((("x", 2.0),), (Step("log", (0,)), Step("exp", (1,)))))
    assert not _undefined_exactly(Program((("x", 709.0),), (Step("exp", (0,)),)))
    assert _undefined_exactly(Program((("x", 710.0),), (Step("exp", (0,)),)))
    assert all(_undefined_exactly(p) for p in _FOUND_DEEP)


@given(expressions())
@example(_FOUND_DEEP[0])
@example(_FOUND_DEEP[1])
@example(_FOUND_DEEP[2])
def test_every_program_verifies_on_our_engine(program: Program) -> None:
    slots = _run(program)
    report = check_run(program, [s.data for s in slots], [s.grad for s in slots])
    errors = [r.rel_error for r in report.inputs if r.rel_error is not None]
    # Steer towards the largest gradient error: where a false alarm would hide.
    target(math.log10(max(errors, default=0.0) + 1e-300), label="log10 relative error")
    event(f"verdict {report.verdict}")
    assert _honest(program, report), report.render()


_TREE_LIMIT = 5_000


def _as_tree(program: Program) -> Program:
    """The same formula with nothing shared: every use of a step gets its own copy."""
    n = len(program.inputs)
    steps: list[Step] = []

    # Iterative post-order walk without memo: every visit of a step makes a new copy.
    results: list[int] = []
    stack = [(program.size - 1, False)]
    while stack:
        s, expanded = stack.pop()
        if s < n:
            results.append(s)
            continue
        step = program.steps[s - n]
        slots = [a for a in step.args if not isinstance(a, Const)]
        if not expanded:
            stack.append((s, True))
            stack.extend((a, False) for a in reversed(slots))
            continue
        copies = iter(results[len(results) - len(slots):])
        del results[len(results) - len(slots):]
        steps.append(Step(step.op, tuple(a if isinstance(a, Const) else next(copies) for a in step.args)))
        if len(steps) > _TREE_LIMIT:
            reject()  # sharing made the tree exponentially large; not this test's subject
        results.append(n + len(steps) - 1)
    return Program(program.inputs, tuple(steps))


@given(expressions(max_nodes=6, max_depth=0))
def test_a_tree_and_a_shared_dag_of_the_same_formula_agree(program: Program) -> None:
    tree = _as_tree(program)
    dag_slots, tree_slots = _run(program), _run(tree)
    assert tree_slots[-1].data == dag_slots[-1].data  # same operations on the same floats
    # Their gradients sum the same terms in other orders: how far apart rounding may put them
    # depends on the cancellation, which only the verifier can bound. Each must be one a correct
    # engine computes for its own program.
    for which, p, slots in (("DAG", program, dag_slots), ("tree", tree, tree_slots)):
        report = check_run(p, [s.data for s in slots], [s.grad for s in slots])
        assert _honest(p, report), f"{which}:\n{report.render()}"


def test_tree_copy_duplicates_shared_steps() -> None:
    # v1 = x * x; v2 = v1 + v1  ->  tree: v1 = x * x; v2 = x * x; v3 = v1 + v2
    dag = Program((("x", 3.0),), (Step("mul", (0, 0)), Step("add", (1, 1))))
    tree = _as_tree(dag)
    assert [s.op for s in tree.steps] == ["mul", "mul", "add"]
    assert tree.steps[2].args == (1, 2)
    assert _run(tree)[0].grad == _run(dag)[0].grad == 12.0  # d(2x^2)/dx = 4x


@given(expressions())
def test_backward_twice_exactly_doubles_every_grad(program: Program) -> None:
    slots = _run(program)
    first = [s.grad for s in slots]
    slots[-1].backward()
    assert [s.grad for s in slots] == [2 * g for g in first]


def _with_unused_input(program: Program) -> Program:
    """The program with one more input, "u", that no step uses."""
    n = len(program.inputs)
    def shift(a: Arg) -> Arg:
        return a if isinstance(a, Const) or a < n else a + 1

    moved = tuple(Step(s.op, tuple(shift(a) for a in s.args)) for s in program.steps)
    return Program((*program.inputs, ("u", 0.25)), moved)


@given(expressions(max_leaves=2))
def test_an_unused_input_gets_gradient_zero(program: Program) -> None:
    widened = _with_unused_input(program)
    slots = _run(widened)
    n = len(program.inputs)
    assert slots[n].grad == 0.0
    assert [s.grad for s in slots[:n]] == [s.grad for s in _run(program)[:n]]
