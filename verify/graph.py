"""Turn a graph built by our engine into a Program, walking it without recursion."""

from __future__ import annotations

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
    order, parents_of = _post_order(output)
    leaves = [v for v in order if not parents_of[id(v)]]
    steps = [v for v in order if parents_of[id(v)]]

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

    slot_of = {id(v): i for i, v in enumerate(leaves)}
    program_steps: list[Step] = []
    for j, node in enumerate(steps):
        slot_of[id(node)] = len(leaves) + j
        args: list[Arg] = []
        for parent in parents_of[id(node)]:
            args.append(Const(parent.data) if isinstance(parent, Constant) else slot_of[id(parent)])
        program_steps.append(Step(node.op, tuple(args)))
    program = Program(tuple(zip(names, (v.data for v in leaves), strict=True)), tuple(program_steps))
    return program, [*leaves, *steps]


def _post_order(output: Value) -> tuple[list[Value], dict[int, tuple[Value, ...]]]:
    """Every non-constant node once, operands before the nodes that use them; and each node's operands.

    ``parents`` is read once per node: it builds a fresh ``Constant`` for each number operand.
    """
    order: list[Value] = []
    parents_of: dict[int, tuple[Value, ...]] = {id(output): output.parents}
    done: set[int] = set()
    stack: list[tuple[Value, int]] = [(output, 0)]  # the path from the output to the node being read
    while stack:
        node, i = stack.pop()
        parents = parents_of[id(node)]
        if i < len(parents):
            stack.append((node, i + 1))
            parent = parents[i]
            if isinstance(parent, Constant):
                continue
            if id(parent) not in parents_of:
                parents_of[id(parent)] = parent.parents
                stack.append((parent, 0))
            elif id(parent) not in done:  # met again before it was finished: it is on the path
                raise CyclicGraphError(parent)
        else:
            order.append(node)
            done.add(id(node))
    return order, parents_of


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
