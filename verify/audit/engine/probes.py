"""Capability probes, run inside the worker: what the audited engine has and can do.

Each probe takes the engine class and a small payload and returns plain data.
An op is *present* in a layout when calling it at a point inside its domain
returns an engine object; it is *absent* when Python finds no method for it
(no ``tanh``, no ``__rpow__``), and *refused* when the engine declines on
purpose: an ``assert`` or ``raise`` line of its own, ``NotImplementedError``,
or a number operand it does not accept (``AttributeError``/``TypeError`` with a
plain number in the call). Any other exception means the op exists and
crashes: the battery then shows where, as a finding.
"""

from __future__ import annotations

import math
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from micrograd.ops import OPS

from ...program import RunFailed, call
from .answers import (
    AccumulateAnswer,
    AugmentedAnswer,
    BackwardAnswer,
    DepthAnswer,
    LeafAnswer,
    OpAnswer,
    TwiceAnswer,
    TypesAnswer,
)
from .protocol import MESSAGE_LIMIT, EngineError, Frame, program_from_wire
from .reading import held_value
from .terms import Layout

SIDES: dict[Layout, tuple[str, ...]] = {
    # layout -> its operands: "v" a leaf, "c" a plain number
    "f(x)": ("v",),
    "x o y": ("v", "v"),
    "x o c": ("v", "c"),
    "c o x": ("c", "v"),
}
"""The layouts a probe calls; x o x is x o y with one object, so it needs no probe of its own."""

_POINT = (0.7, 1.3)
"""Probe operands: inside every op's domain (positive, not integral, far from kinks)."""
_EXPONENT = {"powi": 3.0, "powc": 0.5}
_VERIFY = Path(__file__).resolve().parents[2]
"""verify/: frames inside it are the caller's, not the engine's."""


def layouts_of(op: str) -> tuple[Layout, ...]:
    """The layouts an op can be written in (x ** 2.0 is powi: pow always has a Value exponent)."""
    row = OPS[op]
    if row.arity == 1:
        return ("f(x)",)
    if row.constant:
        return ("x o c",)
    if op == "pow":
        return ("x o y", "c o x", "x o x")
    return ("x o y", "x o c", "c o x", "x o x")


def probed_layouts(op: str) -> tuple[Layout, ...]:
    """The layouts an op is probed in: x o x is x o y with one object, so it needs no probe."""
    return tuple(layout for layout in layouts_of(op) if layout != "x o x")


def _is_engine_object(x: Any) -> bool:
    return hasattr(x, "data") and callable(getattr(x, "backward", None))


def engine_frame(error: BaseException) -> Frame | None:
    """The innermost frame of the traceback that is the engine's (outside verify/), or None."""
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not Path(f.filename).resolve().is_relative_to(_VERIFY)]
    if not frames:
        return None
    last = frames[-1]
    return Frame(last.filename, last.lineno or 0, last.name, (last.line or "").strip())


def engine_error(error: BaseException) -> EngineError:
    """What a probe reports of an exception: its type, its message (bounded), the engine's frame."""
    return EngineError(type(error).__name__, str(error)[:MESSAGE_LIMIT], engine_frame(error))


def _declined(error: BaseException, frame: Frame | None, number_operand: bool) -> str | None:
    """Why this raise means "not supported" rather than "crashes"; None for a crash."""
    text = f"{type(error).__name__}: {str(error)[:120]}".rstrip(": ")
    if frame is None and isinstance(error, (AttributeError, TypeError)):
        return f"absent ({text})"  # Python found no method: no tanh, no __rpow__
    if isinstance(error, (NotImplementedError, AssertionError)):
        return f"refused ({text})"
    source = frame.source if frame is not None else ""
    if source.startswith(("raise ", "assert ")):
        return f"refused ({text})"
    if number_operand and isinstance(error, (AttributeError, TypeError)):
        return f"no number operand ({text})"
    return None


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
    return LeafAnswer(tuple(problems)).to_wire()


def probe_op(cls: type, payload: tuple[str, Layout]) -> dict[str, Any]:
    """Apply one op in one layout at a point inside its domain: present, absent, refused or crashing."""
    op, layout = payload
    row = OPS[op]
    sides = SIDES[layout]
    if row.arity == 1:
        operands: list[Any] = [cls(_POINT[0])]
        expected = row.forward(_POINT[0])
    else:
        right = _EXPONENT.get(op, _POINT[1])
        operands = [cls(_POINT[0]) if sides[0] == "v" else _POINT[0],
                    cls(right) if sides[1] == "v" else right]
        expected = row.forward(_POINT[0], right)
    try:
        out = call(row, *operands)
    except Exception as error:
        frame = engine_frame(error)
        declined = _declined(error, frame, "c" in sides)
        if declined is not None:
            return OpAnswer("absent", declined).to_wire()
        return OpAnswer("crashes", f"{type(error).__name__}: {str(error)[:120]}".rstrip(": "),
                        engine_error(error)).to_wire()
    if not _is_engine_object(out):
        return OpAnswer("absent", f"returns {type(out).__name__}, not an engine object").to_wire()
    try:
        value = float(out.data)
    except (TypeError, ValueError):
        return OpAnswer("works", f".data is {type(out.data).__name__}, not a number").to_wire()
    looks_right = math.isclose(value, expected, rel_tol=1e-6)
    return OpAnswer("works", "" if looks_right else f"value {value!r}, expected {expected!r}").to_wire()


def probe_backward(cls: type, op: str) -> dict[str, Any]:
    """x o y, then backward(): does the engine's backward() run at all, and are its gradients readable?"""
    x, y = cls(_POINT[0]), cls(_POINT[1])
    out = call(OPS[op], x, y)
    try:
        out.backward()
    except Exception as error:
        frame = engine_frame(error)
        signature = frame is None and isinstance(error, TypeError)
        return BackwardAnswer(False, signature, engine_error(error)).to_wire()
    grads = {name: _readable(getattr(v, "grad", None), v) for name, v in (("x", x), ("y", y))}
    return BackwardAnswer(True, grads=grads).to_wire()


def _grad(node: Any) -> float | None:
    """``node.grad`` as a float (``_grad_float``), or None when it is not a number."""
    try:
        return _grad_float(node)
    except (TypeError, ValueError):
        return None


def _grad_float(node: Any) -> float:
    """``node.grad`` as a float: a real number, or a Value of the engine holding one (its ``.data``)."""
    g: Any = getattr(node, "grad", None)
    held = held_value(node, g)
    return held if held is not None else float(g)


def _readable(g: Any, node: Any = None) -> str | None:
    """None if ``g`` is a real number (or a Value of the engine holding one), else what it is."""
    if held_value(node, g) is not None:
        return None
    if isinstance(g, bool) or g is None or isinstance(g, (str, bytes, complex)):
        return "None" if g is None else f"{type(g).__name__} {g!r}"[:60]
    try:
        float(g)
    except (TypeError, ValueError, OverflowError):
        return f"{type(g).__name__} {g!r}"[:60]
    return None


def probe_depth(cls: type, payload: Any) -> dict[str, Any]:
    """A chain ``depth`` deep (y = y + 1.0, or y + z with a leaf z): forward, backward, every gradient exact.

    Payload: depth, or (depth, op, layout, constant). Every node of such a chain has gradient
    exactly 1 (the leaf z: exactly ``depth``); the answer says how deep the gradients are right.
    """
    if isinstance(payload, int):
        depth, op, layout, constant = payload, "add", "x o c", 1.0
    else:
        depth, op, layout, constant = payload
    row = OPS[op]
    x = cls(0.5)
    z = cls(constant) if layout == "x o y" else None
    nodes = [x]
    y = x
    try:
        for _ in range(depth):
            y = call(row, y, z if z is not None else constant)
            nodes.append(y)
    except RecursionError as error:
        return DepthAnswer(False, "forward", type(error).__name__).to_wire()
    try:
        y.backward()
    except RecursionError as error:
        return DepthAnswer(False, "backward", type(error).__name__).to_wire()
    # From the output down: the first node whose gradient is not exactly 1.
    bad = None
    for k in range(len(nodes) - 1, -1, -1):
        if _grad(nodes[k]) != 1.0:
            bad = len(nodes) - 1 - k
            break
    xg = _grad(x)
    return DepthAnswer(True, grad=xg, first_wrong=bad).to_wire()


def probe_twice(cls: type, _: Any) -> dict[str, Any]:
    """Call backward() twice on x*x + x (x = 1.5, gradient 4) and read x.grad after each."""
    x = cls(1.5)
    y = x * x + x
    y.backward()
    first = _grad_float(x)
    y.backward()
    return TwiceAnswer(first, _grad_float(x)).to_wire()


def probe_types(cls: type, wire: Any) -> dict[str, Any]:
    """Run a program (in ``protocol.program_to_wire`` form) and describe what a "run" answer may not
    carry: each input's .grad and each slot's .data that is not a real number, the engine's frame
    for an exception, and slots that are the same object as an earlier one (an op that returned
    its operand)."""
    program = program_from_wire(wire)
    try:
        slots = program.run(cls)
    except RunFailed as failed:
        return TypesAnswer(error=engine_error(failed.error), slot=len(failed.slots)).to_wire()
    n = len(program.inputs)
    grads = [(i, _readable(getattr(s, "grad", None), s)) for i, s in enumerate(slots[:n])]
    data = [(i, _readable(getattr(s, "data", None))) for i, s in enumerate(slots)]
    same = tuple((i, j) for i, s in enumerate(slots) for j in range(i) if slots[j] is s)
    return TypesAnswer(tuple((i, g) for i, g in grads if g), tuple((i, d) for i, d in data if d),
                       same).to_wire()


def _aug_add(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    y = x * 3.7
    y += x
    return y, [x]


def _aug_sub(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    y = x * 3.7
    y -= x
    return y, [x]


def _aug_mul(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    y = x + 3.7
    y *= x
    return y, [x]


def seed_example(V: type) -> tuple[Any, list[Any]]:
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g, [a, b]


AUGMENTED: tuple[Callable[[type], tuple[Any, list[Any]]], ...] = (_aug_add, _aug_sub, _aug_mul, seed_example)
"""Programs written with augmented assignment (``verify.audit.augmented`` holds the same with
``c = c op x``, as Programs): three of three statements, and micrograd's README example."""


def probe_augmented(cls: type, _: Any) -> dict[str, Any]:
    """Run each of ``AUGMENTED`` with ``c op= x`` as written: the output's .data and the inputs' .grad."""
    runs: list[tuple[float | None, ...] | None] = []
    for build in AUGMENTED:
        try:
            out, inputs = build(cls)
            out.backward()
            runs.append((_number(out.data), *(_grad(x) for x in inputs)))
        except Exception:  # the engine's own raise: the same program's plain form is judged elsewhere
            runs.append(None)
    return AugmentedAnswer(tuple(runs)).to_wire()


def _number(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _second_backward(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    f = x * 3.7
    f.backward()
    y = x * 2.5
    return y, [x]


def _built_before(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    f = x * 3.7
    y = x * 2.5
    f.backward()
    return y, [x]


def _on_top(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    f = x * 3.7
    f.backward()
    y = f * 2.5
    return y, [x]


def _shared_inner(V: type) -> tuple[Any, list[Any]]:
    x = V(0.43)
    u = x * 3.7
    f = u * 1.5
    f.backward()
    y = u * 2.5
    return y, [x]


ACCUMULATE: tuple[Callable[[type], tuple[Any, list[Any]]], ...] = (
    _second_backward, _built_before, _on_top, _shared_inner)
"""Programs with two ``backward()`` calls, the second on ``y`` (``verify.audit.accumulate`` says
what each must give): a second output of the same leaf, built after or before the first
backward(), built on top of the first output, and sharing an inner node with it."""

LOOP_STEPS = 3
"""Iterations of ``training_loop``."""


def training_loop(V: type) -> list[float | None]:
    """A learner's loop: build, reset the parameters' grads to 0, backward(), update .data, rebuild.

    Per iteration: w.data and b.data before it, then w.grad and b.grad after its backward()."""
    w = V(0.43)
    b = V(-1.3)
    seen: list[float | None] = []
    for _ in range(LOOP_STEPS):
        seen += [_number(w.data), _number(b.data)]
        y = w * 1.7 + b
        loss = y * w
        w.grad = 0
        b.grad = 0
        loss.backward()
        seen += [_number(w.grad), _number(b.grad)]
        w.data -= 0.1 * w.grad
        b.data -= 0.1 * b.grad
    return seen


def probe_accumulate(cls: type, _: Any) -> dict[str, Any]:
    """Run each of ``ACCUMULATE`` (two backward() calls) and read its leaf's .grad after the second;
    then ``training_loop``'s numbers. None where the engine raised or gave no number."""
    runs: list[tuple[float | None, ...] | None] = []
    for build in ACCUMULATE:
        try:
            out, inputs = build(cls)
            out.backward()
            runs.append(tuple(_grad(x) for x in inputs))
        except Exception:  # the engine's own raise: its one-backward programs are judged elsewhere
            runs.append(None)
    try:
        runs.append(tuple(training_loop(cls)))
    except Exception:
        runs.append(None)
    return AccumulateAnswer(tuple(runs)).to_wire()


PROBES: dict[str, Callable[[type, Any], dict[str, Any]]] = {
    "leaf": probe_leaf,
    "op": probe_op,
    "backward": probe_backward,
    "depth": probe_depth,
    "twice": probe_twice,
    "types": probe_types,
    "augmented": probe_augmented,
    "accumulate": probe_accumulate,
}
