"""What a program exercises: the features the audit's coverage table counts."""

from __future__ import annotations

import math

from micrograd.ops import OPS

from ..program import Const, Program

FEATURES = (
    ("shared", "an inner node used by two or more steps"),
    ("fan-out", "a node used by three or more steps"),
    ("same", "the same object on both sides (x * x)"),
    ("const-left", "a number on the left (2.0 - x)"),
    ("const-right", "a number on the right (x - 2.0)"),
    ("deep", "a graph 100 or more levels deep"),
    ("kink", "an operand exactly at a kink (relu(0))"),
    ("near-kink", "an operand within 1e-6 of a kink"),
    ("large", "an input of magnitude >= 1e4"),
    ("small", "an input of magnitude <= 1e-4 (not 0)"),
    ("unused", "an input the output does not depend on"),
)
"""Feature key and how the coverage table describes it."""


def features(program: Program) -> set[str]:
    """The FEATURES keys ``program`` exercises."""
    n = len(program.inputs)
    found: set[str] = set()
    values = [value for _, value in program.inputs]
    uses = [0] * program.size
    for step in program.steps:
        row = OPS[step.op]
        operands = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        slots = [a for a in step.args if not isinstance(a, Const)]
        for slot in slots:
            uses[slot] += 1
        if row.arity == 2 and not row.constant:
            if isinstance(step.args[0], Const):
                found.add("const-left")
            if isinstance(step.args[1], Const):
                found.add("const-right")
            if len(slots) == 2 and slots[0] == slots[1]:
                found.add("same")
        for kink in row.kinks:
            if operands[0] == kink:
                found.add("kink")
            elif abs(operands[0] - kink) <= 1e-6:
                found.add("near-kink")
        try:
            values.append(row.forward(*operands))
        except (ArithmeticError, ValueError):
            values.append(math.nan)
    if any(count >= 2 for count in uses[n:]):
        found.add("shared")
    if any(count >= 3 for count in uses):
        found.add("fan-out")
    if depth(program) >= 100:
        found.add("deep")
    for _, value in program.inputs:
        if abs(value) >= 1e4:
            found.add("large")
        if 0 < abs(value) <= 1e-4:
            found.add("small")
    if n > len(_reached(program)):
        found.add("unused")
    return found


def depth(program: Program) -> int:
    """The longest path from an input to any step, in steps."""
    levels = [0] * len(program.inputs)
    for step in program.steps:
        levels.append(1 + max((levels[a] for a in step.args if not isinstance(a, Const)), default=0))
    return max(levels)


def _reached(program: Program) -> set[int]:
    """Input slots the output depends on."""
    return {s for s in program.feeding_output() if s < len(program.inputs)}
