"""The audit's side of the worker: programs written in a dialect, sent to a fresh process, answers read.

The worker is ``worker.py`` run as a script by the same Python, in a
temporary folder, under a wall-clock deadline; it returns JSON only, and
nothing the engine does in it reaches this process but that file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..audit.engine.sandbox import UnusableEngine
from .ops import TENSOR_OPS, Dialect
from .program import TensorProgram
from .run import Run

WORKER = Path(__file__).with_name("worker.py")


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


PROGRAM_SECONDS = 5.0
"""How long one program may run in the engine before it counts as hanging (a crash finding)."""
MEMORY = 2 << 30
"""The worker's address space, as the scalar audit's: an engine past it gets a MemoryError."""


def ask(path: str, class_name: str, programs: Sequence[TensorProgram], dialect: Dialect | None,
        *, deadline: float = 60.0, limit: float = PROGRAM_SECONDS, obj: Any = None,
        memory: int | None = MEMORY) -> Answer:
    """Load ``path``'s class ``class_name`` in a fresh worker and run ``programs`` in ``dialect``
    (None: only survey the class), each within ``limit`` seconds, all within ``deadline``, in at
    most ``memory`` bytes of address space (None: no limit).

    ``obj`` is the engine itself when it exists only in memory (a notebook cell's class): the
    worker is then forked from this process (``forked``) and ``path`` only names it."""
    with tempfile.TemporaryDirectory() as tmp:
        request = {"path": os.path.abspath(path), "class": class_name, "scalar": dialect == "scalar",
                   "limit": limit, "memory": memory,
                   "programs": [] if dialect is None else [wire(p, dialect) for p in programs]}
        answer = Path(tmp, "answer.json")
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        if obj is not None:
            from .forked import address_space, run_forked

            if memory is not None:
                request["memory"] = memory + address_space()  # the child starts with all of this process
            code = run_forked(obj, request, answer, out, err, deadline)
        else:
            code = _spawn(request, Path(tmp), answer, out, err, deadline)
        if code is None:
            raise EngineUnusable(f"{path}:{class_name}: no answer within {deadline:g} s")
        if not answer.exists():
            tail = err.read_bytes().decode(errors="replace").strip().splitlines()[-1:]
            raise EngineUnusable(f"{path}:{class_name}: the worker died (exit {code})"
                                 + (f": {tail[0]}" if tail else ""))
        printed = out.read_bytes().decode(errors="replace")
        got = json.loads(answer.read_text())
    if "load_error" in got:
        raise EngineUnusable(f"cannot load {path}:{class_name}: {got['load_error']}")
    runs = [Run.from_wire(r) for r in got["runs"]]
    if dialect == "minitorch":  # its scalars are shape (1,)
        for program, run in zip(programs, runs, strict=True):
            _as_zero_d(program, run)
    return Answer(got["survey"], runs, printed)


def _spawn(request: dict[str, Any], tmp: Path, answer: Path, out: Path, err: Path,
           deadline: float) -> int | None:
    """Run ``worker.py`` as a script on ``request``; its exit code, None if it outlived ``deadline``."""
    asked = tmp / "request.json"
    asked.write_text(json.dumps(request))
    # Files, not pipes: a child the engine forks may hold them open long after the worker ends.
    with out.open("wb") as stdout, err.open("wb") as stderr:
        worker = subprocess.Popen([sys.executable, "-I", str(WORKER), str(asked), str(answer)],
                                  cwd=tmp, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            return worker.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            return None
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(worker.pid, signal.SIGKILL)  # the worker's session: whatever it started
            worker.wait()


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
