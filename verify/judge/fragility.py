"""Textbook formulas as float64 steps: what a correct engine written with them does at a point.

A *fragility* is a crash, an overflow, an underflow or a loss of digits that an accepted
textbook formula for an op shows at the same operands in float64. Each ``Textbook`` below is
one such formula, written once as plain float steps (forward, and the local partials times the
upstream gradient, as an engine's ``_backward`` computes them), and run in two float64 worlds:

- ``"raise"``: Python floats, where ``math.exp(710)`` and ``1e-300 ** -2`` raise OverflowError;
- ``"ieee"``: IEEE arithmetic without traps (an engine on NumPy floats, or a guarded rule),
  where the same steps give ``inf`` and then ``nan``.

``explain`` says whether a failure the audit saw (an exception class, or a non-finite value or
gradient, at the engine's own operands) is one of these formulas' own behaviour there. It
excuses only what a formula itself does at that point: nothing is widened.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

World = Literal["raise", "ieee"]
Part = Literal["value", "grad"]

class _Ieee:
    """IEEE float64 without traps: overflow gives inf, 0/0 and inf - inf give nan."""

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def pow(x: float, k: float) -> float:
        try:
            r = x ** k
        except OverflowError:
            return math.copysign(math.inf, x) if float(k).is_integer() and int(k) % 2 else math.inf
        except ZeroDivisionError:
            return math.inf
        return r if isinstance(r, float) else math.nan

    @staticmethod
    def div(x: float, y: float) -> float:
        if y == 0.0:
            if x == 0.0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y


class _Raise:
    """Python floats: what an engine on plain floats meets."""

    @staticmethod
    def exp(x: float) -> float:
        return math.exp(x)

    @staticmethod
    def pow(x: float, k: float) -> float:
        r = x ** k
        return r if isinstance(r, float) else math.nan

    @staticmethod
    def div(x: float, y: float) -> float:
        return x / y


Math = type[_Ieee] | type[_Raise]
Forward = Callable[[Math, Sequence[float]], float]
"""(m, operands) -> the value."""
Backward = Callable[[Math, float, Sequence[float], float], tuple[float, ...]]
"""(m, upstream, operands, value) -> each operand's gradient contribution."""


@dataclass(frozen=True)
class Textbook:
    """One accepted textbook formula of an op, as the float steps an engine takes."""

    op: str
    name: str
    """How it is written: "x * y**-1 with the power rule k * y**(k - 1)"."""
    forward: Forward
    backward: Backward
    robust: str
    """The alternative that does not fail there."""


def _div_forward(m: Math, xs: Sequence[float]) -> float:
    x, y = xs
    return x * m.pow(y, -1.0)


def _div_backward(m: Math, up: float, xs: Sequence[float], out: float) -> tuple[float, ...]:
    x, y = xs
    # mul's rule passes up * x to the pow node, whose rule is k * y**(k - 1) with k = -1
    return up * m.pow(y, -1.0), (-1.0 * m.pow(y, -2.0)) * (x * up)


def _lecture_tanh(m: Math, xs: Sequence[float]) -> float:
    e = m.exp(2 * xs[0])
    return m.div(e - 1, e + 1)


def _library_tanh(m: Math, xs: Sequence[float]) -> float:
    return math.tanh(xs[0])


def _one_minus_square(m: Math, up: float, xs: Sequence[float], t: float) -> tuple[float, ...]:
    return ((1 - t * t) * up,)


def _one_branch_sigmoid(m: Math, xs: Sequence[float]) -> float:
    return m.div(1.0, 1 + m.exp(-xs[0]))


def _two_branch_sigmoid(m: Math, xs: Sequence[float]) -> float:
    x = xs[0]
    return m.div(1.0, 1 + m.exp(-x)) if x >= 0 else m.div(m.exp(x), 1 + m.exp(x))


def _s_one_minus_s(m: Math, up: float, xs: Sequence[float], s: float) -> tuple[float, ...]:
    return (s * (1 - s) * up,)


def _exp_over_square(m: Math, up: float, xs: Sequence[float], s: float) -> tuple[float, ...]:
    e = m.exp(-xs[0])
    return (m.div(e, m.pow(1 + e, 2.0)) * up,)


TEXTBOOK: tuple[Textbook, ...] = (
    Textbook("div", "x * y**-1 with the power rule k * y**(k - 1)", _div_forward, _div_backward,
             "a division rule of its own: d/dx = 1/y, d/dy = -x/y/y"),
    Textbook("tanh", "tanh's rule 1 - t*t", _library_tanh, _one_minus_square,
             "4 / (exp(x) + exp(-x))**2, or 1 / cosh(x)**2 below |x| = 355"),
    Textbook("tanh", "the lecture's tanh (exp(2x) - 1) / (exp(2x) + 1)", _lecture_tanh, _one_minus_square,
             "math.tanh(x) for the value"),
    Textbook("sigmoid", "the one-branch sigmoid 1 / (1 + exp(-x))", _one_branch_sigmoid, _s_one_minus_s,
             "the two-branch sigmoid: exp(x) / (1 + exp(x)) for x < 0"),
    Textbook("sigmoid", "sigmoid's rule exp(-x) / (1 + exp(-x))**2", _two_branch_sigmoid, _exp_over_square,
             "the rule s * (1 - s) from the two-branch sigmoid's value"),
)
"""Every textbook formula the audit knows, beside the op table's accepted forms (``Op.accepts``)."""


@dataclass(frozen=True)
class Fragility:
    """A failure that a textbook formula for the op shows at the same operands in float64."""

    op: str
    formula: str
    what: str
    """What the formula does there, in words ("raises OverflowError", "gives inf")."""
    digits_lost: int
    """Decimal digits of the exact answer lost: 16 when nothing of it survives."""
    robust: str

    def sentence(self) -> str:
        return (f"{self.formula} {self.what} here too, losing {self.digits_lost} of 16 digits; "
                f"robust: {self.robust}")


@dataclass(frozen=True)
class Run:
    """What a formula did in one world: an exception class, or its value and gradients."""

    error: str = ""
    stage: str = ""
    value: float = math.nan
    grads: tuple[float, ...] = ()


def run(book: Textbook, world: World, xs: Sequence[float], upstream: float = 1.0) -> Run:
    """``book`` at ``xs`` in ``world``: the value, then the gradient contributions; a raise is
    recorded with the stage it came from."""
    m: Math = _Ieee if world == "ieee" else _Raise
    try:
        value = book.forward(m, xs)
    except ArithmeticError as error:
        return Run(error=type(error).__name__, stage="forward")
    try:
        grads = book.backward(m, upstream, xs, value)
    except ArithmeticError as error:
        return Run(error=type(error).__name__, stage="backward", value=value)
    return Run(value=value, grads=tuple(grads))


def explain_raise(op: str, xs: Sequence[float], error: str, stage: str,
                  upstream: float = 1.0) -> Fragility | None:
    """The textbook formula of ``op`` that raises ``error`` (a class name) at ``xs`` in the same
    stage ("forward" or "backward"), on Python floats; None when no formula does."""
    for book in _of(op):
        got = run(book, "raise", xs, upstream)
        if got.error == error and got.stage == stage:
            return Fragility(op, book.name, f"raises {error} in {stage}", 16, book.robust)
    return None


def explain_non_finite(op: str, xs: Sequence[float], part: Part, index: int, seen: float,
                       upstream: float = 1.0) -> Fragility | None:
    """The textbook formula of ``op`` whose value (``part`` "value") or gradient contribution to
    operand ``index`` is non-finite at ``xs`` without traps, as ``seen`` (inf of the same sign, or
    nan); None when none is."""
    for book in _of(op):
        got = run(book, "ieee", xs, upstream)
        if got.error:
            continue
        mine = got.value if part == "value" else (got.grads[index] if index < len(got.grads) else 0.0)
        if _same_non_finite(mine, seen):
            return Fragility(op, book.name, f"gives {mine} for the {_part(part, index)}", 16, book.robust)
    return None


LOST_DIGITS = 8
"""Decimal digits a textbook rule must lose (half of float64's 16) for its result to be a fragility:
fewer is the rounding of an accepted rule (1 - t*t at 3.7 loses 2), not something to warn about."""


def explain_lost(op: str, xs: Sequence[float], index: int, seen: float, exact: float,
                 upstream: float = 1.0) -> Fragility | None:
    """The textbook formula whose gradient contribution to operand ``index`` at ``xs`` is ``seen``
    bit for bit, where the exact one is ``exact``, losing ``LOST_DIGITS`` or more of its digits;
    None if none does."""
    for world in ("raise", "ieee"):
        for book in _of(op):
            got = run(book, world, xs, upstream)
            if got.error or index >= len(got.grads) or got.grads[index] != seen:
                continue
            lost = digits_lost(seen, exact)
            if lost >= LOST_DIGITS:
                return Fragility(op, book.name, f"gives {seen!r} for the {_part('grad', index)}", lost,
                                 book.robust)
    return None


def digits_lost(got: float, exact: float) -> int:
    """Decimal digits of ``exact`` that ``got`` does not hold, beyond float64's own rounding (0 to 16)."""
    if got == exact or not math.isfinite(exact) or exact == 0.0:
        return 0
    if not math.isfinite(got):
        return 16
    rel = abs(got - exact) / abs(exact)
    if rel >= 1.0:
        return 16
    kept = -math.log10(rel) if rel > 0 else 16.0
    return max(0, min(16, round(16 - kept)))


def _of(op: str) -> list[Textbook]:
    return [b for b in TEXTBOOK if b.op == op]


def _same_non_finite(mine: float, seen: float) -> bool:
    if math.isnan(seen):
        return math.isnan(mine)
    return math.isinf(mine) and math.isinf(seen) and (mine > 0) == (seen > 0)


def _part(part: Part, index: int) -> str:
    return "value" if part == "value" else f"gradient of operand {index}"
