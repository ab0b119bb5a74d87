"""The audit's side of the worker: programs written in a dialect, sent to a worker, answers read.

The worker is ``worker.py`` (run by ``sandbox`` as the scalar audit runs
its own: a session and PID namespace of its own, bounded output, a memory
limit, a deadline); it answers in JSON lines only, and nothing the engine
does in it reaches this process but those lines, checked for their place.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.engine import confine
from ..audit.engine.sandbox import UnusableEngine
from .ops import TENSOR_OPS, Dialect
from .program import TensorProgram
from .run import Run
from .sandbox import Outcome, Tampered, address_space, run_worker
from .shapes import size


class EngineUnusable(UnusableEngine):
    """The engine cannot be loaded or driven at all (the CLI's exit code 2); the scalar audit's
    ``UnusableEngine`` too, so one ``except`` serves ``verify.audit`` on either kind of engine."""


@dataclass
class Answer:
    survey: dict[str, Any] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)
    stdout: str = ""


def wire(program: TensorProgram, dialect: Dialect) -> dict[str, Any]:
    """The program as the worker reads it: each node's call written in ``dialect``."""
    nodes = []
    for node in program.nodes:
        call = node.row.call(dialect, node.kwargs)
        if call is None:
            raise ValueError(f"{node.op} with {node.kwargs} cannot be written in the {dialect} dialect")
        nodes.append({"args": [a if isinstance(a, int) else {"const": a} for a in node.args],
                      "call": call.wire()})
    inputs = [{"name": i.name, "shape": list(i.shape), "values": list(i.values)} for i in program.inputs]
    return {"inputs": inputs, "nodes": nodes}


def supported(program: TensorProgram, dialect: Dialect) -> bool:
    return all(dialect in TENSOR_OPS[n.op].calls for n in program.nodes)


STALL = 2.0
"""Seconds past a program's own limit before a worker that says nothing is killed (its alarm did not
stop the engine: a hang in C code that blocks signals)."""
PROGRAM_SECONDS = 5.0
"""How long one program may run in the engine before it counts as hanging (a crash finding)."""
MEMORY = 2 << 30
"""The worker's address space, as the scalar audit's: an engine past it gets a MemoryError."""
DEADLINE = 60.0
"""Seconds for a whole audit (its survey, battery, random programs and shrinking), by default."""


def ask(path: str, class_name: str, programs: Sequence[TensorProgram], dialect: Dialect | None,
        *, deadline: float = DEADLINE, limit: float = PROGRAM_SECONDS, obj: Any = None,
        memory: int | None = MEMORY, isolate: bool = False) -> Answer:
    """Load ``path``'s class ``class_name`` in a worker (``sandbox``) and run ``programs`` in
    ``dialect`` (None: only survey the class), each within ``limit`` seconds, all within
    ``deadline``, in at most ``memory`` bytes of address space (None: no limit); ``isolate``
    confines the worker (``audit.engine.confine``).

    ``obj`` is the engine itself when it exists only in memory (a notebook cell's class): the
    worker is then forked from this process and ``path`` only names it. A worker that dies or
    hangs in a program leaves that program a crash (what it did, in ``Run.error``) and the next
    programs go to a fresh worker. ``EngineUnusable`` if the engine cannot be loaded, or the
    worker's answers were tampered with."""
    if isolate:
        refused = confine.why_not() or ("--isolate runs the worker from a file: a class defined in memory"
                                        " cannot be confined (put it in a file and audit that)"
                                        if obj is not None else None)
        if refused:
            raise EngineUnusable(refused)
    wired = [] if dialect is None else [wire(p, dialect) for p in programs]
    request: dict[str, Any] = {"path": os.path.abspath(path), "class": class_name,
                               "scalar": dialect == "scalar", "limit": limit, "memory": memory}
    if obj is not None and memory is not None:
        request["memory"] = memory + address_space()  # a forked child starts with all of this process
    ends = time.monotonic() + deadline
    survey: dict[str, Any] | None = None
    runs: list[Run] = []
    printed = ""
    while survey is None or len(runs) < len(wired):
        left = ends - time.monotonic()
        if left <= 0:
            raise EngineUnusable(f"{path}:{class_name}: no answer within {deadline:g} s")
        request["programs"] = wired[len(runs):]
        try:
            with tempfile.TemporaryDirectory() as tmp:
                outcome = run_worker(request, Path(tmp), left, obj=obj, isolate=isolate, stall=limit + STALL)
            got, done = _read(outcome.messages, len(request["programs"]))
        except Tampered as tampered:
            raise EngineUnusable(f"{path}:{class_name}: the engine wrote into the audit's answer "
                                 f"channel ({tampered})") from None
        printed += outcome.output.stdout.text()
        if "load_error" in got:
            raise EngineUnusable(f"cannot load {path}:{class_name}: {got['load_error']}")
        if survey is None:
            if "survey" not in got:
                raise EngineUnusable(f"{path}:{class_name}: the worker died before the engine was loaded"
                                     f"{_death(outcome)}")
            survey = got["survey"]
        try:
            runs += [_checked(_run(r), programs[len(runs) + k]) for k, r in enumerate(got["runs"])]
        except Tampered as tampered:
            raise EngineUnusable(f"{path}:{class_name}: the engine wrote into the audit's answer "
                                 f"channel ({tampered})") from None
        if not done and len(runs) < len(wired):  # the program after the last answered one ended it
            runs.append(Run(error=_death(outcome)[2:-1], stage="", failed=None))
    if dialect == "minitorch":  # its scalars are shape (1,)
        for program, run in zip(programs, runs, strict=True):
            _as_zero_d(program, run)
    return Answer(survey, runs, printed)


def _read(messages: list[dict[str, Any]], asked: int) -> tuple[dict[str, Any], bool]:
    """The survey (or load error) and runs in one worker's messages, and whether it said ``done``;
    ``Tampered`` for a message out of its place."""
    got: dict[str, Any] = {"runs": []}
    done = False
    for k, message in enumerate(messages):
        (key, value), = message.items()
        if done:
            raise Tampered(f"a message after the last ({key!r})")
        if key in ("survey", "load_error"):
            if k != 0 or not isinstance(value, dict if key == "survey" else str):
                raise Tampered(f"a {key} out of its place")
            got[key] = value
        elif key == "run" and k > 0 and isinstance(value, dict) and len(got["runs"]) < asked:
            got["runs"].append(value)
        elif key == "done" and k > 0 and value == asked == len(got["runs"]):
            done = True
        else:
            raise Tampered(f"a {key!r} message out of its place")
    return got, done


def _run(wired: dict[str, Any]) -> Run:
    try:
        run = Run.from_wire(wired)
    except (TypeError, ValueError) as error:
        raise Tampered(f"a run that is not numbers ({error})") from None
    if not (run.error is None or isinstance(run.error, str)) or run.stage not in ("forward", "backward", "") \
            or not (run.failed is None or type(run.failed) is int):
        raise Tampered("a run whose error is not the worker's")
    return run


def _checked(run: Run, program: TensorProgram) -> Run:
    """``run`` if it has the shape the worker gives a run of ``program``; ``Tampered`` if not."""
    if run.error is not None:
        if run.failed is not None and not 0 <= run.failed <= len(program.shapes):
            raise Tampered("a crash in a tensor the program does not have")
        return run
    n = len(program.shapes)
    lengths = {len(run.data), len(run.data_shapes), len(run.grads), len(run.grad_shapes), len(run.dtypes)}
    if lengths != {n}:
        raise Tampered(f"a run of {sorted(lengths)} tensors for a program of {n}")
    for values, shape in (*zip(run.data, run.data_shapes, strict=True),
                          *zip(run.grads, run.grad_shapes, strict=True)):
        if (values is None) != (shape is None) or (shape is not None and values is not None
                                                   and len(values) != size(shape)):
            raise Tampered("a run whose values do not fill their shapes")
    if any(not (0 <= a < n and 0 <= b < n) for a, b in run.aliases):
        raise Tampered("a run naming tensors the program does not have")
    return run


def _death(outcome: Outcome) -> str:
    """`` (the worker's process ended: SIGKILL; its last words on stderr: ...)``."""
    code = outcome.code
    if code is None:
        said = f"no answer within {outcome.waited:g} s: the engine hangs or is far too slow"
    elif code < 0:
        try:
            said = f"the worker's process was killed by {signal.Signals(-code).name}"
        except ValueError:
            said = f"the worker's process was killed by signal {-code}"
    else:
        said = f"the worker's process exited with code {code} before it answered"
    last = outcome.output.stderr.last_line()
    return f" ({said}" + (f"; its last words on stderr: {last}" if last else "") + ")"


_DUNDER = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "**": "__pow__",
           "@": "__matmul__"}


def needs(op: str, params: dict[str, Any], dialect: str) -> set[str]:
    """The attributes an engine must have for ``op`` in ``dialect`` (an unwritten op: an impossible one)."""
    call = TENSOR_OPS[op].call(dialect, params)
    if call is None:
        return {"<not in this dialect>"}
    if call.form == "infix":
        return {_DUNDER[call.word]}
    if call.form == "prefix":
        return {"__neg__"}
    return {call.word}


def dialect_of(survey: dict[str, Any]) -> Dialect:
    """``minitorch`` for a factory function (minitorch's ``tensor(list)``); ``scalar`` for a class with
    ``.derivative`` (minitorch's Scalar); ``torch`` when ``sum`` takes
    ``dim`` or the class has ``permute``/``view``; else ``numpy``."""
    have = set(survey.get("have", []))
    if survey.get("factory"):
        return "minitorch"
    if survey.get("derivative"):
        return "scalar"
    words = set(survey.get("sum_parameters", []))
    if "dim" in words or ({"permute", "view"} & have and "axis" not in words):
        return "torch"
    return "numpy"


def _as_zero_d(program: TensorProgram, run: Run) -> None:
    """Read a (1,) value or gradient where the program has a 0-d node as that 0-d one."""
    for j, shape in enumerate(program.shapes):
        if shape != ():
            continue
        if j < len(run.data_shapes) and run.data_shapes[j] == (1,):
            run.data_shapes[j] = ()
        if j < len(run.grad_shapes) and run.grad_shapes[j] == (1,):
            run.grad_shapes[j] = ()
