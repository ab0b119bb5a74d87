"""What the verifier found: a verdict, one row per input, the blamed op, every node.

The data lives here, with its JSON form (``Report.to_dict``); ``text`` renders
it for ``Report.render()``, ``expr`` for ``python -m verify expr``, both in the
one palette of ``style``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..program import Const, Program

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
    note: str = ""
    formulas: Callable[[], dict[int, str]] = field(default=dict, repr=False, compare=False)
    """Builds the readable formulas on first use: SymPy is never on the verdict's path."""

    @property
    def formula(self) -> str | None:
        """The exact derivative as a formula, when the expression is small enough to print."""
        return self.formulas().get(self.slot)


FaultKind = Literal[
    "forward", "wrong-rule", "lost-contribution", "traversal", "seed", "dead", "non-finite", "gradient"
]
"""What went wrong: a value (forward), a local rule, the summation of a reused node's
contributions (lost-contribution), the order of backward (traversal), the output's own
gradient (seed), a gradient on a node the output does not use (dead), nan or inf
(non-finite), or a gradient off with no step to blame (gradient)."""


@dataclass(frozen=True)
class Fault:
    """One number no correct engine could produce, and the step to blame for it.

    ``slot``/``name`` is the node whose value or gradient is wrong; ``op`` and
    ``culprit`` the step blamed (for a gradient, the consumer that passed the
    wrong contribution; "" and None when no step can be blamed), ``index``
    which of its operands, ``operands`` its operand values as the engine had them.
    """

    kind: FaultKind
    slot: int
    name: str
    op: str
    culprit: int | None
    operands: tuple[float, ...]
    expected: str
    actual: float | None
    message: str
    index: int | None = None


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
    notes: list[str]
    program: Program
    ok: bool = field(init=False)
    node_rows: Callable[[], list[NodeRow]] = field(default=lambda: [], repr=False, compare=False)
    """Builds ``nodes`` on first use: a big graph's rows cost more than its verdict."""
    _nodes: list[NodeRow] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.ok = self.verdict == "pass"

    @property
    def nodes(self) -> list[NodeRow]:
        """Every slot: the engine's data and grad beside the exact ones, and each exact local partial."""
        if self._nodes is None:
            self._nodes = self.node_rows()
        return self._nodes

    def render(self, color: bool = False) -> str:
        """The report for humans: input table, blamed op, notes, summary line; ANSI colours if ``color``."""
        from .style import Style
        from .text import render

        return render(self, Style(color=color))

    def _repr_html_(self) -> str:
        """How a notebook shows the report: tables, the blamed node marked."""
        from .html import render_html

        return render_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows the report in a terminal: the text."""
        printer.text(self.render())

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data, in the schema ``report.schema.json`` (``#/$defs/report``).

        A float that is not finite is written as the string "nan", "inf" or "-inf", so the document is
        strict JSON (``json.dumps(..., allow_nan=False)`` takes it).
        """
        return {
            "ok": self.ok,
            "verdict": self.verdict,
            "value": number(self.value),
            "exact_value": self.exact_value,
            "inputs": [
                {
                    "name": r.name, "slot": r.slot, "autograd": number(r.autograd), "exact": r.exact,
                    "fd": r.fd, "rel_error": number(r.rel_error), "ulps": number(r.ulps),
                    "verdict": r.verdict, "formula": r.formula, "note": r.note,
                }
                for r in self.inputs
            ],
            "faults": [
                {
                    "kind": f.kind, "slot": f.slot, "name": f.name, "op": f.op, "culprit": f.culprit,
                    "index": f.index, "operands": [number(x) for x in f.operands], "expected": f.expected,
                    "actual": number(f.actual), "message": f.message,
                }
                for f in self.faults
            ],
            "nodes": [
                {
                    "slot": n.slot, "name": n.name, "op": n.op, "args": list(n.args), "data": number(n.data),
                    "grad": number(n.grad), "exact_data": n.exact_data, "exact_grad": n.exact_grad,
                    "local": [{"index": i, "partial": partial, "exact": value}
                              for i, (partial, value) in zip(self.operands(n), n.local, strict=False)],
                }
                for n in self.nodes
            ],
            "notes": list(self.notes),
        }

    def operands(self, node: NodeRow) -> list[int]:
        """Which operand of its step each of ``node.local`` is the partial for (constants have none)."""
        n = len(self.program.inputs)
        if node.slot < n:
            return []
        step = self.program.steps[node.slot - n]
        return [i for i, a in enumerate(step.args) if not isinstance(a, Const)]


def number(x: float | None) -> float | str | None:
    """A float for JSON: as it is when finite, else "nan", "inf" or "-inf"."""
    if x is None or math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def schema() -> dict[str, Any]:
    """The JSON Schema of every report document (``report.schema.json``, shipped with the package)."""
    import json
    from importlib.resources import files

    loaded: dict[str, Any] = json.loads(files(__package__).joinpath("report.schema.json").read_text("utf-8"))
    return loaded
