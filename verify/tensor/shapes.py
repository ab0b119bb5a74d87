"""Shapes without numpy: row-major flat indices, broadcasting and axis arithmetic on tuples of ints."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

Shape = tuple[int, ...]


class ShapeError(ValueError):
    """Operands whose shapes an op refuses (numpy and torch refuse them too)."""


def size(shape: Shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def indices(shape: Shape) -> Iterator[tuple[int, ...]]:
    """Every multi-index of ``shape`` in row-major order (one, ``()``, for a 0-d shape)."""
    return itertools.product(*(range(d) for d in shape))


def flat(index: Sequence[int], shape: Shape) -> int:
    """The row-major position of ``index`` in ``shape``."""
    f = 0
    for i, d in zip(index, shape, strict=True):
        f = f * d + i
    return f


def unflat(f: int, shape: Shape) -> tuple[int, ...]:
    out = []
    for d in reversed(shape):
        out.append(f % d)
        f //= d
    return tuple(reversed(out))


def broadcast(a: Shape, b: Shape) -> Shape:
    """numpy's broadcasting rule: align on the right, a 1 stretches."""
    n = max(len(a), len(b))
    pa, pb = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(pa, pb, strict=True):
        if x != y and 1 not in (x, y):
            raise ShapeError(f"shapes {a} and {b} do not broadcast")
        out.append(max(x, y) if 0 not in (x, y) else 0)
    return tuple(out)


def source_of(out_index: Sequence[int], shape: Shape) -> int:
    """The flat element of an operand of ``shape`` that broadcasting reuses at ``out_index``."""
    tail = out_index[len(out_index) - len(shape):] if shape else ()
    return flat([0 if d == 1 else i for i, d in zip(tail, shape, strict=True)], shape)


def axes(axis: int | Sequence[int] | None, ndim: int) -> tuple[int, ...]:
    """``axis`` as sorted non-negative axes (None: all); negative axes count from the end."""
    if axis is None:
        return tuple(range(ndim))
    given = (axis,) if isinstance(axis, int) else tuple(axis)
    out = []
    for a in given:
        if not -ndim <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for {ndim} dimensions")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"axis {axis} repeats an axis")
    return tuple(sorted(out))


def reduced(shape: Shape, axis: int | Sequence[int] | None, keepdims: bool) -> Shape:
    picked = axes(axis, len(shape))
    if keepdims:
        return tuple(1 if i in picked else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in picked)


def permuted(shape: Shape, perm: Sequence[int]) -> Shape:
    if sorted(perm) != list(range(len(shape))):
        raise ShapeError(f"{tuple(perm)} is not a permutation of the {len(shape)} axes of {shape}")
    return tuple(shape[p] for p in perm)


def inverse(perm: Sequence[int]) -> tuple[int, ...]:
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return tuple(out)


def reshaped(shape: Shape, new: Sequence[int]) -> Shape:
    new = tuple(new)
    if new.count(-1) > 1:
        raise ShapeError("only one dimension may be -1")
    if -1 in new:
        known = size(tuple(d for d in new if d != -1))
        if known == 0 or size(shape) % known:
            raise ShapeError(f"cannot reshape {shape} into {new}")
        new = tuple(size(shape) // known if d == -1 else d for d in new)
    if size(new) != size(shape) or any(d < 0 for d in new):
        raise ShapeError(f"cannot reshape {shape} into {new}")
    return new


def matmul(a: Shape, b: Shape) -> Shape:
    """numpy's ``@`` for 1-d and 2-d operands: a vector is a row on the left, a column on the right."""
    if not a or not b or len(a) > 2 or len(b) > 2:
        raise ShapeError(f"matmul of {a} and {b}: only vectors and matrices")
    k1 = a[-1]
    k2 = b[0] if len(b) == 1 else b[-2]
    if k1 != k2:
        raise ShapeError(f"matmul of {a} and {b}: inner sizes {k1} and {k2} differ")
    return a[:-1] + b[1:]
