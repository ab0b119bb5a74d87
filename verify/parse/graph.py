"""The graph the builder records, and how it becomes a Program with a label for every slot."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from micrograd.ops import Op

from ..program import Arg, Const, Program, Step
from .position import Place, lines_of
from .result import Parsed


@dataclass(frozen=True)
class Ref:
    """A node of the graph being built (an input or a step)."""

    index: int


Term = Ref | int | float
"""What an expression evaluates to: a graph node, or a plain number."""


@dataclass
class Input:
    name: str
    value: float
    place: Place | None


@dataclass
class Call:
    op: Op
    args: tuple[Term, ...]
    place: Place | None


def to_parsed(nodes: Sequence[Input | Call], named: Mapping[int, str], bound: Iterable[str],
              root: Ref, text: str, formula: str | None) -> Parsed:
    """Keep every input and the steps the output depends on; number the slots.

    ``named`` maps a node to the name it was first bound to; ``bound`` is every
    name the input bound, which generated labels must not take.
    """
    live = {root.index}
    for index in range(root.index, -1, -1):
        node = nodes[index]
        if index in live and isinstance(node, Call):
            live.update(a.index for a in node.args if isinstance(a, Ref))
    inputs = [i for i, n in enumerate(nodes) if isinstance(n, Input)]
    steps = [i for i, n in enumerate(nodes) if isinstance(n, Call) and i in live]
    order = inputs + steps
    slot = {index: s for s, index in enumerate(order)}
    labels = _labels(order, named, bound, set(inputs))
    program_inputs = []
    for i in inputs:
        node = nodes[i]
        assert isinstance(node, Input)
        program_inputs.append((labels[slot[i]], node.value))
    program_steps = []
    for i in steps:
        call = nodes[i]
        assert isinstance(call, Call)
        args: tuple[Arg, ...] = tuple(slot[a.index] if isinstance(a, Ref) else Const(float(a))
                                      for a in call.args)
        program_steps.append(Step(call.op.name, args))
    program = Program(tuple(program_inputs), tuple(program_steps))
    return Parsed(program, labels, labels[slot[root.index]], tuple(nodes[i].place for i in order),
                  lines_of(text), formula)


def _labels(order: list[int], named: Mapping[int, str], bound: Iterable[str],
            inputs: set[int]) -> tuple[str, ...]:
    """The user's names. An input keeps its name always. A name bound several times
    (c += 1) numbers its earlier values c_1, c_2, ... so every slot has its own
    label, and when an input holds the name, every later value is numbered too
    (x = Value(2.0); x = x * x gives the input x and the output x_1); the rest are v1, v2, ..."""
    history: dict[str, list[int]] = {}
    for index in order:
        if index in named:
            history.setdefault(named[index], []).append(index)
    taken = set(history) | set(bound)
    label: dict[int, str] = {}
    for name, indices in history.items():
        kept = indices[0] if indices[0] in inputs else indices[-1]
        label[kept] = name
        k = 0
        for index in indices:
            if index == kept:
                continue
            k += 1
            while f"{name}_{k}" in taken:
                k += 1
            label[index] = f"{name}_{k}"
            taken.add(label[index])
    k = 0
    for index in order:
        if index not in label:
            k += 1
            while f"v{k}" in taken:
                k += 1
            label[index] = f"v{k}"
    return tuple(label[index] for index in order)
