"""One run of one program in the audited engine, as plain data: the one place that reads the worker's answers.

``run(engine, program)`` sends the program to the worker and turns its answer
(or its hang, or its death) into an ``Outcome``. Everything above this module
reads outcomes, never raw answers, so a richer worker protocol changes this
file only.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from ..program import Const, Program
from .engine.protocol import EngineError, Frame
from .engine.sandbox import EngineFailed, EngineProcess
from .engine.terms import Stage

__all__ = ["EngineError", "Frame", "Outcome", "Stage", "engine_values", "floats", "from_answer", "run"]


@dataclass
class Outcome:
    """What happened when the engine ran ``program``."""

    program: Program
    stage: Stage
    """"done" (forward and backward ran), or where it stopped: making an input ("leaf"),
    a step ("forward"), ``backward()``, a hang, the worker's death ("died": it crashed, ran out
    of memory or changed the auditing code; ``message`` says which), or the audit's deadline."""
    slot: int | None = None
    """The slot being made when the forward pass raised."""
    data: list[float | None] = field(default_factory=list)
    """Every slot's .data as the engine had it after the forward pass (None: none or unreadable)."""
    grad: list[float | None] = field(default_factory=list)
    """Every slot's .grad after backward() (None: none or unreadable)."""
    unreadable: dict[int, str] = field(default_factory=dict)
    """Slots whose .grad is not a real number, and what it is ("None", "str '0.5000'", "complex")."""
    unreadable_data: dict[int, str] = field(default_factory=dict)
    """Slots whose .data is not a real number, and what it is."""
    error: EngineError | None = None
    message: str = ""
    """For a hang or a death: what the sandbox said."""
    seconds: float = 0.0
    died_of: str = ""
    """Why the worker died, as the sandbox says: "crash", "memory" or "tampered"."""

    @property
    def raised(self) -> bool:
        return self.stage in ("leaf", "forward", "backward")


def run(engine: EngineProcess, program: Program, timeout: float | None = None) -> Outcome:
    """Run ``program`` in the engine's worker; never raises for anything the engine does."""
    started = time.monotonic()
    try:
        answer = engine.request("run", program, timeout)
    except EngineFailed as failure:
        kind = failure.kind
        stage: Stage = "hang" if kind == "hang" else "deadline" if kind == "deadline" else "died"
        message = str(failure) if kind in ("hang", "crash") else f"{kind}: {failure}"
        return Outcome(program, stage, message=message, seconds=time.monotonic() - started,
                       died_of=kind if stage == "died" else "")
    outcome = from_answer(program, answer)
    outcome.seconds = time.monotonic() - started
    return outcome


def from_answer(program: Program, answer: dict[str, Any]) -> Outcome:
    """The worker's answer to a "run" request as an ``Outcome``.

    Today's worker sends ``stage``, ``slot`` (forward), ``data`` (after the
    forward pass, when it got there), ``grad`` and ``error`` (type and message);
    values it cannot read as floats come as None. Fields a richer worker may
    add are read when present: ``frame`` in the error, ``unreadable`` and
    ``unreadable_data`` (slot -> description).
    """
    stage = answer.get("stage")
    error = _error(answer.get("error"))
    n = program.size
    if stage == "forward":
        slot = answer.get("slot")
        data = _padded(answer.get("data"), n)
        if isinstance(slot, int) and slot < len(program.inputs):
            return Outcome(program, "leaf", slot, data, [None] * n, error=error)
        return Outcome(program, "forward", slot if isinstance(slot, int) else None, data, [None] * n,
                       error=error)
    if stage == "backward":
        return Outcome(program, "backward", None, _padded(answer.get("data"), n), [None] * n, error=error)
    if stage != "done":  # a probe-level failure: the worker could not even run the request
        return Outcome(program, "died", message=f"the worker answered {stage!r}: "
                       f"{error.shown() if error else answer}")
    data = _padded(answer.get("data"), n)
    grad = _padded(answer.get("grad"), n)
    unreadable: dict[int, str] = {}
    unreadable_data: dict[int, str] = {}
    for entry in answer.get("unreadable") or []:  # the protocol's Unreadable entries, in wire form
        if isinstance(entry, dict) and isinstance(entry.get("slot"), int):
            shown = f"{entry.get('type', '?')} {entry.get('repr', '')}".strip()
            if entry.get("type") == "NoneType":
                shown = "None"
            (unreadable if entry.get("field") == "grad" else unreadable_data)[entry["slot"]] = shown
    for s, g in enumerate(grad):
        if g is None and s not in unreadable:
            unreadable[s] = "not a real number"
    for s, d in enumerate(data):
        if d is None and s not in unreadable_data:
            unreadable_data[s] = "not a real number"
    return Outcome(program, "done", None, data, grad, unreadable, unreadable_data)


def _padded(values: Any, n: int) -> list[float | None]:
    out: list[float | None] = []
    for v in list(values or [])[:n]:
        out.append(float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
    return out + [None] * (n - len(out))


def _error(raw: Any) -> EngineError | None:
    if not isinstance(raw, dict):
        return None
    frame = raw.get("frame")
    where = None
    if isinstance(frame, dict):
        where = Frame(str(frame.get("file", "")), int(frame.get("line", 0) or 0),
                      str(frame.get("function", "")), str(frame.get("source", "")))
    return EngineError(str(raw.get("type", "")), str(raw.get("message", "")), where)


def floats(program: Program) -> list[float]:
    """Every slot's value as a correct float64 engine computes it (the table's forward); nan if undefined."""
    values = [v for _, v in program.inputs]
    from micrograd.ops import OPS

    for step in program.steps:
        xs = [a.value if isinstance(a, Const) else values[a] for a in step.args]
        try:
            values.append(float(OPS[step.op].forward(*xs)))
        except (ArithmeticError, ValueError):
            values.append(math.nan)
    return values


def engine_values(outcome: Outcome) -> list[float]:
    """The engine's own value of every slot where it gave one, else the op table's."""
    fallback = floats(outcome.program)
    return [d if d is not None and math.isfinite(d) else fallback[s]
            for s, d in enumerate(outcome.data or [None] * len(fallback))]
