"""A tiny neural-net library on Value: Neuron, Layer and MLP, as in micrograd.

Weights are drawn from ``rng`` (a ``random.Random``); without one, each model
gets a fresh ``random.Random(0)``, so the same code builds the same model on
every run. Pass ``rng=random.Random(seed)`` for another initialisation.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .engine import Value

Input = Value | float


class Module:
    """Anything with parameters: ``parameters()`` and ``zero_grad()``."""

    def zero_grad(self) -> None:
        """Reset every parameter's gradient to 0 (backward accumulates)."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """relu(w . x + b), or just w . x + b when ``nonlin`` is False."""

    def __init__(self, nin: int, nonlin: bool = True, *, rng: random.Random | None = None) -> None:
        _check_width(nin, "nin")
        rng = random.Random(0) if rng is None else rng
        self.w = [Value(rng.uniform(-1.0, 1.0)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x: Sequence[Input]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"{self!r} takes {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=False)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; always returns a list."""

    def __init__(
        self, nin: int, nout: int, *, nonlin: bool = True, rng: random.Random | None = None
    ) -> None:
        _check_width(nout, "nout")
        rng = random.Random(0) if rng is None else rng
        self.neurons = [Neuron(nin, nonlin, rng=rng) for _ in range(nout)]

    def __call__(self, x: Sequence[Input]) -> list[Value]:
        # A list even for one neuron: a width-1 hidden layer must feed the next
        # layer a sequence (micrograd's bare-Value special case broke that).
        return [n(x) for n in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of sizes ``nouts``, relu between them and a linear last layer.

    With one output the call returns that Value (micrograd's demo code runs
    unchanged); with several it returns the list.
    """

    def __init__(self, nin: int, nouts: Sequence[int], *, rng: random.Random | None = None) -> None:
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"nouts must be a non-empty list of layer widths, got {nouts!r}")
        _check_width(nin, "nin")
        rng = random.Random(0) if rng is None else rng
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != last, rng=rng) for i in range(len(nouts))
        ]

    def __call__(self, x: Sequence[Input]) -> Value | list[Value]:
        values = self.layers[0](x)
        for layer in self.layers[1:]:
            values = layer(values)
        return values[0] if len(values) == 1 else values

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


def _check_width(n: object, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
