"""Equal values: a failure that shows only where two distinct nodes hold the same number.

An engine whose nodes compare and hash by ``.data`` (a handy ``__eq__`` for tests) takes two
different nodes with equal values for one in its visited set or its parents' dict, and drops a
gradient, but only at points where two values happen to be equal: ``x - y`` at x = y, ``relu(x)``
beside ``x`` for x > 0. Such a finding is first blamed on the op at hand. When its program has
two distinct nodes with equal values, and the engine loses a gradient in ``x * 3 + y * 3`` at
x = y but not with x != y, the finding says so and names the likely cause; its op is then not to
blame: it becomes one finding of the engine's backward (a traversal).
"""

from __future__ import annotations

from ..program import Const, Program, Step
from .findings import Finding
from .trial import Lab
from .values import floats

SKIP = ("hang", "died", "memory", "tampered", "unreadable")
"""Kinds this question does not apply to (the engine stopped answering, or gave no numbers)."""


def equal_pairs(program: Program) -> list[tuple[int, int]]:
    """Distinct slots of ``program`` whose values (as a correct float64 engine has them) are equal."""
    values = floats(program)
    return [(i, j) for j in range(len(values)) for i in range(j)
            if values[i] == values[j] and values[i] == values[i]]


EQUAL = Program((("x", 0.75), ("y", 0.75)),
                (Step("mul", (0, Const(3.0))), Step("mul", (1, Const(3.0))), Step("add", (2, 3))))
"""Two distinct nodes with the same value (x * 3 and y * 3 at x = y), both feeding the output."""
APART = Program((("x", 0.75), ("y", 0.8125)), EQUAL.steps)
"""The same graph where no two values are equal."""


def by_value(lab: Lab) -> bool:
    """Whether the engine drops a gradient where two distinct nodes hold equal values, and only there."""
    return lab.check(EQUAL).failed and lab.check(APART).verdict == "pass"


def explain_equal(lab: Lab, findings: list[Finding]) -> None:
    """Re-word each finding whose program has two distinct nodes with equal values, when the engine
    is shown to take such nodes for one (``by_value``); a finding blamed on an op becomes one of
    the engine's backward (a traversal), and the others of the same cause are merged into it."""
    hit = [f for f in findings if f.kind not in SKIP and f.fragility is None and equal_pairs(f.program)]
    if not hit or lab.out_of_time() or not by_value(lab):
        return
    hit.sort(key=lambda f: not (f.kind == "traversal" and not f.op))  # a traversal finding is the root
    first: Finding | None = None
    for finding in hit:
        names = finding.program.names()
        values = floats(finding.program)
        i, j = equal_pairs(finding.program)[0]
        why = (f"it needs two distinct nodes with equal values ({names[i]} = {names[j]} = {values[i]!r}): "
               "x * 3.0 + y * 3.0 loses a gradient at x = y = 0.75 and not at y = 0.8125, so the engine "
               "takes nodes with equal values for one (nodes compared or hashed by value: __eq__/__hash__ "
               "on .data, in a visited set or a dict)")
        if first is not None:
            findings.remove(finding)
            first.evidence.append(f"the same cause in {finding.op or 'the engine'}: {finding.message}")
            continue
        if finding.op:  # not the op's: the engine's backward
            finding.evidence.append(f"was blamed on {finding.op}: {finding.message}")
            finding.kind, finding.op, finding.layout = "traversal", "", "graph"
        finding.message = f"{finding.message}; {why}"
        first = finding
    if first is not None and first in findings:  # the root cause is the headline
        findings.remove(first)
        findings.insert(0, first)
