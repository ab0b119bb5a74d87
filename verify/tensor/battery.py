"""The battery: small tensor programs that reach every op on every kind of shape.

Each template targets one op (or one composition) and makes a program for
given dimensions; its first dimensions are the default, the rest smaller
ones the shrinker tries. Every program ends in ``(y * w).sum()`` with a
random ``w``, so the upstream gradient of the op under test is not all
ones (all-ones hides a reduction expanded along the wrong axis).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import shapes as sh
from .ops import TENSOR_OPS
from .program import NodeSpec, TensorProgram, build
from .shapes import Shape

Dims = tuple[int, ...]
Maker = Callable[[Dims, random.Random], tuple[dict[str, tuple[Shape, list[float]]], list[NodeSpec]]]


@dataclass(frozen=True)
class Template:
    name: str
    target: str
    """The op under test (blamed for a crash in backward, where no node can be named)."""
    sizes: tuple[Dims, ...]
    """The default dimensions first, then smaller ones for shrinking."""
    make: Maker

    def program(self, dims: Dims, seed: int) -> TensorProgram:
        rng = random.Random(f"{self.name}/{dims}/{seed}")
        inputs, nodes = self.make(dims, rng)
        shape_of = _shapes(inputs, nodes)
        last = len(inputs) + len(nodes) - 1
        inputs = dict(inputs)
        inputs["w"] = (shape_of[-1], values(sh.size(shape_of[-1]), rng))
        w = len(inputs) - 1
        # w joins the inputs: shift every node operand at or above it
        nodes = [(op, [a + 1 if isinstance(a, int) and a >= w else a for a in args], p)
                 for op, args, p in nodes]
        nodes = [*nodes, ("mul", [last + 1, w], {})]
        if shape_of[-1] != ():
            nodes.append(("sum", [len(inputs) + len(nodes) - 1], {}))
        return build(inputs, nodes)


def _shapes(inputs: dict[str, tuple[Shape, list[float]]], nodes: list[NodeSpec]) -> list[Shape]:
    found = [s for s, _ in inputs.values()]
    for op, args, params in nodes:
        row = TENSOR_OPS[op]
        found.append(row.shape([a if isinstance(a, float) else found[a] for a in args], params))
    return found


def values(n: int, rng: random.Random, low: float = 0.25, high: float = 2.0,
           signed: bool = True) -> list[float]:
    """Random values away from 0 (no kinks, no poles), of either sign unless ``signed`` is False."""
    out = []
    for _ in range(n):
        v = round(rng.uniform(low, high), 2)  # short numbers: the snippets stay readable
        out.append(-v if signed and rng.random() < 0.5 else v)
    return out


def _unary(op: str, positive: bool = False) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        return {"x": (dims, values(sh.size(dims), rng, signed=not positive))}, [(op, [0], {})]
    return make


def _power(dims: Dims, rng: random.Random) -> Any:
    return {"x": (dims, values(sh.size(dims), rng))}, [("powi", [0, 2.0], {})]


def _binary(op: str, left: Callable[[Dims], Shape], right: Callable[[Dims], Shape] | None) -> Maker:
    """``x op y`` with y's shape from ``right`` (None: y is the constant 1.5)."""
    def make(dims: Dims, rng: random.Random) -> Any:
        a = left(dims)
        ins = {"x": (a, values(sh.size(a), rng))}
        if right is None:
            return ins, [(op, [0, 1.5], {})]
        b = right(dims)
        ins["y"] = (b, values(sh.size(b), rng))
        return ins, [(op, [0, 1], {})]
    return make


def _reduce(op: str, axis: Any, keepdims: bool, ties: bool = False) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        n = sh.size(dims)
        xs = [float(rng.choice((1, 2, 3))) for _ in range(n)] if ties else values(n, rng)
        params: dict[str, Any] = {"axis": axis}
        if keepdims:
            params["keepdims"] = True
        return {"x": (dims, xs)}, [(op, [0], params)]
    return make


def _matmul(left: Callable[[Dims], Shape], right: Callable[[Dims], Shape]) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        a, b = left(dims), right(dims)
        return ({"a": (a, values(sh.size(a), rng)), "b": (b, values(sh.size(b), rng))},
                [("matmul", [0, 1], {})])
    return make


def _permute(perm: tuple[int, ...]) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        return {"x": (dims, values(sh.size(dims), rng))}, [("permute", [0], {"perm": perm})]
    return make


def _reshape(new: Callable[[Dims], Shape]) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        return {"x": (dims, values(sh.size(dims), rng))}, [("reshape", [0], {"shape": new(dims)})]
    return make


def _chain(dims: Dims, rng: random.Random) -> Any:
    """x.reshape(c, a*b).T.sum(axis=0): reshape, then transpose, then a reduction."""
    a, b, c = dims
    return ({"x": (dims, values(sh.size(dims), rng))},
            [("reshape", [0], {"shape": (c, a * b)}), ("transpose", [1], {}), ("sum", [2], {"axis": 0})])


def _centred(dims: Dims, rng: random.Random) -> Any:
    """x - x.mean(axis=1, keepdims=True): a tensor used twice, a mean broadcast back."""
    return ({"x": (dims, values(sh.size(dims), rng))},
            [("mean", [0], {"axis": 1, "keepdims": True}), ("sub", [0, 1], {})])


def _twice(op: str) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        return {"x": (dims, values(sh.size(dims), rng))}, [(op, [0, 0], {})]
    return make


def _mixed(dims: Dims, rng: random.Random) -> Any:
    """x * y + x / y on numbers: two uses of each, summed."""
    return ({"x": ((), values(1, rng)), "y": ((), values(1, rng))},
            [("mul", [0, 1], {}), ("div", [0, 1], {}), ("add", [2, 3], {})])


def _rowwise(op: str, axis: int) -> Maker:
    def make(dims: Dims, rng: random.Random) -> Any:
        return {"x": (dims, values(sh.size(dims), rng))}, [(op, [0], {"axis": axis})]
    return make


def _log_ce(dims: Dims, rng: random.Random) -> Any:
    """-(log_softmax(x) * y).mean(): cross-entropy with one-hot targets, the usual loss."""
    rows, cols = dims
    y = [0.0] * (rows * cols)
    for r in range(rows):
        y[r * cols + rng.randrange(cols)] = 1.0
    return ({"x": (dims, values(rows * cols, rng)), "y": (dims, y)},
            [("log_softmax", [0], {"axis": -1}), ("mul", [2, 1], {}), ("sum", [3], {"axis": 1}),
             ("mean", [4], {}), ("neg", [5], {})])


def _softmax_ce(dims: Dims, rng: random.Random) -> Any:
    """Cross-entropy of softmax(x) against a one-hot y, from primitives: max-subtracted exp, a sum
    over the last axis, a quotient, a log."""
    rows, cols = dims
    y = [0.0] * (rows * cols)
    for r in range(rows):
        y[r * cols + rng.randrange(cols)] = 1.0
    return ({"x": (dims, values(rows * cols, rng)), "y": (dims, y)},
            [("max", [0], {"axis": 1, "keepdims": True}), ("sub", [0, 2], {}), ("exp", [3], {}),
             ("sum", [4], {"axis": -1, "keepdims": True}), ("div", [4, 5], {}), ("log", [6], {}),
             ("mul", [7, 1], {}), ("neg", [8], {})])


SHAPES: tuple[Dims, ...] = ((), (4,), (3, 4), (2, 3, 4))
SMALLER: dict[Dims, tuple[Dims, ...]] = {(): (), (4,): ((2,), (1,)), (3, 4): ((2, 3), (2, 2), (1, 2)),
                                         (2, 3, 4): ((2, 2, 3), (2, 2, 2))}


def _every_shape(name: str, target: str, make: Maker, shapes: Sequence[Dims] = SHAPES) -> list[Template]:
    return [Template(f"{name} {d}", target, (d, *SMALLER[d]), make) for d in shapes]


def _templates() -> list[Template]:
    return [Template("baseline", "mul", ((3, 4), (1, 2)), _unary("neg")),
            *_elementwise(), *_reductions(), *_layouts(), *_composites()]


def _elementwise() -> list[Template]:
    """Unary ops on every shape, then each binary op on each broadcasting pattern."""
    out: list[Template] = []
    for op in ("exp", "tanh", "sigmoid", "relu", "neg"):
        out += _every_shape(op, op, _unary(op))
    out += _every_shape("log", "log", _unary("log", positive=True))
    out += _every_shape("x ** 2", "powi", _power)
    patterns: list[tuple[str, Callable[[Dims], Shape], Callable[[Dims], Shape] | None, tuple[Dims, ...]]] = [
        ("(m,n) with (m,n)", lambda d: d, lambda d: d, ((3, 4), (2, 3), (1, 2))),
        ("(m,1) with (1,n)", lambda d: (d[0], 1), lambda d: (1, d[1]), ((3, 4), (2, 3), (2, 2))),
        ("(n,) with (m,n)", lambda d: (d[1],), lambda d: d, ((3, 4), (2, 3), (1, 2))),
        ("(m,n) with (n,)", lambda d: d, lambda d: (d[1],), ((3, 4), (2, 3), (1, 2))),
        ("() with (m,n)", lambda d: (), lambda d: d, ((3, 4), (2, 3), (1, 2))),
        ("(m,n) with a number", lambda d: d, None, ((3, 4), (2, 3), (1, 2))),
        ("(a,1,c) with (b,1)", lambda d: (d[0], 1, d[2]), lambda d: (d[1], 1),
         ((2, 3, 4), (2, 2, 3), (2, 2, 2))),
    ]
    for op in ("add", "sub", "mul", "div"):
        for label, left, right, sizes in patterns:
            out.append(Template(f"{op} {label}", op, sizes, _binary(op, left, right)))
    return out


def _reductions() -> list[Template]:
    """sum, mean and max along each axis, with and without keepdims; max with ties."""
    out: list[Template] = []
    for op in ("sum", "mean", "max"):
        for axis, keep in ((None, False), (0, False), (1, False), (-1, True), ((0, 1), False), (None, True)):
            out.append(Template(f"{op} axis={axis}{' keepdims' if keep else ''} (m,n)", op,
                                ((3, 4), (2, 3), (2, 2)), _reduce(op, axis, keep)))
        for axis, keep in ((1, False), (-2, True), ((0, 2), False), (0, True)):
            out.append(Template(f"{op} axis={axis}{' keepdims' if keep else ''} (a,b,c)", op,
                                ((2, 3, 4), (2, 2, 3), (2, 2, 2)), _reduce(op, axis, keep)))
    out.append(Template("max with ties", "max", ((3, 4), (2, 3), (1, 2)),
                        _reduce("max", 1, False, ties=True)))
    out.append(Template("max with ties, all axes", "max", ((3, 4), (2, 2), (1, 2)),
                        _reduce("max", None, False, ties=True)))
    return out


def _layouts() -> list[Template]:
    """matmul in each shape, permute, transpose and reshape."""
    out: list[Template] = []
    mm: list[tuple[str, Callable[[Dims], Shape], Callable[[Dims], Shape], tuple[Dims, ...]]] = [
        ("(m,k) @ (k,n)", lambda d: (d[0], d[1]), lambda d: (d[1], d[2]),
         ((2, 3, 4), (2, 3, 2), (1, 2, 2))),
        ("(n,n) @ (n,n)", lambda d: (d[0], d[0]), lambda d: (d[0], d[0]), ((3,), (2,))),
        ("(k,) @ (k,n)", lambda d: (d[0],), lambda d: (d[0], d[1]), ((3, 4), (2, 3), (1, 2))),
        ("(m,k) @ (k,)", lambda d: (d[0], d[1]), lambda d: (d[1],), ((2, 3), (2, 2), (1, 2))),
        ("(k,) @ (k,)", lambda d: (d[0],), lambda d: (d[0],), ((4,), (2,))),
    ]
    for label, left2, right2, sizes in mm:
        out.append(Template(f"matmul {label}", "matmul", sizes, _matmul(left2, right2)))
    for perm in ((1, 2, 0), (2, 0, 1), (0, 2, 1), (1, 0, 2)):
        out.append(Template(f"permute {perm}", "permute", ((2, 3, 4), (2, 2, 3), (2, 2, 2)), _permute(perm)))
    out.append(Template("transpose (m,n)", "transpose", ((3, 4), (2, 3), (1, 2)),
                        lambda d, rng: ({"x": (d, values(sh.size(d), rng))}, [("transpose", [0], {})])))
    out.append(Template("reshape (m,n) -> (n,m)", "reshape", ((2, 3), (2, 2)),
                        _reshape(lambda d: (d[1], d[0]))))
    out.append(Template("reshape (a,b,c) -> (c,-1)", "reshape", ((2, 3, 4), (2, 2, 3), (2, 2, 2)),
                        _reshape(lambda d: (d[2], -1))))
    out.append(Template("reshape, transpose, sum", "reshape", ((2, 3, 4), (2, 2, 3), (2, 2, 2)), _chain))
    return out


def _composites() -> list[Template]:
    """Ops composed: centring, a node used twice, softmax and cross-entropy, scalars."""
    out: list[Template] = []
    out.append(Template("x - x.mean(axis=1, keepdims=True)", "mean", ((3, 4), (2, 3), (2, 2)), _centred))
    out.append(Template("x + x", "add", ((3, 4), (2,), (1,)), _twice("add")))
    out.append(Template("x * x", "mul", ((3, 4), (2,), (1,)), _twice("mul")))
    out.append(Template("softmax cross-entropy", "div", ((3, 4), (2, 3), (2, 2)), _softmax_ce))
    for op in ("softmax", "log_softmax"):
        for axis in (-1, 0):
            out.append(Template(f"{op} axis={axis} (m,n)", op, ((3, 4), (2, 3), (2, 2), (1, 2)),
                                _rowwise(op, axis)))
        out.append(Template(f"{op} (a,b,c)", op, ((2, 3, 4), (2, 2, 3), (2, 2, 2)), _rowwise(op, 1)))
        out.append(Template(f"{op} of a row", op, ((4,), (2,)), _rowwise(op, -1)))
    out.append(Template("cross-entropy from log_softmax", "log_softmax", ((3, 4), (2, 3), (2, 2)), _log_ce))
    for op in ("add", "sub", "mul", "div"):
        out.append(Template(f"{op} () with ()", op, ((),), _binary(op, lambda d: (), lambda d: ())))
    out.append(Template("x * x ()", "mul", ((),), _twice("mul")))
    out.append(Template("x * y + x / y ()", "add", ((),), _mixed))
    return out


TEMPLATES: tuple[Template, ...] = tuple(_templates())
"""Every template of the battery, the baseline first."""


def runnable(template: Template, have: set[str], dialect: str) -> bool:
    """Whether every op the template's program uses is written in ``dialect`` and the engine has it."""
    from .runner import needs

    program = template.program(template.sizes[0], 0)
    return all(needs(n.op, n.kwargs, dialect) <= have for n in program.nodes)
