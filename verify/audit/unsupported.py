"""Unsupported is not a crash: a layout that raises the same exception at every point tried.

The survey probes each op in each layout at one point; a raise there from the engine's own code
is "crashes". Before the battery blames such a layout, it is run at every usual point of the
battery: when each run raises in the forward pass with the same exception class, the engine does
not support that layout (``x ** y`` with a Value exponent whose ``__pow__`` only takes numbers),
and it is "not supported" in the coverage table, like an absent operator, not a finding. A raise
at some points where the layout works at others, or in ``backward()`` after a forward that
worked, stays a crash.
"""

from __future__ import annotations

from collections.abc import Sequence

from .battery import Case
from .engine.terms import Layout
from .survey import Status
from .trial import Lab

MIN_POINTS = 3
"""Points that must all raise before a layout counts as not supported (one raise proves nothing)."""


def unsupported(lab: Lab, status: Status, cases: Sequence[Case]) -> Status | None:
    """The "absent" status for a layout that raised at the probe point and raises the same exception
    in the forward pass at every one of ``cases``; None when it works somewhere (then judge it)."""
    if status.state != "crashes" or len(cases) < MIN_POINTS:
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
        types.add(error.type)
        crashed += 1
        if len(types) > 1:
            return None
    if crashed < MIN_POINTS:
        return None
    (kind,) = types
    return Status("absent", f"not supported (raises {kind} at each of the {crashed} points tried)")


def layout_cases(cases: Sequence[Case], layout: Layout) -> list[Case]:
    """The usual-point battery cases of one layout."""
    return [c for c in cases if c.core and c.layout == layout]
