"""Capability probes, run inside the worker: what the audited engine can do.

Each probe takes the engine class and a small payload and returns plain data.
An op counts as present when calling it returns an object with ``.data`` and
``.backward``; whether its value and gradient are right is the campaign's job.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from micrograd.ops import OPS

from ..program import call

FORMS = {
    # form -> (left operand, right operand): "v" a leaf, "c" a plain number
    "vv": ("v", "v"),
    "vc": ("v", "c"),
    "cv": ("c", "v"),
}
"""How a binary op can be written: x + y, x + 2.0, 2.0 + x."""

_POINT = (0.7, 1.3)
"""Probe operands: inside every op's domain (positive, not integral, far from kinks)."""
_EXPONENT = {"powi": 3.0, "powc": 0.5}


def forms_of(op: str) -> tuple[str, ...]:
    """The forms an op is probed (and drawn) in."""
    row = OPS[op]
    if row.arity == 1:
        return ("v",)
    if row.constant:
        return ("vc",)
    if op == "pow":
        # x ** 2.0 is powi for any engine that follows the table: pow means a Value exponent.
        return ("vv", "cv")
    return tuple(FORMS)


def _is_engine_object(x: Any) -> bool:
    return hasattr(x, "data") and callable(getattr(x, "backward", None))


def probe_leaf(cls: type, _: Any) -> dict[str, Any]:
    """Cls(1.5) must have .data 1.5 and .grad 0."""
    x = cls(1.5)
    data, grad = getattr(x, "data", None), getattr(x, "grad", None)
    problems = []
    if not _is_engine_object(x):
        problems.append(f"{cls.__name__}(1.5) has no .data or no .backward()")
    elif data != 1.5:
        problems.append(f"{cls.__name__}(1.5).data is {data!r}, not 1.5")
    if grad != 0:
        problems.append(f"{cls.__name__}(1.5).grad is {grad!r}, not 0")
    return {"problems": problems}


def probe_op(cls: type, payload: tuple[str, str]) -> dict[str, Any]:
    """Apply one op in one form at a point inside its domain."""
    op, form = payload
    row = OPS[op]
    if row.arity == 1:
        operands: list[Any] = [cls(_POINT[0])]
        expected = row.forward(_POINT[0])
    else:
        right = _EXPONENT.get(op, _POINT[1])
        operands = [cls(_POINT[0]) if form[0] == "v" else _POINT[0],
                    cls(right) if form[1] == "v" else right]
        expected = row.forward(_POINT[0], right)
    try:
        out = call(row, *operands)
    except Exception as error:
        return {"ok": False, "reason": f"{type(error).__name__}: {str(error)[:120]}".rstrip(": ")}
    if not _is_engine_object(out):
        return {"ok": False, "reason": f"returns {type(out).__name__}, not an engine object"}
    try:
        value = float(out.data)
    except (TypeError, ValueError):
        return {"ok": False, "reason": f".data is {type(out.data).__name__}, not a number"}
    looks_right = math.isclose(value, expected, rel_tol=1e-6)
    return {"ok": True, "reason": "" if looks_right else f"value {value!r}, expected {expected!r}"}


def probe_depth(cls: type, depth: int) -> dict[str, Any]:
    """A chain x + 1 + 1 + ... ``depth`` deep: does forward and backward work?"""
    x = cls(0.5)
    y = x
    try:
        for _ in range(depth):
            y = y + 1.0
    except RecursionError as error:
        return {"ok": False, "stage": "forward", "error": type(error).__name__}
    try:
        y.backward()
    except RecursionError as error:
        return {"ok": False, "stage": "backward", "error": type(error).__name__}
    return {"ok": True, "grad": float(x.grad)}


def probe_twice(cls: type, _: Any) -> dict[str, Any]:
    """Call backward() twice on x*x + x (x = 1.5, gradient 4) and read x.grad after each."""
    x = cls(1.5)
    y = x * x + x
    y.backward()
    first = float(x.grad)
    y.backward()
    return {"first": first, "second": float(x.grad)}


PROBES: dict[str, Callable[[type, Any], dict[str, Any]]] = {
    "leaf": probe_leaf,
    "op": probe_op,
    "depth": probe_depth,
    "twice": probe_twice,
}
