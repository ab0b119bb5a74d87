"""The two-moons data set and micrograd's max-margin loss, for demos and benchmarks.

``max_margin_loss`` touches the model and its scores only through operators,
``.relu()``, ``.data`` and ``parameters()``, so it runs unchanged on any
micrograd-like engine (the benchmarks use it on karpathy's micrograd too).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any, Protocol

from .engine import Value


class Model(Protocol):
    """A model with one output: an ``MLP(nin, [..., 1])`` or alike."""

    def __call__(self, x: Sequence[float]) -> Any: ...

    def parameters(self) -> Sequence[Any]: ...


def make_moons(
    n: int = 100, *, noise: float = 0.1, seed: int = 1337
) -> tuple[list[list[float]], list[int]]:
    """Two interleaving half circles: ``n`` points ``[x, y]`` and labels -1 / +1.

    The upper moon (label -1) has ``n // 2`` points; the lower one (label +1),
    shifted right and down, has the rest. Gaussian noise of standard deviation
    ``noise`` is added and the points are shuffled, all from ``seed``.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be an int >= 2, got {n!r}")
    if not (isinstance(noise, (int, float)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    rng = random.Random(seed)
    n_upper = n // 2
    n_lower = n - n_upper
    points: list[tuple[list[float], int]] = []
    for i in range(n_upper):
        t = math.pi * i / (n_upper - 1) if n_upper > 1 else 0.0
        points.append(([math.cos(t), math.sin(t)], -1))
    for i in range(n_lower):
        t = math.pi * i / (n_lower - 1) if n_lower > 1 else 0.0
        points.append(([1.0 - math.cos(t), 0.5 - math.sin(t)], 1))
    for xy, _ in points:
        xy[0] += rng.gauss(0.0, noise)
        xy[1] += rng.gauss(0.0, noise)
    rng.shuffle(points)
    return [xy for xy, _ in points], [label for _, label in points]


def max_margin_loss(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = 1e-4
) -> tuple[Value, float]:
    """Mean hinge loss ``relu(1 - y * score)`` plus ``alpha * sum(p * p)``.

    Returns the loss (a Value, ready for ``backward()``) and the accuracy, the
    fraction of points whose score has the sign of their label. This is the
    loss of micrograd's demo notebook.
    """
    if len(X) != len(y) or not y:
        raise ValueError(f"X and y must be non-empty and of equal length, got {len(X)} and {len(y)}")
    scores = [model(xi) for xi in X]
    if not all(hasattr(s, "relu") for s in scores):
        raise TypeError("max_margin_loss needs a model with one output (a Value per point)")
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total: Value = data_loss + reg_loss
    accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores, strict=True)) / len(y)
    return total, accuracy
