"""The audit's shrinker on its own: a failure kept by a predicate, the program made minimal."""

from __future__ import annotations

from verify.audit.shrink import shrink
from verify.program import Const, Program, Step


def _has_tanh_of_a_negative(program: Program) -> bool:
    """Fails like an engine whose tanh is wrong for negative operands only."""
    values = [v for _, v in program.inputs]
    for step in program.steps:
        args = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        if step.op == "tanh" and args[0] < 0:
            return True
        values.append({"add": lambda x, y: x + y, "mul": lambda x, y: x * y,
                       "tanh": lambda x: x, "neg": lambda x: -x}[step.op](*args))
    return False


BIG = Program(
    (("x", 0.734), ("y", -1.91), ("z", 2.5)),
    (Step("mul", (0, 2)), Step("add", (3, Const(0.5))), Step("neg", (1,)), Step("mul", (4, 5)),
     Step("tanh", (1,)), Step("add", (6, 7)), Step("mul", (8, 2))),
)


def test_a_failure_shrinks_to_the_one_step_that_shows_it_with_no_unused_inputs() -> None:
    assert _has_tanh_of_a_negative(BIG)
    shrunk = shrink(BIG, _has_tanh_of_a_negative)
    assert shrunk.complete and _has_tanh_of_a_negative(shrunk.program)
    assert [s.op for s in shrunk.program.steps] == ["tanh"]
    assert len(shrunk.program.inputs) == 1 and shrunk.program.inputs[0][1] < 0
    assert shrunk.seconds < 10 and shrunk.attempts < 200


def test_a_program_that_is_already_minimal_is_kept() -> None:
    one = Program((("x", -1.5),), (Step("tanh", (0,)),))
    assert shrink(one, _has_tanh_of_a_negative).program == one


def test_the_budget_is_kept() -> None:
    shrunk = shrink(BIG, _has_tanh_of_a_negative, attempts=1)
    assert shrunk.attempts <= 1 and not shrunk.complete
    assert _has_tanh_of_a_negative(shrunk.program)
