"""What the audit's worker process says, as data: the contract between the sandbox and the campaign.

The worker (``worker``) runs the audited engine; the parent (``sandbox``,
then ``survey`` and ``campaign``) judges what it reports. Nothing crosses
between them but JSON: plain dicts, lists, strings, numbers, booleans and
None. The worker's answers are read with ``json.loads`` and checked field by
field here (``RunAnswer.from_wire``), so an engine that controls its process
can make the audit report a failure, never run code in the parent.

The pieces:

- ``RunAnswer``, the answer to a ``run`` request: how far the program got
  (``stage``), every slot's ``data`` and ``grad`` as floats where they are
  real numbers, an ``Unreadable`` entry for every value that is not, the
  engine's exception (``EngineError``, with the engine's own ``Frame``) and
  the time the forward and backward passes took.
- ``Ready``, what the worker says once the engine is loaded: whose class it
  is (the resolved file), how it was loaded, and remarks (notebook cells that
  failed after the class existed).
- ``Failure`` kinds (``terms.FailureKind``): what ``sandbox.EngineFailed`` means
  when the worker cannot answer: it hung, died, ran out of memory, changed
  the auditing code, or the audit's deadline passed.
- ``Captured`` and ``EngineOutput``: what the engine wrote on its stdout and
  stderr, kept apart from the audit's own output and bounded.
- ``program_to_wire`` / ``program_from_wire``: a ``Program`` as plain data.

The probe requests of ``probes.PROBES`` answer the types of ``answers``
(the survey's, the depth phase's, the trial's), checked there with the same
field checks; a probe that raises answers ``ProbeRaised``.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from ...program import Const, Program, Step
from .terms import LOADED_AS, LoadedAs, RunStage

MESSAGE_LIMIT = 300
"""Characters of an exception's message that are kept."""
REPR_LIMIT = 80
"""Characters of a repr (an unreadable value) that are kept."""
LINE_LIMIT = 200
"""Characters of a source line that are kept."""
OUTPUT_LIMIT = 64 << 10
"""Bytes of each of the engine's output streams that are kept (the first 48 KiB and the last
16 KiB); the rest is counted."""
WIRE_LIMIT = 64 << 20
"""The largest message either side accepts (bytes)."""
HEADER = 8
"""Bytes of the length (big-endian) that precedes every message on the channel, either way."""
DEPTH_LIMIT = 32
"""The deepest nesting of lists and objects a message may have (the protocol's own is at most 6)."""
HOME = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))))
"""The folder that holds verify/ (and our micrograd/)."""


class ProtocolViolation(Exception):
    """A message that does not have the shape this module defines (the worker never sends one)."""


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Frame:
    """A place in the engine's source: the innermost traceback frame in the engine's own files."""

    file: str
    """The file's path (a notebook cell reads ``path/to/nb.ipynb [cell 3]``)."""
    line: int
    function: str
    source: str
    """The source line, stripped (empty when the file cannot be read)."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line} in {self.function}"
        return f"{where}: {self.source}" if self.source else where

    def shown(self) -> str:
        return str(self)

    def to_wire(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "function": self.function, "source": self.source}

    @classmethod
    def from_wire(cls, wire: Any) -> Frame:
        d = checked_dict(wire, "frame")
        return cls(checked_text(d.get("file"), "frame.file"), checked_int(d.get("line"), "frame.line"),
                   checked_text(d.get("function"), "frame.function"),
                   checked_text(d.get("source"), "frame.source"))


@dataclass(frozen=True)
class EngineError:
    """An exception the engine raised: its type's name, its message (bounded), and where."""

    type: str
    message: str
    frame: Frame | None = None
    """The engine's own frame (None when no frame of the traceback is in the engine's files)."""

    @property
    def text(self) -> str:
        """``TypeError: unsupported operand`` (the type alone when the message is empty)."""
        return f"{self.type}: {self.message}" if self.message else self.type

    def shown(self) -> str:
        return self.text

    def to_wire(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message,
                "frame": None if self.frame is None else self.frame.to_wire()}

    @classmethod
    def from_wire(cls, wire: Any) -> EngineError:
        d = checked_dict(wire, "error")
        frame = d.get("frame")
        return cls(checked_text(d.get("type"), "error.type"), checked_text(d.get("message"), "error.message"),
                   None if frame is None else Frame.from_wire(frame))


Field = Literal["data", "grad"]


@dataclass(frozen=True)
class Unreadable:
    """A slot whose ``.data`` or ``.grad`` is not a real number: None, a str, a complex, a bool, ...

    (A float nan is a real float and is reported as one; ints, NumPy scalars and fractions are
    read as floats.)
    """

    slot: int
    field: Field
    type: str
    """The Python type's name (``NoneType``, ``str``, ``complex``)."""
    repr: str
    """A short repr of the value (at most ``REPR_LIMIT`` characters)."""
    printed: str = ""
    """What ``print`` shows for it (``str()``, bounded), to compare a snippet's output with."""

    def to_wire(self) -> dict[str, Any]:
        return {"slot": self.slot, "field": self.field, "type": self.type, "repr": self.repr,
                "printed": self.printed}

    @classmethod
    def from_wire(cls, wire: Any) -> Unreadable:
        d = checked_dict(wire, "unreadable")
        which = d.get("field")
        if which not in ("data", "grad"):
            raise ProtocolViolation(f"unreadable.field is {which!r}")
        return cls(checked_int(d.get("slot"), "unreadable.slot"), which,
                   checked_text(d.get("type"), "unreadable.type"),
                   checked_text(d.get("repr"), "unreadable.repr"),
                   checked_text(d.get("printed", ""), "unreadable.printed"))


@dataclass(frozen=True)
class RunAnswer:
    """The worker's answer to ``run``: build the program with the engine, call backward, read every slot.

    Slot i < len(program.inputs) is input i, slot len(inputs) + j is step j.
    """

    stage: RunStage
    slot: int | None = None
    """For ``stage == "forward"``: the slot being built when the engine raised (an input slot if
    < the number of inputs: making the leaf raised). None otherwise."""
    data: tuple[float | None, ...] = ()
    """Every built slot's ``.data``, read after the forward pass (before backward can touch it);
    for a forward failure, the slots built before it. None where unreadable."""
    grad: tuple[float | None, ...] = ()
    """Every slot's ``.grad`` after backward (``stage == "done"`` only). None where unreadable."""
    unreadable: tuple[Unreadable, ...] = ()
    """One entry per .data or .grad above that is not a real number."""
    error: EngineError | None = None
    """What the engine raised (``stage`` forward or backward)."""
    forward_seconds: float = 0.0
    backward_seconds: float = 0.0
    """Wall time of the two passes (backward 0 when it was not reached)."""

    @property
    def seconds(self) -> float:
        return self.forward_seconds + self.backward_seconds

    def to_wire(self) -> dict[str, Any]:
        """The JSON form (its keys ``stage``, ``slot``, ``data``, ``grad``, ``error`` as before)."""
        return {
            "stage": self.stage, "slot": self.slot, "data": list(self.data), "grad": list(self.grad),
            "unreadable": [u.to_wire() for u in self.unreadable],
            "error": None if self.error is None else self.error.to_wire(),
            "seconds": {"forward": self.forward_seconds, "backward": self.backward_seconds},
        }

    @classmethod
    def from_wire(cls, wire: Any) -> RunAnswer:
        """Read and check an answer; ``ProtocolViolation`` if any field has the wrong shape."""
        d = checked_dict(wire, "run answer")
        stage = d.get("stage")
        if stage not in get_args(RunStage):
            raise ProtocolViolation(f"stage is {stage!r}")
        slot = d.get("slot")
        if slot is not None:
            slot = checked_int(slot, "slot")
        if (stage == "forward") != (slot is not None):
            raise ProtocolViolation(f"slot {slot!r} with stage {stage!r}")
        error = d.get("error")
        if (stage == "done") != (error is None):
            raise ProtocolViolation(f"error {error!r} with stage {stage!r}")
        seconds = checked_dict(d.get("seconds", {}), "seconds")
        unreadable = d.get("unreadable", [])
        if not isinstance(unreadable, list):
            raise ProtocolViolation("unreadable is not a list")
        return cls(
            cast(RunStage, stage), slot,
            _floats(d.get("data", []), "data"), _floats(d.get("grad", []), "grad"),
            tuple(Unreadable.from_wire(u) for u in unreadable),
            None if error is None else EngineError.from_wire(error),
            _seconds(seconds.get("forward", 0.0)), _seconds(seconds.get("backward", 0.0)),
        )


@dataclass(frozen=True)
class Ready:
    """The worker loaded the engine and the class speaks the bare protocol."""

    class_name: str
    file: str
    """The resolved file the class is defined in (whose engine this is); "" if unknown."""
    module: str
    """The name of the module the class was taken from."""
    module_file: str = ""
    """That module's file (for a module spec: where the import found it)."""
    loaded_as: LoadedAs = "import"
    notes: tuple[str, ...] = ()
    """Remarks about loading: notebook cells that failed after the class was defined, ..."""

    def to_wire(self) -> dict[str, Any]:
        return {"class_name": self.class_name, "file": self.file, "module": self.module,
                "module_file": self.module_file, "loaded_as": self.loaded_as, "notes": list(self.notes)}

    @classmethod
    def from_wire(cls, wire: Any) -> Ready:
        d = checked_dict(wire, "ready")
        how = d.get("loaded_as")
        if how not in LOADED_AS:
            raise ProtocolViolation(f"loaded_as is {how!r}")
        notes = d.get("notes", [])
        if not isinstance(notes, list):
            raise ProtocolViolation("notes is not a list")
        return cls(checked_text(d.get("class_name"), "class_name"), checked_text(d.get("file"), "file"),
                   checked_text(d.get("module"), "module"),
                   checked_text(d.get("module_file", ""), "module_file"), how,
                   tuple(checked_text(n, "note") for n in notes))


@dataclass
class Captured:
    """One of the engine's output streams: its first 48 KiB and last 16 KiB, and how much it wrote."""

    head: bytearray = field(default_factory=bytearray)
    tail: bytearray = field(default_factory=bytearray)
    total: int = 0
    """Bytes written in all (a flood of hundreds of MiB is counted, not kept)."""

    HEAD = 48 << 10
    TAIL = OUTPUT_LIMIT - (48 << 10)

    def add(self, chunk: bytes) -> None:
        self.total += len(chunk)
        room = self.HEAD - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            del self.tail[: max(0, len(self.tail) - self.TAIL)]

    @property
    def kept(self) -> int:
        return len(self.head) + len(self.tail)

    def text(self) -> str:
        """What was kept, decoded (undecodable bytes replaced), a marker where bytes were dropped."""
        shown = self.head.decode("utf-8", "replace")
        if self.tail:
            dropped = self.total - self.kept
            if dropped:
                shown += f"\n[... {dropped:,} bytes not kept ...]\n"
            shown += self.tail.decode("utf-8", "replace")
        return shown

    def last_line(self) -> str:
        """The last non-empty line written (e.g. the end of a traceback), bounded."""
        source = self.tail or self.head
        lines = [line for line in source.decode("utf-8", "replace").splitlines() if line.strip()]
        return shorten(lines[-1].strip(), LINE_LIMIT) if lines else ""


@dataclass
class EngineOutput:
    """What the engine printed during the audit, on every worker it ran in: never mixed with the audit's."""

    stdout: Captured = field(default_factory=Captured)
    stderr: Captured = field(default_factory=Captured)

    @property
    def empty(self) -> bool:
        return not (self.stdout.total or self.stderr.total)

    def summary(self) -> str:
        """``the engine wrote 1,234 bytes on stdout and 300 MiB on stderr`` (or that it wrote nothing)."""
        if self.empty:
            return "the engine wrote nothing on stdout or stderr"
        streams = (("stdout", self.stdout), ("stderr", self.stderr))
        parts = [f"{_size(s.total)} on {name}" for name, s in streams if s.total]
        return "the engine wrote " + " and ".join(parts)

    def labelled(self, lines: int = 10, width: int = 160) -> list[str]:
        """A few lines of each stream, each prefixed with where it came from, for a report.

        ``engine stdout | ...``: whatever the engine printed (even "no fault found") reads as its own.
        """
        if self.empty:
            return []
        shown = [f"{self.summary()} (shown trimmed, labelled; not the audit's output):"]
        for name, stream in (("stdout", self.stdout), ("stderr", self.stderr)):
            if not stream.total:
                continue
            text = stream.text().splitlines()
            head = text[:lines]
            for line in head:
                shown.append(f"  engine {name} | {shorten(line, width)}")
            if len(text) > lines or stream.total > stream.kept:
                shown.append(f"  engine {name} | [... {_size(stream.total)} in all]")
        return shown

    def to_dict(self) -> dict[str, Any]:
        return {name: {"bytes": s.total, "kept": s.text()} for name, s in
                (("stdout", self.stdout), ("stderr", self.stderr))}


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):,.1f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):,.1f} KiB"
    return f"{n:,} bytes"


# ---- decoding, bounded ----

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting(data: bytes) -> int:
    """How deeply lists and objects nest in the JSON text ``data`` (iteratively, strings skipped)."""
    depth = deepest = 0
    for bracket in _STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def decode(data: bytes) -> Any:
    """One message's JSON, its nesting bounded first (``ProtocolViolation`` if it is not JSON or
    nests deeper than ``DEPTH_LIMIT``): a deep message never reaches the recursive parser."""
    depth = nesting(data)
    if depth > DEPTH_LIMIT:
        raise ProtocolViolation(f"a message nested {depth:,} deep (at most {DEPTH_LIMIT})")
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError or JSONDecodeError
        raise ProtocolViolation(f"not JSON: {error}") from None


# ---- programs as plain data ----

def program_to_wire(program: Program) -> dict[str, Any]:
    """``{"inputs": [[name, value], ...], "steps": [[op, [slot or {"c": value}, ...]], ...]}``."""
    return {
        "inputs": [[name, value] for name, value in program.inputs],
        "steps": [[step.op, [{"c": a.value} if isinstance(a, Const) else a for a in step.args]]
                  for step in program.steps],
    }


def program_from_wire(wire: Any) -> Program:
    """The ``Program`` of ``program_to_wire``; ``ProtocolViolation`` (or ``ValueError``) if malformed."""
    d = checked_dict(wire, "program")
    inputs, steps = d.get("inputs"), d.get("steps")
    if not isinstance(inputs, list) or not isinstance(steps, list):
        raise ProtocolViolation("a program needs lists of inputs and steps")
    made_inputs = []
    for item in inputs:
        if not (isinstance(item, list) and len(item) == 2):
            raise ProtocolViolation(f"input {item!r}")
        made_inputs.append((checked_text(item[0], "input name"), checked_number(item[1], "input value")))
    made_steps = []
    for item in steps:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], list)):
            raise ProtocolViolation(f"step {item!r}")
        args: list[int | Const] = []
        for a in item[1]:
            if isinstance(a, dict):
                args.append(Const(checked_number(a.get("c"), "constant")))
            else:
                args.append(checked_int(a, "operand"))
        made_steps.append(Step(checked_text(item[0], "op"), tuple(args)))
    return Program(tuple(made_inputs), tuple(made_steps))


# ---- checks of the wire form (also used by ``answers``) ----

def checked_dict(x: Any, what: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise ProtocolViolation(f"{what} is {type(x).__name__}, not an object")
    return x


def checked_text(x: Any, what: str) -> str:
    if not isinstance(x, str):
        raise ProtocolViolation(f"{what} is {type(x).__name__}, not a string")
    return x


def checked_int(x: Any, what: str) -> int:
    if not isinstance(x, int) or isinstance(x, bool):
        raise ProtocolViolation(f"{what} is {type(x).__name__}, not an integer")
    return x


def checked_number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ProtocolViolation(f"{what} is {type(x).__name__}, not a number")
    return float(x)


def _floats(x: Any, what: str) -> tuple[float | None, ...]:
    if not isinstance(x, list):
        raise ProtocolViolation(f"{what} is not a list")
    return tuple(None if v is None else checked_number(v, what) for v in x)


def _seconds(x: Any) -> float:
    value = checked_number(x, "seconds")
    if not (math.isfinite(value) and value >= 0):
        raise ProtocolViolation(f"seconds is {value!r}")
    return value
