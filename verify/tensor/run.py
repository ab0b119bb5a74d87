"""What an engine computed for a tensor program, as the worker reports it: plain data, no judging."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .shapes import Shape


@dataclass
class Run:
    """Each node's ``.data`` and ``.grad`` (flat, row-major, with their shapes), read after one backward.

    A grad is None where the engine gave none (``None``, or no attribute).
    ``aliases`` are pairs of nodes whose ``.grad`` are one array in memory.
    ``error`` is the engine's exception (type: message) at ``stage`` while
    making node ``failed`` (forward) or in ``backward()``.
    """

    data: list[list[float] | None] = field(default_factory=list)
    data_shapes: list[Shape | None] = field(default_factory=list)
    grads: list[list[float] | None] = field(default_factory=list)
    grad_shapes: list[Shape | None] = field(default_factory=list)
    aliases: list[tuple[int, int]] = field(default_factory=list)
    dtypes: list[str] = field(default_factory=list)
    error: str | None = None
    stage: Literal["forward", "backward", ""] = ""
    failed: int | None = None

    @classmethod
    def from_wire(cls, w: dict[str, Any]) -> Run:
        def shape(s: Any) -> Shape | None:
            return None if s is None else tuple(int(d) for d in s)

        def floats(v: Any) -> list[float] | None:
            return None if v is None else [float(x) for x in v]

        return cls([floats(d) for d in w.get("data", [])], [shape(s) for s in w.get("data_shapes", [])],
                   [floats(g) for g in w.get("grads", [])], [shape(s) for s in w.get("grad_shapes", [])],
                   [(int(a), int(b)) for a, b in w.get("aliases", [])], [str(t) for t in w.get("dtypes", [])],
                   w.get("error"), w.get("stage", ""), w.get("failed"))
