"""Tensor programs, and their lowering to the scalar ``Program`` the exact oracle already trusts.

A tensor program has named inputs (a shape and row-major values each) and
nodes, each a row of the tensor table applied to earlier nodes or to plain
numbers; the last node is the scalar output. Lowering makes every element a
slot: broadcasting, reshape and permute reuse slots, ``Apply`` is one scalar
step, and a ``Sum`` becomes products chained by binary adds (then one
division for a mean). The chaining order is the lowering's own: the exact
values do not depend on it, and no allowance reads it (``allowance``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from micrograd.ops import OPS

from ..program import Arg, Const, Program, Step
from . import shapes as sh
from .elements import Apply, Copy, Element, Max, Ref, Softmax, Sum
from .ops import TENSOR_OPS, Operand, TensorOp
from .shapes import Shape


@dataclass(frozen=True)
class Input:
    name: str
    shape: Shape
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.values) != sh.size(self.shape):
            raise ValueError(f"input {self.name}: {len(self.values)} values for shape {self.shape}")


@dataclass(frozen=True)
class Node:
    """A tensor op on earlier nodes (ints: input i is node i) or plain numbers (floats)."""

    op: str
    args: tuple[int | float, ...]
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def row(self) -> TensorOp:
        return TENSOR_OPS[self.op]

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


@dataclass(frozen=True)
class TensorProgram:
    inputs: tuple[Input, ...]
    nodes: tuple[Node, ...]
    shapes: tuple[Shape, ...] = field(init=False)
    """Every node's shape, inputs first."""

    def __post_init__(self) -> None:
        names = [i.name for i in self.inputs]
        if len(set(names)) != len(names) or not all(n.isidentifier() for n in names):
            raise ValueError(f"input names must be distinct identifiers: {names}")
        found: list[Shape] = [i.shape for i in self.inputs]
        for j, node in enumerate(self.nodes):
            if node.op not in TENSOR_OPS:
                raise ValueError(f"node {j}: unknown tensor op {node.op!r}")
            row = node.row
            if len(node.args) != row.arity:
                raise ValueError(f"node {j}: {node.op} takes {row.arity} operands")
            unknown = set(node.kwargs) - set(row.keys)
            if unknown:
                raise ValueError(f"node {j}: {node.op} takes no {sorted(unknown)}")
            if all(isinstance(a, float) for a in node.args):
                raise ValueError(f"node {j}: {node.op} has only constant operands")
            for a in node.args:
                if isinstance(a, int) and not 0 <= a < len(found):
                    raise ValueError(f"node {j}: operand {a} is not an earlier node")
            found.append(row.shape(self.operands(node, found), node.kwargs))
        if not self.nodes or sh.size(found[-1]) != 1 or found[-1] != ():
            raise ValueError("a tensor program ends in a 0-d (scalar) node")
        object.__setattr__(self, "shapes", tuple(found))

    @staticmethod
    def operands(node: Node, shapes: Sequence[Shape]) -> list[Operand]:
        return [a if isinstance(a, float) else shapes[a] for a in node.args]

    def names(self) -> list[str]:
        """A name per node: the inputs' own, then t1, t2, ..."""
        taken = {i.name for i in self.inputs}
        out = [i.name for i in self.inputs]
        k = 0
        for _ in self.nodes:
            k += 1
            while f"t{k}" in taken:
                k += 1
            out.append(f"t{k}")
        return out

    def elements(self, j: int) -> list[Element]:
        """Node j's (counting inputs) output elements in scalar terms."""
        node = self.nodes[j - len(self.inputs)]
        return node.row.elements(self.operands(node, self.shapes), node.kwargs)

    def op_count(self) -> int:
        return len(self.nodes)

    def to_wire(self) -> dict[str, Any]:
        return {"inputs": [{"name": i.name, "shape": list(i.shape), "values": list(i.values)}
                           for i in self.inputs],
                "nodes": [{"op": n.op, "args": list(n.args), "params": dict(n.params)} for n in self.nodes]}


NodeSpec = tuple[str, Sequence[int | float], Mapping[str, Any]]


def build(inputs: Mapping[str, tuple[Shape, Sequence[float]]], nodes: Sequence[NodeSpec]) -> TensorProgram:
    """A program from plain data: ``{"a": ((2, 3), [...])}`` and ``[("sum", [0], {"axis": 1}), ...]``."""
    ins = tuple(Input(name, tuple(shape), tuple(float(v) for v in values))
                for name, (shape, values) in inputs.items())
    ns = tuple(Node(op, tuple(args), tuple(sorted(params.items()))) for op, args, params in nodes)
    return TensorProgram(ins, ns)


def operand_refs(program: TensorProgram, j: int) -> list[int | float]:
    return list(program.nodes[j - len(program.inputs)].args)


def evaluate(program: TensorProgram) -> list[list[float]]:
    """Every node's values in float64 (sums with ``math.fsum``): the battery's own reference forward."""
    values: list[list[float]] = [list(i.values) for i in program.inputs]
    for j in range(len(program.inputs), len(program.shapes)):
        args = operand_refs(program, j)
        values.append([element_value(e, args, values) for e in program.elements(j)])
    return values


def element_value(e: Element, args: Sequence[int | float], values: Sequence[Sequence[float]]) -> float:
    def get(r: Ref | float) -> float:
        if isinstance(r, float):
            return r
        a = args[r[0]]
        return a if isinstance(a, float) else values[a][r[1]]
    if isinstance(e, Apply):
        return float(OPS[e.op].forward(*(get(r) for r in e.args)))
    if isinstance(e, Sum):
        total = math.fsum(math.prod(get(f) for f in t) for t in e.terms)
        return total / e.divide
    if isinstance(e, Copy):
        return get(e.ref)
    if isinstance(e, Softmax):
        xs = [get(r) for r in e.refs]
        m = max(xs)
        lse = m + math.log(math.fsum(math.exp(x - m) for x in xs))
        y = xs[e.index] - lse
        return y if e.log else math.exp(y)
    return max(get(r) for r in e.refs)


def lower(program: TensorProgram,
          values: Sequence[Sequence[float]] | None = None) -> tuple[Program, list[list[Arg]]]:
    """The scalar program, and for every tensor node each element's slot (or constant).

    ``values`` (each node's values, by default ``evaluate``'s) choose the
    element a ``Max`` passes on; at a tie the first, the oracle's choice
    (the judge accepts any split of the gradient among the tied elements).
    """
    if values is None:
        values = evaluate(program)
    inputs: list[tuple[str, float]] = []
    where: list[list[Arg]] = []
    for i in program.inputs:
        row: list[Arg] = []
        for f, v in enumerate(i.values):
            row.append(len(inputs))
            inputs.append((_element_name(i.name, i.shape, f), v))
        where.append(row)
    lowering = _Lowering(len(inputs), where)
    for j in range(len(program.inputs), len(program.shapes)):
        args = operand_refs(program, j)
        where.append([lowering.element(e, args, values) for e in program.elements(j)])
    steps, emit = lowering.steps, lowering.emit
    out = where[-1][0]
    if isinstance(out, Const) or out < lowering.first + len(steps) - 1 or not steps:
        out = emit("mul", out, Const(1.0))  # the scalar program's output is its last slot
        if isinstance(out, Const):
            raise ValueError("the program's output is a constant")
    return Program(tuple(inputs), tuple(steps)), where


class _Lowering:
    """The scalar steps made so far, after ``first`` inputs; ``where`` holds each lowered node's slots."""

    def __init__(self, first: int, where: list[list[Arg]]) -> None:
        self.first, self.where = first, where
        self.steps: list[Step] = []
        self.made: dict[tuple[str, tuple[Arg, ...]], Arg] = {}

    def emit(self, op: str, *args: Arg) -> Arg:
        if all(isinstance(a, Const) for a in args):
            return Const(float(OPS[op].forward(*(a.value for a in args))))  # type: ignore[union-attr]
        self.steps.append(Step(op, tuple(args)))
        return self.first + len(self.steps) - 1

    def once(self, op: str, *args: Arg) -> Arg:
        """A step shared by a softmax row's elements (its exps, their sum, its log)."""
        key = (op, args)
        if key not in self.made:
            self.made[key] = self.emit(op, *args)
        return self.made[key]

    def chained(self, terms: list[Arg]) -> Arg:
        out = terms[0]
        for t in terms[1:]:
            out = self.once("add", out, t)
        return out

    def slot(self, r: Ref | float, args: list[int | float]) -> Arg:
        if isinstance(r, float):
            return Const(r)
        a = args[r[0]]
        return Const(a) if isinstance(a, float) else self.where[a][r[1]]

    def element(self, e: Element, args: list[int | float], values: Sequence[Sequence[float]]) -> Arg:
        """The slot (or constant) of one element of a node whose operands are ``args``."""
        emit, once = self.emit, self.once
        if isinstance(e, Apply):
            return emit(e.op, *(self.slot(r, args) for r in e.args))
        if isinstance(e, Copy):
            return self.slot(e.ref, args)
        if isinstance(e, Softmax):
            xs = [self.slot(r, args) for r in e.refs]
            if e.log:  # x_i - log(sum_j exp(x_j))
                return emit("sub", xs[e.index], once("log", self.chained([once("exp", x) for x in xs])))
            return emit("div", once("exp", xs[e.index]), self.chained([once("exp", x) for x in xs]))
        if isinstance(e, Max):
            picked = max(e.refs, key=lambda r: _value_of(r, args, values))
            return self.slot(picked, args)
        total: Arg | None = None
        for term in e.terms:
            t = self.slot(term[0], args) if len(term) == 1 else emit("mul", self.slot(term[0], args),
                                                                     self.slot(term[1], args))
            total = t if total is None else emit("add", total, t)
        assert total is not None
        if e.divide != 1:
            total = emit("div", total, Const(float(e.divide)))
        return total


def _value_of(r: Ref, args: Sequence[int | float], values: Sequence[Sequence[float]]) -> float:
    a = args[r[0]]
    return a if isinstance(a, float) else values[a][r[1]]


def _element_name(name: str, shape: Shape, f: int) -> str:
    if not shape:
        return name
    return name + "_" + "_".join(str(i) for i in sh.unflat(f, shape))


def suffix(program: TensorProgram, k: int, values: Sequence[Sequence[float]]) -> TensorProgram:
    """Node ``k`` (counting inputs) and every node after it, each earlier node they read made an input
    holding ``values`` (the engine's own): a program that starts at node k's op."""
    n_in = len(program.inputs)
    if not n_in <= k < len(program.shapes):
        raise ValueError(f"node {k} is not an op of the program")
    names = program.names()
    later = program.nodes[k - n_in:]
    needed = sorted({a for node in later for a in node.args if isinstance(a, int) and a < k})
    where = {a: i for i, a in enumerate(needed)}
    inputs = tuple(Input(names[a], program.shapes[a], tuple(values[a])) for a in needed)
    nodes = []
    for node in later:
        args = tuple(a if isinstance(a, float) else where[a] if a < k else len(needed) + a - k
                     for a in node.args)
        nodes.append(Node(node.op, args, node.params))
    return TensorProgram(inputs, tuple(nodes))
