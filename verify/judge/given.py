"""What the caller gave the judge, read: the input slots to check and the engine's numbers as floats.

Bad input is a clear ``TypeError`` or ``ValueError`` here, before anything is computed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..program import Program


def checked_slots(program: Program, data: Sequence[float | None], grad: Sequence[float | None],
           inputs: Sequence[int] | None) -> list[int]:
    """The input slots to check; ``ValueError`` when the run does not fit the program."""
    size = program.size
    if len(data) != size or len(grad) != size:
        raise ValueError(f"the program has {size} slots but data has {len(data)} and grad {len(grad)}")
    slots = list(range(len(program.inputs))) if inputs is None else list(inputs)
    for s in slots:
        if not (isinstance(s, int) and 0 <= s < size):
            raise ValueError(f"input slot {s!r} is not a slot of the program (0..{size - 1})")
    return slots


def as_floats(values: Sequence[Any], what: str) -> list[float | None]:
    """The engine's numbers as floats (None kept); ``TypeError`` for anything not a real number."""
    out: list[float | None] = []
    for s, v in enumerate(values):
        if v is None:
            out.append(None)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"slot {s}'s {what} is a {type(v).__name__}, not a float")
        else:
            try:
                out.append(float(v))
            except OverflowError:  # an int beyond float64 (x.grad = 10**400): the infinity it rounds to
                out.append(math.inf if v > 0 else -math.inf)
    return out
