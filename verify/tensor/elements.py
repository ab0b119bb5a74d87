"""What one element of a tensor op's output is, in scalar terms: the vocabulary every tensor op lowers to.

An element refers to operand elements by ``Ref`` (operand index, flat
position). Four kinds cover the table: a scalar op of the op table
(``Apply``), a sum of products divided by a count (``Sum``: sum, mean,
matmul, a broadcast summed back), a plain reuse (``Copy``: reshape,
permute, transpose), the largest of several (``Max``) and one element of a
softmax or log-softmax row (``Softmax``). Lowering, the forward check and
the backward check each read these, never the op.
"""

from __future__ import annotations

from dataclasses import dataclass

Ref = tuple[int, int]
"""(operand index, flat position in that operand)."""


@dataclass(frozen=True)
class Apply:
    """A row of the scalar op table on operand elements or constants."""

    op: str
    args: tuple[Ref | float, ...]


@dataclass(frozen=True)
class Sum:
    """sum over terms of the product of each term's factors (one or two), divided by ``divide``."""

    terms: tuple[tuple[Ref, ...], ...]
    divide: int = 1


@dataclass(frozen=True)
class Copy:
    """The operand element itself."""

    ref: Ref


@dataclass(frozen=True)
class Max:
    """The largest of the operand elements."""

    refs: tuple[Ref, ...]


@dataclass(frozen=True)
class Softmax:
    """Element ``index`` of softmax (or log-softmax) over ``refs``, one row along the op's axis."""

    refs: tuple[Ref, ...]
    index: int
    log: bool = False


Element = Apply | Sum | Copy | Max | Softmax
