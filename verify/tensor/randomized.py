"""Random tensor programs, after the battery: chains of two or three ops that fit the shapes they meet.

Each is a ``Template`` like the battery's, so a failure shrinks the same way:
the chain of ops (and each op's axis or permutation) is fixed by the
template's own seed, and only the dimensions change.
"""

from __future__ import annotations

import random
from typing import Any

from . import shapes as sh
from .battery import Dims, Template, values
from .ops import TENSOR_OPS
from .program import NodeSpec
from .shapes import Shape

UNARY = ("exp", "tanh", "sigmoid", "neg")
BINARY = ("add", "sub", "mul", "div")

Ref = tuple[str, int]
"""("in", k) for input k, ("node", k) for the k-th op: numbered once the chain is complete."""


class _Chain:
    def __init__(self, dims: Dims, rng: random.Random) -> None:
        self.rng = rng
        self.inputs: list[tuple[Shape, list[float]]] = [(dims, values(sh.size(dims), rng))]
        self.nodes: list[tuple[str, list[Ref], dict[str, Any]]] = []
        self.shapes: dict[Ref, Shape] = {("in", 0): dims}
        self.last: Ref = ("in", 0)

    def add_input(self, shape: Shape) -> Ref:
        self.inputs.append((shape, values(sh.size(shape), self.rng)))
        ref = ("in", len(self.inputs) - 1)
        self.shapes[ref] = shape
        return ref

    def apply(self, op: str, args: list[Ref], params: dict[str, Any]) -> bool:
        try:
            out = TENSOR_OPS[op].shape([self.shapes[a] for a in args], params)
        except (sh.ShapeError, ValueError):
            return False
        self.nodes.append((op, args, params))
        self.last = ("node", len(self.nodes) - 1)
        self.shapes[self.last] = out
        return True

    def spec(self) -> tuple[dict[str, tuple[Shape, list[float]]], list[NodeSpec]]:
        n = len(self.inputs)
        flat = {("in", k): k for k in range(n)} | {("node", k): n + k for k in range(len(self.nodes))}
        inputs = {("x" if k == 0 else f"y{k}"): v for k, v in enumerate(self.inputs)}
        return inputs, [(op, [flat[a] for a in args], p) for op, args, p in self.nodes]


def _step(plan: random.Random, chain: _Chain) -> bool:
    """Append one op that fits the chain's last shape; False if the drawn op does not fit."""
    shape = chain.shapes[chain.last]
    n = len(shape)
    kinds = ["unary", "binary"] + (["reduce", "softmax", "reshape"] if n else []) \
        + (["permute"] if n >= 2 else []) + (["matmul"] if n in (1, 2) else [])
    kind = plan.choice(kinds)
    last = chain.last
    if kind == "unary":
        return chain.apply(plan.choice(UNARY), [last], {})
    if kind == "binary":
        op = plan.choice(BINARY)
        other = tuple(1 if plan.random() < 0.3 else d for d in shape)[plan.randrange(n + 1) if n else 0:]
        y = chain.add_input(other)
        return chain.apply(op, [last, y] if plan.random() < 0.5 else [y, last], {})
    if kind == "reduce":
        params: dict[str, Any] = {"axis": plan.randrange(-n, n)}
        if plan.random() < 0.5:
            params["keepdims"] = True
        return chain.apply(plan.choice(("sum", "mean", "max")), [last], params)
    if kind == "softmax":
        return chain.apply(plan.choice(("softmax", "log_softmax")), [last], {"axis": plan.randrange(-n, n)})
    if kind == "permute":
        if n == 2:
            return chain.apply("transpose", [last], {})
        perm = list(range(n))
        while perm == list(range(n)):
            plan.shuffle(perm)
        return chain.apply("permute", [last], {"perm": tuple(perm)})
    if kind == "reshape":
        return chain.apply("reshape", [last], {"shape": (-1,) if n > 1 else (1, shape[0])})
    y = chain.add_input((shape[-1], 2) if plan.random() < 0.7 else (shape[-1],))
    return chain.apply("matmul", [last, y], {})


def _maker(seed: int, length: int) -> Any:
    def make(dims: Dims, rng: random.Random) -> Any:
        plan = random.Random(seed)
        chain = _Chain(dims, rng)
        for _ in range(length):
            for _ in range(20):  # an op that does not fit is drawn again
                if _step(plan, chain):
                    break
        if not chain.nodes:
            chain.apply("neg", [chain.last], {})
        return chain.spec()
    return make


def random_templates(seed: int, count: int) -> list[Template]:
    """``count`` random chains, each shrinkable over smaller dimensions of the same rank."""
    rng = random.Random(f"random programs {seed}")
    out = []
    for k in range(count):
        dims = rng.choice(((3, 4), (2, 3, 4), (4,)))
        smaller = {2: ((2, 3), (2, 2), (1, 2)), 3: ((2, 2, 3), (2, 2, 2)), 1: ((2,), (1,))}[len(dims)]
        length = rng.choice((2, 3))
        make = _maker(rng.randrange(2**32), length)
        out.append(Template(f"random #{k} {dims}", "", (dims, *smaller), make))
    return out
