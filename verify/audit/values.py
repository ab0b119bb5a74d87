"""The value of every slot of a program: as a correct float64 engine computes it, or as the engine did."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from micrograd.ops import OPS

from ..program import Const, Program

if TYPE_CHECKING:
    from .trial import Outcome


def floats(program: Program) -> list[float]:
    """Every slot's value as a correct float64 engine computes it (the table's forward); nan if undefined."""
    values = [v for _, v in program.inputs]
    for step in program.steps:
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        try:
            values.append(float(OPS[step.op].forward(*xs)))
        except (ArithmeticError, ValueError):
            values.append(math.nan)
    return values


def engine_values(outcome: Outcome) -> list[float]:
    """The engine's own value of every slot where it gave one, else the op table's."""
    fallback = floats(outcome.program)
    return [d if d is not None and math.isfinite(d) else fallback[s]
            for s, d in enumerate(outcome.data or [None] * len(fallback))]
