"""Turn a graph built by our engine into a Program, walking it without recursion."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from micrograd.engine import Constant, CyclicGraphError, Value

from .program import Arg, Const, Program, Step


def to_program(
    output: Value, inputs: Sequence[Value] | Mapping[str, Value] | None = None
) -> tuple[Program, list[Value]]:
    """The program that computes ``output``, and the Value behind each of its slots.

    Every leaf becomes an input and every ``Constant`` a ``Const`` operand.
    ``inputs`` may name leaves (a mapping); unnamed leaves are called x0, x1, ...
    in the order the walk meets them (operands left to right).
    """
    if not isinstance(output, Value):
        raise TypeError(f"verify needs a micrograd Value, not {type(output).__name__}")
    if isinstance(output, Constant):
        raise ValueError("the output is a constant: there is nothing to differentiate")
    order, operands = _post_order(output)
    leaves = [v for v, args in zip(order, operands, strict=True) if args is None]

    given = _given_names(inputs)
    leaf_ids = {id(v) for v in leaves}
    for name, value in given.items():
        if id(value) not in leaf_ids:
            raise ValueError(f"input {name!r} is not a leaf of this graph (it has operands or is unused)")
    names_by_id = {id(v): name for name, v in given.items()}
    taken = set(given)
    k = 0
    names: list[str] = []
    for leaf in leaves:
        given_name = names_by_id.get(id(leaf))
        if given_name is None:
            while f"x{k}" in taken:
                k += 1
            given_name = f"x{k}"
            taken.add(given_name)
        names.append(given_name)

    # The walk numbered nodes in the order they finished; a program numbers its inputs first. One int
    # object per slot, shared by every step that reads it (a million-node graph: tens of MB less).
    slot: list[int] = []
    steps: list[Value] = []
    n_leaves = len(leaves)
    for node, args in zip(order, operands, strict=True):
        if args is None:
            slot.append(len(slot) - len(steps))
        else:
            slot.append(n_leaves + len(steps))
            steps.append(node)
    program_steps: list[Step] = []
    for j, args in enumerate(operands):
        if args is not None:
            operand_slots = tuple(a if isinstance(a, Const) else slot[a] for a in args)
            program_steps.append(Step(order[j].op, operand_slots))
            operands[j] = None  # freed as it goes
    program = Program(tuple(zip(names, (v.data for v in leaves), strict=True)), tuple(program_steps))
    return program, [*leaves, *steps]


def _post_order(output: Value) -> tuple[list[Value], list[tuple[Arg, ...] | None]]:
    """Every non-constant node once, operands before the nodes that use them; and each node's operands
    (None for a leaf) as positions in that order or ``Const``.

    ``parents`` is read once per node and kept only while the node is on the path: it builds a fresh
    ``Constant`` for each number operand. Equal constants share one ``Const``.
    """
    order: list[Value] = []
    operands: list[tuple[Arg, ...] | None] = []
    position: dict[int, int] = {id(output): -1}  # -1: on the path from the output, not finished
    consts: dict[tuple[float, float], Const] = {}
    stack: list[tuple[Value, tuple[Value, ...], int]] = [(output, output.parents, 0)]
    while stack:
        node, parents, i = stack.pop()
        if i < len(parents):
            stack.append((node, parents, i + 1))
            parent = parents[i]
            if isinstance(parent, Constant):
                continue
            at = position.get(id(parent))
            if at is None:
                position[id(parent)] = -1
                stack.append((parent, parent.parents, 0))
            elif at < 0:  # met again before it was finished: it is on the path
                raise CyclicGraphError(parent)
        else:
            position[id(node)] = len(order)
            order.append(node)
            operands.append(tuple(_const(p.data, consts) if isinstance(p, Constant) else position[id(p)]
                                  for p in parents) if parents else None)
    return order, operands


def _const(value: float, seen: dict[tuple[float, float], Const]) -> Const:
    key = (value, math.copysign(1.0, value))  # 0.0 and -0.0 are equal keys otherwise
    c = seen.get(key)
    if c is None:
        c = seen[key] = Const(value)
    return c


def _given_names(inputs: Sequence[Value] | Mapping[str, Value] | None) -> dict[str, Value]:
    if inputs is None:
        return {}
    named = dict(inputs) if isinstance(inputs, Mapping) else {f"x{i}": v for i, v in enumerate(inputs)}
    for name, value in named.items():
        if not isinstance(value, Value):
            raise TypeError(f"input {name!r} is a {type(value).__name__}, not a Value")
        if not (isinstance(name, str) and name.isidentifier()):
            raise ValueError(f"input name {name!r} is not an identifier")
    if len({id(v) for v in named.values()}) != len(named):
        raise ValueError("the same leaf is given twice in inputs")
    return named
