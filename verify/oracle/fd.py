"""The finite-difference witness: central differences of the exact function, on balls.

It checks the mirror itself, not the engine: the function is the program
evaluated from the op table's definitions, so a central difference with a
tiny step must agree with the reverse-mode gradient of the SymPy partials.
Each input moves by 2**-STEP_BITS of its own size (of 1 when it is larger
than 1 or 0), so the step never leaves a domain near 0 and resolves periodic
functions at 1e300; the quotient is a certified ball, and its truncation
error is estimated from a second difference at twice the step. With few
inputs each gets its own difference; with many, a few random directions
are checked against the exact directional derivative (the dot-product test).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..program import Program
from .ball import Ball, ball, finite, text, workprec
from .exact import Node, UndefinedAt, forward, local_partials, operands

STEP_BITS = 32
"""Each input moves by 2**-STEP_BITS of its size: truncation error ~2**-64 relative for smooth functions,
well above the exact gradient's own radius (2**-113), so the two are compared on the truncation."""
RICHARDSON = 2.0
"""The difference may be off by this many times its change between steps h and 2h: that change is
3x the truncation error (c h**2 against 4 c h**2), so this allows 6x."""
DIRECTION_STEP_BITS = 60
"""Along a random direction through many inputs the step is smaller still: its truncation then
falls inside the exact derivative's own radius, and one difference per direction decides
(the second, for the truncation estimate, is needed only when it does not)."""
PER_INPUT = 8
"""Up to this many inputs, each gets its own difference."""
DIRECTIONS = 2
RESOLVE_BITS = 48
"""A difference counts once its ball is this tight, relative to the size of the derivative's terms."""
MAX_BITS = 20_000
SHRINKS = 8
"""Steps tried, each 2**-STEP_BITS smaller, before a difference that does not settle is skipped."""
CONVERGED_BITS = 20
"""Two extrapolated differences that agree to this many bits have settled on the derivative."""
_COMBINE_BITS = 20_000


@dataclass
class Difference:
    """One central difference along ``direction`` (scaled per input) and the exact derivative along it."""

    direction: list[int]
    fd: Ball | None
    exact: Ball
    agrees: bool
    why: str
    scale: float = 1.0
    """Each input moved by ``scale`` times the step: the difference per unit of that input is fd / scale."""

    def shown(self, digits: int = 20) -> str:
        """The difference as a derivative: per unit of the input along a coordinate direction."""
        if self.fd is None:
            return ""
        with workprec(_COMBINE_BITS):
            return text(self.fd / self.scale, digits)

    def shown_exact(self, digits: int = 20) -> str:
        """The exact derivative it is compared with, in the same units."""
        with workprec(_COMBINE_BITS):
            return text(self.exact / self.scale, digits)


def differences(
    program: Program, nodes: list[Node], values: Sequence[Ball], gradient: Sequence[Ball], seed: int = 0
) -> tuple[list[Difference], bool]:
    """Differences along coordinate or random directions; True if one per input."""
    n = len(program.inputs)
    if n <= PER_INPUT:
        directions = [[int(i == k) for i in range(n)] for k in range(n)]
    else:
        rng = random.Random(seed)
        directions = [[rng.choice((-1, 1)) for _ in range(n)] for _ in range(DIRECTIONS)]
    step = STEP_BITS if n <= PER_INPUT else DIRECTION_STEP_BITS
    diffs = [_along(program, nodes, d, values, gradient, step) for d in directions]
    if n <= PER_INPUT:
        for k, diff in enumerate(diffs):
            x = program.inputs[k][1]
            diff.scale = min(abs(x), 1.0) if x else 1.0
    return diffs, n <= PER_INPUT


def _along(
    program: Program, nodes: list[Node], d: list[int], values: Sequence[Ball], gradient: Sequence[Ball],
    step: int,
) -> Difference:
    x0 = [v for _, v in program.inputs]
    scales = [min(abs(x), 1.0) if x else 1.0 for x in x0]
    exact, size = _directional(d, scales, gradient)
    f0 = abs(values[-1])
    sides = _kink_sides_values(nodes, list(values))
    # What "small" means for this difference: the size of the derivative's terms, or where
    # they are all 0, a step's worth of f (the difference is then pure truncation).
    scale = size if not size.is_zero() else (f0 if not f0.is_zero() else ball(1)) * ball(2.0) ** -step
    # The first step keeps the change of f across it tiny against f itself (a derivative of 1e81
    # would otherwise sweep cos through 1e60 periods): h = 2**-step * min(1, |f| / |D|).
    big = 0 if size.is_zero() or f0.is_zero() else _exponent(size) - _exponent(f0)
    shrink = max(0, big)
    # Bits: the step, its shrinking, x + h itself (log2 |x| more), the cancellation in the
    # difference when the derivative is small against f, and the digits wanted.
    need = (2 * step + shrink + max(0, -big) + max(0, max(_exponent(ball(x)) for x in x0))
            + RESOLVE_BITS + 64)
    first = _search(nodes, x0, d, scales, exact, (size, scale), sides, step, shrink, need)
    if first.fd is None or first.agrees:
        return first
    # Differences that settle on another value may have averaged away a term that varies faster
    # than the step (sin(1e300 * x) beside 1e300 * x): once more, with a step no node crosses a
    # unit of (or its own size) within. A wrong derivative still disagrees at any step.
    fast = _fast_bits(nodes, list(values), d, scales)
    if fast <= 0:
        return first
    again = _search(nodes, x0, d, scales, exact, (size, scale), sides, step, shrink + fast, need + fast)
    return again if again.fd is not None else first


def _search(nodes: list[Node], x0: list[float], d: list[int], scales: list[float], exact: Ball,
            sized: tuple[Ball, Ball], sides: list[int], step: int, shrink: int, need: int) -> Difference:
    """The first difference that decides, its step shrinking from 2**-(step + shrink)."""
    if need > MAX_BITS:
        shown = f"{need}" if need < 10**9 else f"about 2**{need.bit_length() - 1}"
        return Difference(d, None, exact, True, f"difference skipped: it would need {shown} bits")
    # A step too large for a fast-varying term (cos of a huge argument hidden under a large
    # smooth one) gives differences that do not converge: then the step shrinks.
    for k in range(SHRINKS):
        bits = need + k * step
        for attempt in range(3):
            with workprec(bits << attempt):
                h = ball(2.0) ** -(step * (k + 1) + shrink)
                tried = _at_step(nodes, x0, d, scales, h, exact, sized, sides)
            if isinstance(tried, Difference):
                return tried
            if tried == "smaller step":
                break
    return Difference(d, None, exact, True, "difference skipped: the function varies too fast for the step")


def _fast_bits(nodes: list[Node], values: list[Ball], d: list[int], scales: list[float]) -> int:
    """log2 of how fast the fastest node moves along ``d`` (its forward tangent) against min(1, its
    size): how many bits the step must shrink so that no node moves by that much across it."""
    tangent: list[Ball] = [ball(di * si) for di, si in zip(d, scales, strict=True)]
    tangent += [ball(0)] * len(nodes)
    fastest = 0
    with workprec(128):  # only magnitudes are wanted
        for node in nodes:
            try:
                partials, _ = local_partials(node, operands(node, values), [])
            except UndefinedAt:
                return 0
            t = ball(0)
            for p, a in zip(partials, node.args, strict=True):
                if a is not None and p is not None:
                    t = t + p * tangent[a]
            if not finite(t):
                return 0
            tangent[node.slot] = t
            size = abs(values[node.slot])
            unit = _exponent(size) if size < 1 and not size.is_zero() else 0
            fastest = max(fastest, _exponent(t) - unit)
    return fastest


def _directional(d: list[int], scales: list[float], gradient: Sequence[Ball]) -> tuple[Ball, Ball]:
    """The exact derivative along ``d`` (each input scaled), and the size of its terms."""
    exact = ball(0)
    size = ball(0)
    with workprec(_COMBINE_BITS):  # the gradient's balls are this tight: keep them so
        for di, si, gi in zip(d, scales, gradient, strict=True):
            if di:
                exact = exact + gi * (di * si)
                size = size + abs(gi) * si
    return exact, size


def _at_step(nodes: list[Node], x0: list[float], d: list[int], scales: list[float], h: Ball, exact: Ball,
             sized: tuple[Ball, Ball], sides: list[int]) -> Difference | Literal["more bits", "smaller step"]:
    """The differences at step ``h`` against ``exact`` (``sized``: its terms' size, what "small" is):
    a verdict, or what to try next."""
    size, scale = sized
    try:
        q1, fd_sides = _quotient(nodes, x0, d, scales, h)
    except UndefinedAt as error:
        why = f"difference skipped: the step leaves the domain ({error})"
        return Difference(d, None, exact, True, why)
    if q1 is None or not _resolved(q1, size, scale):
        return "more bits"  # not resolved yet
    if any(s != sides for s in fd_sides) and all(sides):
        return Difference(d, None, exact, True, "difference skipped: a kink lies within the step")
    gap = _gap(q1, exact)
    if gap <= q1.rad() + exact.rad():
        return Difference(d, q1, exact, True, "")
    try:
        q2, _ = _quotient(nodes, x0, d, scales, 2 * h)
        q4, _ = _quotient(nodes, x0, d, scales, 4 * h) if q2 is not None else (None, [])
    except UndefinedAt:
        return Difference(d, None, exact, True, "difference skipped: the step leaves the domain")
    if q2 is None:
        return "more bits"
    if not _settled(q1, q2, size, scale):
        return "smaller step"  # noise, not a derivative
    allowed = q1.rad() + exact.rad() + RICHARDSON * abs(q2 - q1)
    if gap <= allowed:
        return Difference(d, q1, exact, True, "")
    if q4 is not None and _converged(q1, q2, q4):
        return Difference(d, q1, exact, False, "")
    return "smaller step"  # the differences do not settle


def _resolved(q: Ball, size: Ball, scale: Ball) -> bool:
    """Whether the difference's ball is tight: against its own size, or where the derivative is 0,
    against a step's worth of f."""
    if size.is_zero():
        return bool(q.rad() <= scale * ball(2.0) ** -RESOLVE_BITS)
    return bool(q.rad() <= abs(q.mid()) * ball(2.0) ** -RESOLVE_BITS)


def _settled(q1: Ball, q2: Ball, size: Ball, scale: Ball) -> bool:
    """Whether the differences at steps h and 2h agree closely enough for their gap to estimate truncation."""
    bound = scale * ball(2.0) ** -RESOLVE_BITS if size.is_zero() else abs(q1) * ball(2.0) ** -CONVERGED_BITS
    return bool(abs(q1 - q2) <= bound)


def _converged(q1: Ball, q2: Ball, q4: Ball) -> bool:
    """Whether differences at steps h, 2h, 4h behave as c h**2 does: their extrapolations agree.

    Differences of a step too large to resolve the function are noise; those
    of a small enough one, extrapolated (q + (q - q') / 3), agree closely.
    """
    r12 = q1 + (q1 - q2) / 3
    r24 = q2 + (q2 - q4) / 3
    return bool(abs(r12 - r24) <= abs(r12) * ball(2.0) ** -CONVERGED_BITS)


def _exponent(x: Ball) -> int:
    """floor(log2 |x|) of the midpoint (0 for 0 or a non-finite ball)."""
    m = abs(x).mid()
    if m.is_zero() or not m.is_finite():
        return 0
    # From the midpoint's own mantissa and exponent: a float of log2 overflows below 2**-1e308.
    man, exp = m.man_exp()
    return int(exp) + int(man).bit_length() - 1


def _quotient(
    nodes: list[Node], x0: list[float], d: list[int], scales: list[float], h: Ball
) -> tuple[Ball | None, list[list[int]]]:
    """(f(x + h d s) - f(x - h d s)) / 2h, or None when the balls are too wide; and the kink sides met."""
    up_x = [ball(x) + h * (di * si) for x, di, si in zip(x0, d, scales, strict=True)]
    down_x = [ball(x) - h * (di * si) for x, di, si in zip(x0, d, scales, strict=True)]
    up = forward(nodes, up_x)
    down = forward(nodes, down_x)
    q = (up[-1] - down[-1]) / (2 * h)
    if not finite(q):
        return None, []
    return q, [_kink_sides_values(nodes, up), _kink_sides_values(nodes, down)]


def _kink_sides_values(nodes: list[Node], values: list[Ball]) -> list[int]:
    """For every op with kinks, which side of its kinks operand 0 lies on (0: on one, or unknown)."""
    sides = []
    for node in nodes:
        kinks = node.calc.row.kinks
        if kinks:
            x = operands(node, values)[0]
            side = 0
            for k in kinks:
                if x > k:
                    side += 1
                elif x < k:
                    side -= 1
                else:
                    side = 0
                    break
            sides.append(side)
    return sides


def _gap(fd: Ball, exact: Ball) -> Ball:
    """How far the difference's midpoint lies from the exact ball (0 if inside)."""
    m = fd.mid()
    lo, hi = exact.lower(), exact.upper()
    if m < lo:
        return lo - m
    if m > hi:
        return m - hi
    return ball(0)
