"""The table of tensor ops: one row per op, beside the scalar table ``micrograd.ops.OPS``.

A row says the op's shape rule, how each output element lowers to scalar
terms (``elements``), how each dialect writes a call (``calls``), and how a
finding names its axis or pattern. Elementwise rows are made from the
scalar table's rows, never defined again. Adding a tensor op is adding a row.

Dialects: ``numpy`` (``sum(axis=, keepdims=)``, ``reshape``, ``transpose``,
``.T``), ``torch`` (``sum(dim=, keepdim=)``, ``permute``, ``view``),
``minitorch`` (minitorch's ``Tensor``, made by its ``tensor(list)`` factory:
``sum(dim)`` keeps the dim, a scalar is shape (1,), ``permute``, ``view``)
and ``scalar`` (minitorch's ``Scalar``: 0-d values only, elementwise ops).
A dialect's call may be None where it cannot write the op with those
params (minitorch's ``sum`` over a tuple of dims): the program is skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from micrograd.ops import OPS

from . import shapes as sh
from .elements import Apply, Copy, Element, Max, Ref, Softmax, Sum
from .shapes import Shape

Params = Mapping[str, Any]
Operand = Shape | float
"""An operand's shape, or a float for a plain number used as an operand."""
Dialect = Literal["numpy", "torch", "minitorch", "scalar"]
DIALECTS: tuple[Dialect, ...] = ("numpy", "torch", "minitorch", "scalar")


@dataclass(frozen=True)
class Call:
    """How an engine is asked for an op: ``a + b``, ``-a``, ``a.sum(axis=1)``, ``a.T``.

    ``args``/``kwargs`` are plain JSON values: the worker receives them as sent.
    """

    form: Literal["infix", "prefix", "method", "attr"]
    word: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def write(self, operands: Sequence[str]) -> str:
        if self.form == "infix":
            return f"{operands[0]} {self.word} {operands[1]}"
        if self.form == "prefix":
            return f"{self.word}{operands[0]}"
        if self.form == "attr":
            return f"{operands[0]}.{self.word}"
        shown = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{operands[0]}.{self.word}({', '.join(shown)})"

    def wire(self) -> dict[str, Any]:
        return {"form": self.form, "word": self.word, "args": list(self.args), "kwargs": dict(self.kwargs)}


@dataclass(frozen=True, eq=False)
class TensorOp:
    """One tensor op.

    shape(operands, params) -> Shape          the output's shape (``ShapeError`` if refused)
    elements(operands, params) -> [Element]   each output element, row-major, in scalar terms
    calls[dialect](params) -> Call | None     how that dialect writes it (absent or None: it cannot)
    pattern(operands, params) -> str          the axis or broadcast pattern a finding names
    """

    name: str
    arity: int
    shape: Callable[[Sequence[Operand], Params], Shape]
    elements: Callable[[Sequence[Operand], Params], list[Element]]
    calls: Mapping[str, Callable[[Params], Call | None]]
    pattern: Callable[[Sequence[Operand], Params], str]
    scalar_ok: bool = False
    """Also in the ``scalar`` dialect (elementwise ops on 0-d values)."""
    keys: tuple[str, ...] = field(default=())
    """The params the op takes."""

    def __repr__(self) -> str:
        return f"TensorOp({self.name!r})"

    def call(self, dialect: str, params: Params) -> Call | None:
        """How ``dialect`` writes this op with ``params``; None if it cannot."""
        make = self.calls.get(dialect)
        return None if make is None else make(params)


def _shape_of(x: Operand) -> Shape:
    return () if isinstance(x, float) else x


# ---- elementwise rows, from the scalar table ----

def _ew_shape(xs: Sequence[Operand], p: Params) -> Shape:
    out: Shape = ()
    for x in xs:
        out = sh.broadcast(out, _shape_of(x))
    return out


def _ew_elements(name: str) -> Callable[[Sequence[Operand], Params], list[Element]]:
    def elements(xs: Sequence[Operand], p: Params) -> list[Element]:
        out = _ew_shape(xs, p)
        result: list[Element] = []
        for idx in sh.indices(out):
            args: list[Ref | float] = []
            for k, x in enumerate(xs):
                args.append(x if isinstance(x, float) else (k, sh.source_of(idx, x)))
            result.append(Apply(name, tuple(args)))
        return result
    return elements


def _ew_pattern(xs: Sequence[Operand], p: Params) -> str:
    shown = [repr(x) if isinstance(x, float) else str(x) for x in xs]
    return " with ".join(shown) if len(xs) > 1 else shown[0]


def _ew_call(name: str) -> Callable[[Params], Call]:
    n = OPS[name].notation
    if n.startswith("{0} ") and n.endswith(" {1}"):
        call = Call("infix", n[4:-4])
    elif n.endswith("{0}") and not n.startswith("{0}"):
        call = Call("prefix", n[:-3])
    elif n.startswith("{0}.") and n.endswith("()"):
        call = Call("method", n[4:-2])
    else:
        raise ValueError(f"op {name}: notation {n!r} has no tensor form")
    return lambda p: call


def _elementwise(name: str) -> TensorOp:
    row = OPS[name]
    call = _ew_call(name)
    return TensorOp(name, row.arity, _ew_shape, _ew_elements(name),
                    {"numpy": call, "torch": call, "minitorch": call, "scalar": call}, _ew_pattern,
                    scalar_ok=True)


ELEMENTWISE = ("add", "sub", "mul", "div", "neg", "powi", "exp", "log", "tanh", "sigmoid", "relu")
"""The scalar table's rows a tensor engine is asked for, elementwise with broadcasting."""


# ---- reductions ----

def _reduce_shape(xs: Sequence[Operand], p: Params) -> Shape:
    return sh.reduced(_shape_of(xs[0]), p.get("axis"), bool(p.get("keepdims", False)))


def _groups(shape: Shape, p: Params) -> list[list[int]]:
    """For each output element of a reduction, the flat input elements it reduces."""
    picked = sh.axes(p.get("axis"), len(shape))
    kept = tuple(d for i, d in enumerate(shape) if i not in picked)
    groups: list[list[int]] = [[] for _ in range(sh.size(kept))]
    for idx in sh.indices(shape):
        out = tuple(i for a, i in enumerate(idx) if a not in picked)
        groups[sh.flat(out, kept)].append(sh.flat(idx, shape))
    return groups


def _sum_elements(mean: bool) -> Callable[[Sequence[Operand], Params], list[Element]]:
    def elements(xs: Sequence[Operand], p: Params) -> list[Element]:
        groups = _groups(_shape_of(xs[0]), p)
        return [Sum(tuple(((0, e),) for e in g), len(g) if mean else 1) for g in groups]
    return elements


def _max_elements(xs: Sequence[Operand], p: Params) -> list[Element]:
    return [Max(tuple((0, e) for e in g)) for g in _groups(_shape_of(xs[0]), p)]


def _reduce_pattern(xs: Sequence[Operand], p: Params) -> str:
    axis = p.get("axis")
    where = "all axes" if axis is None else f"axis={axis}"
    return where + (", keepdims" if p.get("keepdims") else "")


def _numpy_reduce(word: str) -> Callable[[Params], Call]:
    def call(p: Params) -> Call:
        kw: list[tuple[str, Any]] = []
        if p.get("axis") is not None:
            axis = p["axis"]
            kw.append(("axis", tuple(axis) if isinstance(axis, (list, tuple)) else axis))
        if p.get("keepdims"):
            kw.append(("keepdims", True))
        return Call("method", word, (), tuple(kw))
    return call


def _torch_reduce(word: str) -> Callable[[Params], Call]:
    def call(p: Params) -> Call:
        kw: list[tuple[str, Any]] = []
        if p.get("axis") is not None:
            axis = p["axis"]
            kw.append(("dim", tuple(axis) if isinstance(axis, (list, tuple)) else axis))
        if p.get("keepdims"):
            kw.append(("keepdim", True))
        return Call("method", word, (), tuple(kw))
    return call


def _minitorch_reduce(word: str) -> Callable[[Params], Call | None]:
    """minitorch's ``sum(dim)`` keeps the dim (keepdims), ``sum()`` gives shape (1,): its scalar."""
    def call(p: Params) -> Call | None:
        axis, keep = p.get("axis"), bool(p.get("keepdims"))
        if axis is None and not keep:
            return Call("method", word)
        if isinstance(axis, int) and keep:
            return Call("method", word, (axis,))
        return None
    return call


# ---- shape ops ----

def _reshape_shape(xs: Sequence[Operand], p: Params) -> Shape:
    return sh.reshaped(_shape_of(xs[0]), p["shape"])


def _reshape_elements(xs: Sequence[Operand], p: Params) -> list[Element]:
    return [Copy((0, e)) for e in range(sh.size(_shape_of(xs[0])))]


def _perm(xs: Sequence[Operand], p: Params) -> tuple[int, ...]:
    perm = p.get("perm")
    n = len(_shape_of(xs[0]))
    return tuple(reversed(range(n))) if perm is None else tuple(perm)


def _permute_shape(xs: Sequence[Operand], p: Params) -> Shape:
    return sh.permuted(_shape_of(xs[0]), _perm(xs, p))


def _permute_elements(xs: Sequence[Operand], p: Params) -> list[Element]:
    shape = _shape_of(xs[0])
    perm = _perm(xs, p)
    out = sh.permuted(shape, perm)
    result: list[Element] = []
    for j in sh.indices(out):
        i = [0] * len(shape)
        for k, axis in enumerate(perm):
            i[axis] = j[k]
        result.append(Copy((0, sh.flat(i, shape))))
    return result


# ---- matmul ----

def _matmul_shape(xs: Sequence[Operand], p: Params) -> Shape:
    return sh.matmul(_shape_of(xs[0]), _shape_of(xs[1]))


def _matmul_elements(xs: Sequence[Operand], p: Params) -> list[Element]:
    a, b = _shape_of(xs[0]), _shape_of(xs[1])
    a2 = a if len(a) == 2 else (1, *a)
    b2 = b if len(b) == 2 else (*b, 1)
    rows, inner, cols = a2[0], a2[1], b2[1]
    result: list[Element] = []
    for i in range(rows):
        for j in range(cols):
            result.append(Sum(tuple(((0, i * inner + k), (1, k * cols + j)) for k in range(inner))))
    return result


def _matmul_pattern(xs: Sequence[Operand], p: Params) -> str:
    return f"{_shape_of(xs[0])} @ {_shape_of(xs[1])}"


# ---- softmax rows ----

def _rowwise_shape(xs: Sequence[Operand], p: Params) -> Shape:
    shape = _shape_of(xs[0])
    if not shape:
        raise sh.ShapeError("softmax of a 0-d tensor")
    sh.axes(p.get("axis", -1), len(shape))
    return shape


def _softmax_elements(log: bool) -> Callable[[Sequence[Operand], Params], list[Element]]:
    def elements(xs: Sequence[Operand], p: Params) -> list[Element]:
        shape = _shape_of(xs[0])
        (axis,) = sh.axes(p.get("axis", -1), len(shape))
        result: list[Element | None] = [None] * sh.size(shape)
        for idx in sh.indices(shape):
            if idx[axis]:
                continue
            row = []
            for k in range(shape[axis]):
                at = list(idx)
                at[axis] = k
                row.append(sh.flat(at, shape))
            refs = tuple((0, f) for f in row)
            for k, f in enumerate(row):
                result[f] = Softmax(refs, k, log)
        return [e for e in result if e is not None]
    return elements


def _rowwise_call(word: str, key: str) -> Callable[[Params], Call]:
    return lambda p: Call("method", word, (), ((key, p.get("axis", -1)),))


def _fixed(call: Call) -> Callable[[Params], Call]:
    return lambda p: call


_ROWS: list[TensorOp] = [_elementwise(name) for name in ELEMENTWISE] + [
    TensorOp("sum", 1, _reduce_shape, _sum_elements(False),
             {"numpy": _numpy_reduce("sum"), "torch": _torch_reduce("sum"),
              "minitorch": _minitorch_reduce("sum")}, _reduce_pattern,
             keys=("axis", "keepdims")),
    TensorOp("mean", 1, _reduce_shape, _sum_elements(True),
             {"numpy": _numpy_reduce("mean"), "torch": _torch_reduce("mean"),
              "minitorch": _minitorch_reduce("mean")}, _reduce_pattern,
             keys=("axis", "keepdims")),
    TensorOp("max", 1, _reduce_shape, _max_elements,
             {"numpy": _numpy_reduce("max"), "torch": _torch_reduce("amax")}, _reduce_pattern,
             keys=("axis", "keepdims")),
    TensorOp("reshape", 1, _reshape_shape, _reshape_elements,
             {"numpy": lambda p: Call("method", "reshape", (tuple(p["shape"]),)),
              "torch": lambda p: Call("method", "view", tuple(p["shape"])),
              "minitorch": lambda p: None if -1 in p["shape"] else Call("method", "view", tuple(p["shape"]))},
             lambda xs, p: f"{_shape_of(xs[0])} -> {tuple(p['shape'])}", keys=("shape",)),
    TensorOp("transpose", 1, _permute_shape, _permute_elements,
             {"numpy": _fixed(Call("attr", "T")), "torch": _fixed(Call("attr", "T"))},
             lambda xs, p: f"{_shape_of(xs[0])} -> {_permute_shape(xs, p)}"),
    TensorOp("permute", 1, _permute_shape, _permute_elements,
             {"numpy": lambda p: Call("method", "transpose", (tuple(p["perm"]),)),
              "torch": lambda p: Call("method", "permute", tuple(p["perm"])),
              "minitorch": lambda p: Call("method", "permute", tuple(p["perm"]))},
             lambda xs, p: f"perm={tuple(p['perm'])} of {_shape_of(xs[0])}", keys=("perm",)),
    TensorOp("softmax", 1, _rowwise_shape, _softmax_elements(False),
             {"numpy": _rowwise_call("softmax", "axis"), "torch": _rowwise_call("softmax", "dim")},
             lambda xs, p: f"axis={p.get('axis', -1)} of {_shape_of(xs[0])}", keys=("axis",)),
    TensorOp("log_softmax", 1, _rowwise_shape, _softmax_elements(True),
             {"numpy": _rowwise_call("log_softmax", "axis"), "torch": _rowwise_call("log_softmax", "dim")},
             lambda xs, p: f"axis={p.get('axis', -1)} of {_shape_of(xs[0])}", keys=("axis",)),
    TensorOp("matmul", 2, _matmul_shape, _matmul_elements,
             {"numpy": _fixed(Call("infix", "@")), "torch": _fixed(Call("infix", "@")),
              "minitorch": _fixed(Call("infix", "@"))}, _matmul_pattern),
]

TENSOR_OPS: dict[str, TensorOp] = {op.name: op for op in _ROWS}
"""Every tensor op, by name."""
