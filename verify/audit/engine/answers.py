"""What each probe of ``probes.PROBES`` answers, as data: built by the probe, checked field by field here.

A probe runs in the worker and sends its answer's ``to_wire()`` form; the
parent reads it back with ``read(name, wire)`` (``EngineProcess.probe``), so
the survey, the depth phase and the trial see typed answers, never a dict. A
probe that raised answers ``{"stage": "probe", "error": ...}``, read as
``ProbeRaised``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from .protocol import EngineError, ProtocolViolation, checked_dict, checked_int, checked_number, checked_text

OpStatus = Literal["works", "crashes", "absent"]


@dataclass(frozen=True)
class ProbeRaised:
    """The probe itself raised in the worker (or answered what JSON cannot carry)."""

    error: EngineError

    @property
    def text(self) -> str:
        """``Type: message``, as the survey quotes it."""
        return f"{self.error.type}: {self.error.message}".rstrip(": ")

    def to_wire(self) -> dict[str, Any]:
        return {"stage": "probe", "error": self.error.to_wire()}


@dataclass(frozen=True)
class LeafAnswer:
    """``Cls(1.5)``: what is wrong with the leaf (nothing: an empty tuple)."""

    problems: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"problems": list(self.problems)}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> LeafAnswer:
        return cls(tuple(checked_text(p, "problem") for p in _list(d.get("problems"), "problems")))


@dataclass(frozen=True)
class OpAnswer:
    """One op in one layout at the probe point: present and working, crashing, or absent (and why)."""

    status: OpStatus
    reason: str = ""
    error: EngineError | None = None
    """For ``crashes``: the engine's exception."""

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"status": self.status, "reason": self.reason}
        if self.error is not None:
            wire["error"] = self.error.to_wire()
        return wire

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> OpAnswer:
        status = d.get("status")
        if status not in get_args(OpStatus):
            raise ProtocolViolation(f"op status is {status!r}")
        reason = checked_text(d.get("reason", ""), "reason")
        return cls(cast(OpStatus, status), reason, _error(d.get("error")))


@dataclass(frozen=True)
class BackwardAnswer:
    """``x <op> y`` then ``backward()``: whether it ran, and each leaf's .grad that is not a real number."""

    ok: bool
    signature: bool = False
    """backward() raised a TypeError outside the engine's code: it needs arguments."""
    error: EngineError | None = None
    grads: dict[str, str | None] = field(default_factory=dict)

    def to_wire(self) -> dict[str, Any]:
        if self.ok:
            return {"ok": True, "grads": dict(self.grads)}
        return {"ok": False, "signature": self.signature,
                "error": None if self.error is None else self.error.to_wire()}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> BackwardAnswer:
        grads = {checked_text(k, "leaf"): None if v is None else checked_text(v, "grad")
                 for k, v in checked_dict(d.get("grads", {}), "grads").items()}
        return cls(_bool(d.get("ok"), "ok"), _bool(d.get("signature", False), "signature"),
                   _error(d.get("error")), grads)


@dataclass(frozen=True)
class DepthAnswer:
    """A chain ``depth`` deep: whether it ran, and from which depth down its gradients are wrong."""

    ok: bool
    stage: str = ""
    """Where a RecursionError came (``forward`` or ``backward``) when not ok."""
    error: str = ""
    """The exception's type name when not ok."""
    grad: float | None = None
    """The leaf's gradient."""
    first_wrong: int | None = None
    """Counted from the output: the first node whose gradient is not exactly 1 (None: all are)."""

    def to_wire(self) -> dict[str, Any]:
        if not self.ok:
            return {"ok": False, "stage": self.stage, "error": self.error}
        return {"ok": True, "grad": self.grad, "first_wrong": self.first_wrong}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> DepthAnswer:
        if not _bool(d.get("ok"), "ok"):
            return cls(False, checked_text(d.get("stage"), "stage"), checked_text(d.get("error"), "error"))
        grad, wrong = d.get("grad"), d.get("first_wrong")
        return cls(True, grad=None if grad is None else checked_number(grad, "grad"),
                   first_wrong=None if wrong is None else checked_int(wrong, "first_wrong"))


@dataclass(frozen=True)
class TwiceAnswer:
    """x.grad after one backward() of ``x * x + x`` and after a second."""

    first: float
    second: float

    def to_wire(self) -> dict[str, Any]:
        return {"first": self.first, "second": self.second}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> TwiceAnswer:
        return cls(checked_number(d.get("first"), "first"), checked_number(d.get("second"), "second"))


@dataclass(frozen=True)
class TypesAnswer:
    """What a run answer may not carry: .grad and .data that are not real numbers, objects reused."""

    grads: tuple[tuple[int, str], ...] = ()
    """(input slot, what its .grad is)."""
    data: tuple[tuple[int, str], ...] = ()
    """(slot, what its .data is)."""
    same: tuple[tuple[int, int], ...] = ()
    """(slot, earlier slot) that are the same object: an op returned its operand."""
    error: EngineError | None = None
    """What the engine raised (then nothing else is known)."""
    slot: int | None = None
    """With ``error``: the slots made before it."""

    def to_wire(self) -> dict[str, Any]:
        if self.error is not None:
            return {"error": self.error.to_wire(), "slot": self.slot}
        return {"grads": [list(g) for g in self.grads], "data": [list(d) for d in self.data],
                "same": [list(s) for s in self.same]}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> TypesAnswer:
        if d.get("error") is not None:
            slot = d.get("slot")
            return cls(error=_error(d["error"]), slot=None if slot is None else checked_int(slot, "slot"))
        same = tuple((checked_int(i, "same"), checked_int(j, "same")) for i, j in _pairs(d.get("same", [])))
        return cls(_described(d.get("grads", []), "grads"), _described(d.get("data", []), "data"), same)


@dataclass(frozen=True)
class AugmentedAnswer:
    """Per augmented-assignment witness (``probes.AUGMENTED``): the output's .data and each input's
    .grad after ``backward()``, with ``c op= x`` as written (None: it raised or gave no number)."""

    runs: tuple[tuple[float | None, ...] | None, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {"runs": [None if r is None else list(r) for r in self.runs]}

    @classmethod
    def from_wire(cls, d: dict[str, Any]) -> AugmentedAnswer:
        runs = []
        for r in _list(d.get("runs"), "runs"):
            runs.append(None if r is None else tuple(None if x is None else checked_number(x, "augmented")
                                                     for x in _list(r, "run")))
        return cls(tuple(runs))


@dataclass(frozen=True)
class AccumulateAnswer(AugmentedAnswer):
    """Per program of ``probes.ACCUMULATE`` (two backward() calls): each input's .grad after the
    second; last, ``probes.training_loop``'s numbers (None: it raised or gave no number)."""


ProbeAnswer = (LeafAnswer | OpAnswer | BackwardAnswer | DepthAnswer | TwiceAnswer | TypesAnswer
               | AugmentedAnswer | AccumulateAnswer | ProbeRaised)

READERS: dict[str, Any] = {"leaf": LeafAnswer, "op": OpAnswer, "backward": BackwardAnswer,
                           "depth": DepthAnswer, "twice": TwiceAnswer, "types": TypesAnswer,
                           "augmented": AugmentedAnswer, "accumulate": AccumulateAnswer}
"""Each probe's answer type, by the probe's name."""


def read(name: str, wire: Any) -> ProbeAnswer:
    """The answer of probe ``name``, checked; ``ProtocolViolation`` if it has the wrong shape."""
    d = checked_dict(wire, f"{name} answer")
    if d.get("stage") == "probe":
        return ProbeRaised(EngineError.from_wire(d.get("error")))
    reader = READERS.get(name)
    if reader is None:
        raise ProtocolViolation(f"no probe is called {name!r}")
    answer: ProbeAnswer = reader.from_wire(d)
    return answer


def _error(wire: Any) -> EngineError | None:
    return None if wire is None else EngineError.from_wire(wire)


def _bool(x: Any, what: str) -> bool:
    if not isinstance(x, bool):
        raise ProtocolViolation(f"{what} is {type(x).__name__}, not a boolean")
    return x


def _list(x: Any, what: str) -> list[Any]:
    if not isinstance(x, list):
        raise ProtocolViolation(f"{what} is not a list")
    return x


def _pairs(x: Any, what: str = "pairs") -> list[tuple[Any, Any]]:
    items = _list(x, what)
    if not all(isinstance(p, list) and len(p) == 2 for p in items):
        raise ProtocolViolation(f"{what} holds something other than pairs")
    return [(p[0], p[1]) for p in items]


def _described(x: Any, what: str) -> tuple[tuple[int, str], ...]:
    return tuple((checked_int(i, what), checked_text(t, what)) for i, t in _pairs(x, what))
