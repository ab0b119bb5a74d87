"""What the verifier found: a verdict, one row per input, the blamed op, every node.

The data lives here, with its JSON form (``Report.to_dict``); ``text`` renders
it for ``Report.render()``, ``expr`` for ``python -m verify expr``, both in the
one palette of ``style``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from ..program import Program

Verdict = Literal["pass", "fail", "inconclusive", "undefined"]


@dataclass(frozen=True)
class InputRow:
    """One input's three witnesses and how far autograd is from the exact gradient."""

    name: str
    slot: int
    autograd: float | None
    exact: str
    fd: str
    rel_error: float | None
    ulps: float | None
    verdict: str
    formula: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Fault:
    """One node whose forward value or adjoint no correct engine could produce."""

    slot: int
    name: str
    op: str
    operands: tuple[float, ...]
    kind: Literal["forward", "gradient"]
    expected: str
    actual: float | None
    message: str


@dataclass(frozen=True)
class NodeRow:
    """One slot of the program: the engine's values next to the exact ones."""

    slot: int
    name: str
    op: str
    args: tuple[str, ...]
    data: float | None
    grad: float | None
    exact_data: str
    exact_grad: str
    local: tuple[tuple[str, str], ...]


@dataclass
class Report:
    """The verdict on one run of one program, with the evidence for it."""

    verdict: Verdict
    value: float | None
    exact_value: str
    inputs: list[InputRow]
    faults: list[Fault]
    nodes: list[NodeRow]
    notes: list[str]
    program: Program
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        self.ok = self.verdict == "pass"

    def render(self, color: bool = False) -> str:
        """The report for humans: input table, blamed op, notes, summary line; ANSI colours if ``color``."""
        from .style import Style
        from .text import render

        return render(self, Style(color=color))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "ok": self.ok,
            "verdict": self.verdict,
            "value": self.value,
            "exact_value": self.exact_value,
            "inputs": [
                {
                    "name": r.name, "slot": r.slot, "autograd": r.autograd, "exact": r.exact,
                    "fd": r.fd, "rel_error": r.rel_error, "ulps": r.ulps, "verdict": r.verdict,
                    "formula": r.formula, "note": r.note,
                }
                for r in self.inputs
            ],
            "faults": [
                {
                    "slot": f.slot, "name": f.name, "op": f.op, "operands": list(f.operands),
                    "kind": f.kind, "expected": f.expected, "actual": f.actual, "message": f.message,
                }
                for f in self.faults
            ],
            "nodes": [
                {
                    "slot": n.slot, "name": n.name, "op": n.op, "args": list(n.args), "data": n.data,
                    "grad": n.grad, "exact_data": n.exact_data, "exact_grad": n.exact_grad,
                    "local": [{"partial": partial, "exact": value} for partial, value in n.local],
                }
                for n in self.nodes
            ],
            "notes": list(self.notes),
        }
