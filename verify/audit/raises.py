"""When a raise is correct behaviour: the exact function or its gradient is undefined or beyond float64.

``raise_allowed(outcome)`` says why an engine's raise is right (log(-1),
exp(1000), an operand whose square leaves float64), or "" when the raise is a
finding; ``problem(program)`` asks the exact oracle whether a correct engine
may raise on a program at all.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..program import Arg, Const, Program, Step
from .values import engine_values, floats

if TYPE_CHECKING:
    from .trial import Outcome


def problem(program: Program) -> str | None:
    """Why a correct engine may raise on ``program`` (exactly, at its inputs); None if it must not.

    It must not when every value, local partial and adjoint on the output's path is finite and
    fits in a float64.
    """
    from ..oracle.ball import MAX_FLOAT, finite
    from ..oracle.exact import UndefinedAt, exact, plan

    nodes = plan(program)
    live = program.feeding_output()
    for bits in (128, 512, 2048):
        try:
            ex = exact(program, nodes, bits)
        except UndefinedAt as error:
            return error.reason
        if ex.unsure:
            continue
        for s in live:
            a = ex.adjoints[s]
            if not finite(a) or not abs(a) < MAX_FLOAT:
                return "a gradient overflows float64 here"
        for slot, ps in ex.partials.items():
            if slot in live and any(p is not None and not finite(p) for p in ps):
                return "a derivative is undefined here"
        return None
    return "the exact values could not be certified here"


def one_step(program: Program, slot: int, values: list[float]) -> Program:
    """Step ``slot`` alone, its Value operands made inputs at ``values``, constants kept, x o x kept."""
    step = program.steps[slot - len(program.inputs)]
    inputs: list[tuple[str, float]] = []
    where: dict[int, int] = {}
    args: list[Arg] = []
    for a in step.args:
        if isinstance(a, Const):
            args.append(a)
            continue
        if a not in where:
            where[a] = len(inputs)
            inputs.append((("x", "y")[len(inputs)], values[a]))
        args.append(where[a])
    return Program(tuple(inputs), (Step(step.op, tuple(args)),))


SQUARE_SAFE = (2.0**-511, 2.0**511)
"""Magnitudes whose products with each other stay normal floats (1.5e-154 to 6.7e153)."""


def raise_allowed(outcome: Outcome) -> str:
    """Why the engine's raise is correct behaviour ("" when it is a finding).

    It is when the exact function or its gradient is undefined or beyond float64 there, at the
    program's inputs or at the engine's own operands (a rounded value may leave a domain). And
    where an operand is beyond ``SQUARE_SAFE`` (nonzero and below 1.5e-154 or above 6.7e153):
    there the products every chain rule forms (``y * y`` in ``-x / y**2``) leave float64, and a
    correct engine written with them (karpathy's ``x * y**-1``) meets OverflowError too.
    """
    program = outcome.program
    n = len(program.inputs)
    if outcome.stage == "leaf":
        return ""  # an input is a finite float: every engine must take it
    values = engine_values(outcome)
    steps = ([outcome.slot] if outcome.stage == "forward" and outcome.slot is not None and outcome.slot >= n
             else sorted(s for s in program.feeding_output() if s >= n))
    for slot in steps:
        step = program.steps[slot - n]
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        if any(x and not SQUARE_SAFE[0] <= abs(x) <= SQUARE_SAFE[1] for x in xs if math.isfinite(x)):
            return "an operand is so small or so large that its square leaves float64"
    if outcome.stage == "forward" and outcome.slot is not None and outcome.slot >= n:
        # at the engine's own operands: a rounded value may legitimately leave the domain (log of 0.0)
        at_engine = _problem_at(program, outcome.slot, values)
        if at_engine:
            return at_engine
        return problem(one_step(program, outcome.slot, floats(program))) or ""
    if outcome.stage == "backward":
        whole = problem(program)
        if whole:
            return whole
        for slot in range(n, program.size):
            if slot in program.feeding_output():
                why = _problem_at(program, slot, values)
                if why:
                    return why
    return ""


def _problem_at(program: Program, slot: int, values: list[float]) -> str:
    step = program.steps[slot - len(program.inputs)]
    for a in step.args:
        if not isinstance(a, Const) and not math.isfinite(values[a]):
            return "an operand is not finite"
    return problem(one_step(program, slot, values)) or ""
