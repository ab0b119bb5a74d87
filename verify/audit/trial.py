"""One run of one program in the audited engine, as plain data: the one place that reads a run's answer.

``run(engine, program)`` sends the program to the worker and turns its typed
answer (``protocol.RunAnswer``), or its hang, or its death, into an
``Outcome``: the audit's ``Stage`` (a raise while making an input is "leaf")
and a description of every number that is not real.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from ..program import Const, Program
from .engine.protocol import EngineError, Frame, RunAnswer
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
        answer = engine.run(program, timeout)
    except EngineFailed as failure:
        kind = failure.kind
        stage: Stage = "hang" if kind == "hang" else "deadline" if kind == "deadline" else "died"
        message = str(failure) if kind in ("hang", "crash") else f"{kind}: {failure}"
        return Outcome(program, stage, message=message, seconds=time.monotonic() - started,
                       died_of=kind if stage == "died" else "")
    outcome = from_answer(program, answer)
    outcome.seconds = time.monotonic() - started
    return outcome


def from_answer(program: Program, answer: RunAnswer) -> Outcome:
    """The worker's answer to a "run" request as an ``Outcome``: a raise while making an input is
    told apart ("leaf"), and every slot whose number is not real gets a description."""
    n = program.size
    data = _padded(answer.data, n)
    if answer.stage == "forward":
        slot = answer.slot
        stage: Stage = "leaf" if slot is not None and slot < len(program.inputs) else "forward"
        return Outcome(program, stage, slot, data, [None] * n, error=answer.error)
    if answer.stage == "backward":
        return Outcome(program, "backward", None, data, [None] * n, error=answer.error)
    grad = _padded(answer.grad, n)
    unreadable: dict[int, str] = {}
    unreadable_data: dict[int, str] = {}
    for entry in answer.unreadable:
        shown = "None" if entry.type == "NoneType" else f"{entry.type} {entry.repr}".strip()
        (unreadable if entry.field == "grad" else unreadable_data)[entry.slot] = shown
    for s, g in enumerate(grad):
        if g is None and s not in unreadable:
            unreadable[s] = "not a real number"
    for s, d in enumerate(data):
        if d is None and s not in unreadable_data:
            unreadable_data[s] = "not a real number"
    return Outcome(program, "done", None, data, grad, unreadable, unreadable_data)


def _padded(values: tuple[float | None, ...], n: int) -> list[float | None]:
    """Exactly ``n`` values: the answer's first ``n``, then None for slots it did not reach."""
    out = list(values[:n])
    return out + [None] * (n - len(out))


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
