"""The engine's side: a standalone script that loads a tensor engine and runs tensor programs in it.

Run as ``python worker.py REQUEST FD`` (``sandbox`` starts it): it reads the
request (JSON) and writes its answer as JSON lines to the descriptor FD, so
whatever the engine prints goes to stdout and cannot corrupt it. It imports nothing of ``verify`` or
``micrograd`` (nothing that judges runs beside the engine) and numpy only
here, where the engine needs it. The programs arrive already written in the
engine's dialect: for each node, the operands and the call (``a + b``,
``a.sum(axis=1)``, ``a.T``). Every exception the engine raises is caught and
returned as data.
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import json
import operator
import os
import signal
import sys
import traceback
from collections.abc import Callable
from typing import Any

INFIX = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
         "**": operator.pow, "@": operator.matmul}
PREFIX = {"-": operator.neg}
DUNDER = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__", "**": "__pow__",
          "@": "__matmul__"}
LIMIT = [5.0]
"""Seconds one program may take (set from the request)."""
PROBED = ("sum", "mean", "max", "amax", "reshape", "view", "transpose", "permute", "T", "exp", "log",
          "tanh", "sigmoid", "relu", "item", "backward", "softmax", "log_softmax", "__neg__",
          *DUNDER.values())


class OutOfTime(BaseException):
    """A program ran past its time limit (a BaseException: an engine's ``except Exception`` lets it by)."""


def _alarm(signum: int, frame: Any) -> None:
    raise OutOfTime()


def load(path: str, name: str) -> Any:
    """The object ``name`` of the file at ``path``; a file inside a package (folders with
    ``__init__.py``) is imported as that package's module, so its relative imports work."""
    path = os.path.abspath(path)
    folder = os.path.dirname(path)
    parts = [os.path.splitext(os.path.basename(path))[0]]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    sys.path.insert(0, folder)
    if len(parts) > 1:
        return getattr(importlib.import_module(".".join(parts)), name)
    spec = importlib.util.spec_from_file_location(parts[0], path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[parts[0]] = module
    spec.loader.exec_module(module)
    return getattr(module, name)


def survey(cls: Any) -> dict[str, Any]:
    """Which attributes the class has, and how its ``sum`` names an axis (``axis`` or ``dim``).

    A function (minitorch's ``tensor(list)``) is a factory: the class surveyed is what it makes.
    """
    if inspect.isfunction(cls):
        made = type(cls([[1.0, 2.0], [3.0, 4.0]]))
        return {**survey(made), "factory": True}
    have = [a for a in PROBED if hasattr(cls, a)]
    words: list[str] = []
    total = getattr(cls, "sum", None)
    if total is not None:
        try:
            words = list(inspect.signature(total).parameters)
        except (TypeError, ValueError):
            words = []
    scalar = hasattr(cls, "derivative") or _has_derivative(cls)
    return {"have": have, "sum_parameters": words, "derivative": scalar}


def _has_derivative(cls: Any) -> bool:
    try:
        return "derivative" in vars(cls(1.0))
    except Exception:
        return False


def _tuples(x: Any) -> Any:
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


def _call(call: dict[str, Any], operands: list[Any]) -> Any:
    form, word = call["form"], call["word"]
    if form == "infix":
        return INFIX[word](operands[0], operands[1])
    if form == "prefix":
        return PREFIX[word](operands[0])
    if form == "attr":
        return getattr(operands[0], word)
    args = [_tuples(a) for a in call["args"]]
    kwargs = {k: _tuples(v) for k, v in call["kwargs"].items()}
    return getattr(operands[0], word)(*args, **kwargs)


def _read(x: Any, np: Any) -> Any:
    """An ndarray from what an engine stores: an array, a number, or a tensor of its own."""
    if x is None:
        return None
    if not isinstance(x, (np.ndarray, int, float)):
        if hasattr(x, "data"):
            x = x.data
        elif hasattr(x, "to_numpy"):  # minitorch's Tensor
            x = x.to_numpy()
    return np.asarray(x)


def _values_of(t: Any) -> Any:
    return getattr(t, "data", None) if hasattr(t, "data") else t


def run(cls: Any, program: dict[str, Any], scalar: bool, np: Any) -> dict[str, Any]:
    tensors: list[Any] = []
    answer: dict[str, Any] = {"error": None, "stage": "", "failed": None}
    try:
        for inp in program["inputs"]:
            if scalar:
                tensors.append(cls(float(inp["values"][0])))
            elif inspect.isfunction(cls):  # a factory from nested lists: a 0-d value is shape (1,)
                shape = inp["shape"] or [1]
                tensors.append(cls(np.array(inp["values"], dtype=np.float64).reshape(shape).tolist()))
            else:
                tensors.append(cls(np.array(inp["values"], dtype=np.float64).reshape(inp["shape"])))
        for node in program["nodes"]:
            operands = [tensors[a] if isinstance(a, int) else _constant(a, node) for a in node["args"]]
            tensors.append(_call(node["call"], operands))
    except (Exception, OutOfTime) as error:
        answer.update(error=_describe(error), stage="forward", failed=len(tensors))
        return answer
    # the values as the forward made them, read before backward() can touch them
    values: list[Any]
    if scalar:
        values = [_scalar_value(t) for t in tensors]
    else:
        values = [None if v is None else v.copy() for v in (_read(_values_of(t), np) for t in tensors)]
    try:
        tensors[-1].backward()
    except (Exception, OutOfTime) as error:
        answer.update(error=_describe(error), stage="backward")
        return answer
    if scalar:
        return {**answer, **_scalars(tensors, values)}
    data: list[list[float] | None] = []
    grads: list[list[float] | None] = []
    data_shapes: list[list[int] | None] = []
    grad_shapes: list[list[int] | None] = []
    dtypes: list[str] = []
    raw: list[Any] = []
    for t, d in zip(tensors, values, strict=True):
        g_raw = getattr(t, "grad", None)
        g = _read(g_raw, np)
        owned = isinstance(g_raw, np.ndarray) or (g_raw is not None and hasattr(g_raw, "data"))
        raw.append(g if owned else None)
        dtypes.append(str(d.dtype) if d is not None else "")
        data.append(None if d is None else [float(v) for v in d.astype(np.float64).ravel()])
        data_shapes.append(None if d is None else list(d.shape))
        if g is None or g.dtype == object:
            grads.append(None)
            grad_shapes.append(None)
        else:
            grads.append([float(v) for v in g.astype(np.float64).ravel()])
            grad_shapes.append(list(g.shape))
    aliases = []
    for i in range(len(raw)):
        for j in range(i + 1, len(raw)):
            a, b = raw[i], raw[j]
            if a is not None and b is not None and a.size and np.shares_memory(a, b):
                aliases.append([i, j])
    answer.update(data=data, data_shapes=data_shapes, grads=grads, grad_shapes=grad_shapes, dtypes=dtypes,
                  aliases=aliases)
    return answer


def _scalar_value(t: Any) -> float | None:
    d = getattr(t, "data", None)
    return None if d is None else float(d)


def _scalars(nodes: list[Any], values: list[Any]) -> dict[str, Any]:
    """minitorch's Scalars: ``.data`` a number, ``.derivative`` a number on leaves (None elsewhere)."""
    data: list[list[float] | None] = []
    grads: list[list[float] | None] = []
    for t, d in zip(nodes, values, strict=True):
        g = getattr(t, "derivative", None)
        data.append(None if d is None else [float(d)])
        grads.append(None if g is None else [float(g)])
    return {"data": data, "data_shapes": [[] if d is not None else None for d in data], "grads": grads,
            "grad_shapes": [[] if g is not None else None for g in grads], "dtypes": ["float64"] * len(data),
            "aliases": []}


def _constant(a: dict[str, Any], node: dict[str, Any]) -> Any:
    v = float(a["const"])
    if node["call"]["word"] == "**" and v.is_integer():
        return int(v)  # an exponent: engines often accept only ints
    return v


def _describe(error: BaseException) -> str:
    if isinstance(error, OutOfTime):
        return f"no answer within {LIMIT[0]:g} s (the engine hangs or is far too slow)"
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def _limit_memory(size: int) -> None:
    """At most ``size`` bytes of address space, so an engine that allocates without end gets a
    MemoryError (reported as its crash) instead of taking the machine."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size if hard == resource.RLIM_INFINITY else min(size, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass  # no such limit on this system: the deadline still holds


def serve(request: dict[str, Any], emit: Callable[[dict[str, Any]], None], cls: Any = None) -> None:
    """Answer ``request`` message by message through ``emit``: the survey (or why the engine cannot
    be loaded), then each program's run as it ends, then ``done``. ``cls`` is the engine when it is
    already in memory (a worker forked from the audit's process); else it is loaded from the
    request's file. A worker that dies leaves the runs before it: the audit knows which program."""
    if request.get("memory"):
        _limit_memory(int(request["memory"]))
    try:
        if cls is None:
            cls = load(request["path"], request["class"])
        surveyed = survey(cls)
    except Exception as error:
        emit({"load_error": _describe(error)})
        return
    emit({"survey": surveyed})
    scalar = bool(request.get("scalar"))
    programs = request.get("programs", [])
    np: Any = None
    if programs and not scalar:
        np = importlib.import_module("numpy")  # only here, and only for engines that hold arrays
    LIMIT[0] = float(request.get("limit", 5.0))
    signal.signal(signal.SIGALRM, _alarm)
    for p in programs:
        signal.setitimer(signal.ITIMER_REAL, LIMIT[0])
        try:
            answer = run(cls, p, scalar, np)
        except OutOfTime:  # while reading the numbers back
            answer = {"error": _describe(OutOfTime()), "stage": "backward", "failed": None}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        emit({"run": answer})
    emit({"done": len(programs)})


def channel(fd: int) -> Callable[[dict[str, Any]], None]:
    """Messages to the audit on ``fd``, one JSON line each; closed in any child the engine forks."""
    os.register_at_fork(after_in_child=lambda: _close(fd))

    def emit(message: dict[str, Any]) -> None:
        data = memoryview((json.dumps(message, allow_nan=True) + "\n").encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
    return emit


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def main(argv: list[str]) -> int:
    """``worker.py REQUEST FD``: the request's file, and the descriptor the answer goes to."""
    with open(argv[1]) as f:
        request = json.load(f)
    serve(request, channel(int(argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
