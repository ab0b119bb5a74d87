"""Closed intervals of mpf: the set of derivatives allowed at a kink, and what they propagate to.

Away from kinks every derivative is a plain mpf; a ``Span`` appears only when
an operand sits exactly on a kink, so plain numbers pay nothing for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Span:
    """The interval [lo, hi] (lo <= hi)."""

    lo: Any
    hi: Any

    @property
    def mid(self) -> Any:
        return (self.lo + self.hi) / 2


Num = Any
"""An mpf or a Span."""


def span(a: Any, b: Any) -> Span:
    return Span(min(a, b), max(a, b))


def plus(a: Num, b: Num) -> Num:
    if isinstance(a, Span) or isinstance(b, Span):
        a, b = as_span(a), as_span(b)
        return Span(a.lo + b.lo, a.hi + b.hi)
    return a + b


def times(a: Num, b: Num) -> Num:
    if isinstance(a, Span) or isinstance(b, Span):
        a, b = as_span(a), as_span(b)
        ends = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
        return Span(min(ends), max(ends))
    return a * b


def as_span(a: Num) -> Span:
    return a if isinstance(a, Span) else Span(a, a)


def magnitude(a: Num) -> Any:
    """The largest |x| over ``a``."""
    if isinstance(a, Span):
        return max(abs(a.lo), abs(a.hi))
    return abs(a)


def distance(x: Any, a: Num) -> Any:
    """How far the number ``x`` lies outside ``a`` (0 inside)."""
    if isinstance(a, Span):
        if x < a.lo:
            return a.lo - x
        if x > a.hi:
            return x - a.hi
        return mpmath.mpf(0)
    return abs(x - a)


def is_zero(a: Num) -> bool:
    if isinstance(a, Span):
        return bool(a.lo == 0 and a.hi == 0)
    return bool(a == 0)
