"""The exact witness: forward values and reverse-mode adjoints of a program at its exact inputs.

Reverse mode runs node by node over the DAG, each local partial coming from
SymPy (``oracle.partials``) and accumulated in mpmath at a chosen precision,
so its cost is linear in the graph and every node gets its exact adjoint.
The caller runs it at two precisions and trusts only digits they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath  # type: ignore[import-untyped]

from ..program import Const, Program
from .partials import Calculus, Undefined, calculus
from .span import Num, is_zero, plus, span, times


@dataclass(frozen=True)
class Node:
    """One step, ready to evaluate: its calculus, operand slots (None for constants), constants."""

    slot: int
    calc: Calculus
    args: tuple[int | None, ...]
    consts: tuple[float | None, ...]
    fixed: tuple[Any, ...]  # the constants as exact mpf (a float is exact at any precision >= 53 bits)


def plan(program: Program) -> list[Node]:
    """Each step of ``program`` paired with its op's calculus (derived once per op)."""
    first = len(program.inputs)
    nodes = []
    for j, step in enumerate(program.steps):
        fixed = tuple((i, a.value) for i, a in enumerate(step.args) if isinstance(a, Const))
        args = tuple(None if isinstance(a, Const) else a for a in step.args)
        consts = tuple(a.value if isinstance(a, Const) else None for a in step.args)
        exact_consts = tuple(None if c is None else mpmath.mpf(c) for c in consts)
        nodes.append(Node(first + j, calculus(step.op, fixed), args, consts, exact_consts))
    return nodes


class UndefinedAt(ArithmeticError):
    """The exact function (or its derivative) is undefined at ``slot``."""

    def __init__(self, slot: int, reason: str) -> None:
        super().__init__(reason)
        self.slot = slot
        self.reason = reason


def operands(node: Node, values: list[Any]) -> list[Any]:
    """The node's operand values as mpf, constants converted exactly."""
    return [values[a] if a is not None else c for a, c in zip(node.args, node.fixed, strict=True)]


def forward(nodes: list[Node], leaves: list[Any]) -> list[Any]:
    """Every slot's value at the current mpmath precision (``leaves`` are mpf)."""
    values = list(leaves)
    for node in nodes:
        try:
            values.append(node.calc.value(operands(node, values)))
        except Undefined as error:
            raise UndefinedAt(node.slot, str(error)) from None
    return values


def local_partials(node: Node, xs: list[Any]) -> list[Num | None]:
    """d node / d operand i at ``xs``: an mpf, a Span at a kink, None for constant operands."""
    sides = node.calc.kink(xs) if node.calc.sides else None
    out: list[Num | None] = []
    for i, a in enumerate(node.args):
        if a is None:
            out.append(None)
        elif i == 0 and sides is not None:
            out.append(span(*sides))
        else:
            out.append(node.calc.partial(i, xs))
    return out


@dataclass
class Exact:
    """Exact values, adjoints and local partials of every slot, at ``dps`` digits."""

    dps: int
    values: list[Any]
    adjoints: list[Num]
    partials: dict[int, list[Num | None]]
    kinks: list[int]


def exact(program: Program, nodes: list[Node], dps: int) -> Exact:
    """Forward and reverse mode at the program's exact inputs, ``dps`` digits of working precision."""
    with mpmath.workdps(dps):
        values = forward(nodes, [mpmath.mpf(v) for _, v in program.inputs])
        adjoints: list[Num] = [mpmath.mpf(0)] * len(values)
        adjoints[-1] = mpmath.mpf(1)
        partials: dict[int, list[Num | None]] = {}
        kinks: list[int] = []
        for node in reversed(nodes):
            xs = operands(node, values)
            try:
                ps = local_partials(node, xs)
            except Undefined as error:
                raise UndefinedAt(node.slot, str(error)) from None
            partials[node.slot] = ps
            if node.calc.sides and node.calc.kink(xs) is not None:
                kinks.append(node.slot)
            a = adjoints[node.slot]
            if is_zero(a):
                continue
            for arg, p in zip(node.args, ps, strict=True):
                if arg is not None:
                    adjoints[arg] = plus(adjoints[arg], times(a, p))
    kinks.reverse()
    return Exact(dps, values, adjoints, partials, kinks)
