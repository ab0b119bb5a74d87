"""A fragile pass says so: which textbook formula lost the digits of a gradient the judge accepted.

A gradient outside the envelope of rules that keep their digits, but inside what an accepted
formula gives, passes (a correct engine may compute it). When one of the textbook formulas of
``fragility`` gives exactly the engine's number at that step, the report names it, the digits
lost and the robust alternative, in a note that starts with "fragile: ".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..oracle.ball import to_float
from ..oracle.exact import Exact, Node
from ..program import Program
from .blame import written
from .fragility import TEXTBOOK, explain_lost
from .local import Sweep

LOSSY = "accepted: the engine's rules lose digits here"
"""How a row's note begins when its gradient passed only through a lossy accepted rule."""

_HAS_TEXTBOOK = {book.op for book in TEXTBOOK}


def fragile_notes(program: Program, nodes: list[Node], names: Sequence[str], data: Sequence[float | None],
                  grad: Sequence[float | None], found: Sweep, ex: Exact) -> list[str]:
    """One note per step whose only contribution to an operand is what a textbook formula gives there,
    with the digits it lost (only asked where a row passed through a lossy accepted rule)."""
    values = [d if d is not None else math.nan for d in data]
    notes = []
    for node in nodes:
        s = node.slot
        op = node.calc.row.name
        up = grad[s]
        if op not in _HAS_TEXTBOOK or up is None or not math.isfinite(up):
            continue
        got = [values[a] if a is not None else c for a, c in zip(node.args, node.consts, strict=True)]
        xs = [float(x) for x in got if x is not None and math.isfinite(x)]
        if len(xs) != len(got):
            continue
        for i, a in enumerate(node.args):
            if a is None or found.uses[a] != [(s, i)] or grad[a] is None:
                continue
            seen = grad[a]
            assert seen is not None
            fragile = explain_lost(op, xs, i, seen, to_float(ex.adjoints[a]), up)
            if fragile is not None:
                notes.append(f"fragile: {names[s]} = {written(node, names, values)}: {fragile.sentence()}")
    return notes
