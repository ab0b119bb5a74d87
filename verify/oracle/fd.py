"""The finite-difference witness: central differences of the exact function in mpmath.

It checks the mirror itself, not the engine: the function is the program
evaluated from the op table's definitions at high precision, so a central
difference with a tiny step agrees with the exact gradient to many digits.
With few inputs each input gets its own difference; with many, a few random
directions are checked against the exact directional derivative (the
dot-product test), so the cost does not grow with the number of inputs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import mpmath  # type: ignore[import-untyped]

from ..program import Program
from .exact import Node, UndefinedAt, forward, operands
from .span import Num, Span, as_span, plus, times

DPS = 60
STEP = mpmath.mpf(10) ** -20
AGREE = 1e-12
"""Relative agreement required between the difference and the exact derivative."""
PER_INPUT = 8
"""Up to this many inputs, each gets its own difference."""
DIRECTIONS = 2


@dataclass
class Difference:
    """One central difference along ``direction`` and the exact derivative along it."""

    direction: list[Any]
    fd: Any | None
    exact: Num
    agrees: bool
    why: str


def differences(
    program: Program, nodes: list[Node], gradient: list[Num], seed: int = 0
) -> tuple[list[Difference], bool]:
    """The witness: differences along coordinate or random directions; True if per input."""
    n = len(program.inputs)
    with mpmath.workdps(DPS):
        x0 = [mpmath.mpf(v) for _, v in program.inputs]
        sides0 = _kink_sides(nodes, forward(nodes, x0))
        if n <= PER_INPUT:
            directions = [[mpmath.mpf(int(i == k)) for i in range(n)] for k in range(n)]
        else:
            rng = random.Random(seed)
            directions = [[mpmath.mpf(rng.choice((-1, 1))) for _ in range(n)] for _ in range(DIRECTIONS)]
        return [_along(nodes, x0, sides0, d, gradient) for d in directions], n <= PER_INPUT


def _along(
    nodes: list[Node], x0: list[Any], sides0: list[int], d: list[Any], gradient: list[Num]
) -> Difference:
    exact: Num = mpmath.mpf(0)
    scale = mpmath.mpf(0)
    for di, gi in zip(d, gradient, strict=False):
        if di:
            exact = plus(exact, times(di, gi))
            scale += abs(di) * max(abs(as_span(gi).lo), abs(as_span(gi).hi))
    width = max([abs(x) for x, di in zip(x0, d, strict=True) if di] + [mpmath.mpf(1)])
    h = STEP * width
    try:
        up = forward(nodes, [x + h * di for x, di in zip(x0, d, strict=True)])
        down = forward(nodes, [x - h * di for x, di in zip(x0, d, strict=True)])
    except UndefinedAt as error:
        return Difference(d, None, exact, True, f"difference skipped: the step leaves the domain ({error})")
    if _kink_sides(nodes, up) != sides0 or _kink_sides(nodes, down) != sides0:
        if any(s == 0 for s in sides0):
            pass  # on a kink: the central difference lies between the one-sided ones
        else:
            return Difference(d, None, exact, True, "difference skipped: a kink lies within the step")
    fd = (up[-1] - down[-1]) / (2 * h)
    noise = abs(up[-1]) * mpmath.mpf(10) ** (-DPS + 5) / h
    allowed = AGREE * scale + noise
    gap = _gap(fd, exact)
    if gap > allowed:
        # The step's own truncation error, estimated from a difference at twice the step.
        try:
            wide = (forward(nodes, [x + 2 * h * di for x, di in zip(x0, d, strict=True)])[-1]
                    - forward(nodes, [x - 2 * h * di for x, di in zip(x0, d, strict=True)])[-1]) / (4 * h)
        except UndefinedAt:
            wide = fd
        allowed += 2 * abs(wide - fd)
    return Difference(d, fd, exact, bool(gap <= allowed), "")


def _gap(fd: Any, exact: Num) -> Any:
    if isinstance(exact, Span):
        return max(exact.lo - fd, fd - exact.hi, mpmath.mpf(0))
    return abs(fd - exact)


def _kink_sides(nodes: list[Node], values: list[Any]) -> list[int]:
    """For every op with kinks, which side of its kinks operand 0 lies on."""
    sides = []
    for node in nodes:
        kinks = node.calc.row.kinks
        if kinks:
            x = operands(node, values)[0]
            sides.append(sum((x > k) - (x < k) for k in kinks) if all(x != k for k in kinks) else 0)
    return sides


def fd_strings(diffs: Sequence[Difference], digits: int = 20) -> list[str]:
    return [mpmath.nstr(d.fd, digits) if d.fd is not None else "" for d in diffs]
