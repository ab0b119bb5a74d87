"""Unsupported is not a crash: a layout that raises the same exception at every point tried.

The survey probes each op in each layout at one point; a raise there from the engine's own code
is "crashes". Before the battery blames such a layout, it is run at every usual point of the
battery: when each run raises in the forward pass with the same exception class, the engine does
not support that layout (``x ** y`` with a Value exponent whose ``__pow__`` only takes numbers),
and it is "not supported" in the coverage table, like an absent operator, not a finding. Only
when the same operator works in another layout (``x ** 2`` beside ``x ** y``) and the exception is
one that code not handling an operand's type raises (``REFUSALS``): a tanh that raises NameError
everywhere is broken, not a layout left out. A raise at some points where the layout works at
others, or in ``backward()`` after a forward that worked, stays a crash.
"""

from __future__ import annotations

from collections.abc import Sequence

from micrograd.ops import OPS

from ..program import notation
from .battery import Case
from .engine.terms import Layout
from .survey import Status, Survey
from .trial import Lab

MIN_POINTS = 3
"""Points that must all raise before a layout counts as not supported (one raise proves nothing)."""
REFUSALS = ("TypeError", "UnboundLocalError", "AttributeError", "NotImplementedError", "AssertionError")
"""What code that does not handle an operand's type raises; a NameError or a ZeroDivisionError at
every point is a broken method, not a layout left out."""


def unsupported(lab: Lab, status: Status, cases: Sequence[Case], elsewhere: bool = True) -> Status | None:
    """The "absent" status for a layout that raised at the probe point and raises the same exception,
    one of ``REFUSALS``, in the forward pass at every one of ``cases``, while the same operator works
    in another layout (``elsewhere``: ``x ** 2`` beside ``x ** y``); None otherwise (then judge it)."""
    if status.state != "crashes" or len(cases) < MIN_POINTS or not elsewhere:
        return None
    types = set()
    crashed = 0
    for case in cases:
        a = lab.check(case.program)
        error = a.outcome.error
        if a.verdict == "refused":  # outside the domain or float64's range: a raise is right there
            continue
        if a.verdict != "crash" or a.outcome.stage != "forward" or error is None:
            return None
        if error.type not in REFUSALS:
            return None
        types.add(error.type)
        crashed += 1
        if len(types) > 1:
            return None
    if crashed < MIN_POINTS:
        return None
    (kind,) = types
    return Status("absent", f"not supported (raises {kind} at each of the {crashed} points tried)")


def works_elsewhere(survey: Survey, op: str, layout: Layout) -> bool:
    """Whether the operator ``op`` is written with works in another layout, of ``op`` or of an op
    written the same way (``**`` is powi, powc and pow)."""
    word = _word(op)
    for other, per in survey.status.items():
        if other != op and (not word or _word(other) != word):
            continue
        if any(status.state == "works" and (other, lay) != (op, layout) for lay, status in per.items()):
            return True
    return False


def _word(op: str) -> str:
    try:
        return notation(OPS[op]).word
    except ValueError:
        return ""


def layout_cases(cases: Sequence[Case], layout: Layout) -> list[Case]:
    """The usual-point battery cases of one layout."""
    return [c for c in cases if c.core and c.layout == layout]
