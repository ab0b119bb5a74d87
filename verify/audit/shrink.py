"""Shrink a failing program to a minimal one: no dead steps, no unused inputs, round numbers.

``shrink(program, fails)`` tries smaller programs, keeping each one that
still ``fails`` (the caller's predicate: the same finding, not any failure),
until no candidate is smaller or the budget is spent. Candidates, cheapest
first: an earlier step as the output; a step bypassed (its uses take one of
its operands); an inner operand cut to a fresh input holding its value; two
inputs merged; inputs and constants rounded. Everything is iterative: a
program may be 100,000 steps deep.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..program import Arg, Const, Program, Step
from .values import floats

Fails = Callable[[Program], bool]
NAMES = ("x", "y", "z", "w", "u", "t", "s", "r", "q", "p")


@dataclass
class Shrunk:
    program: Program
    attempts: int
    seconds: float
    complete: bool
    """False when the budget ran out before no candidate was left."""


def size(program: Program) -> tuple[int, int, int]:
    """What shrinking minimises: steps, then inputs, then the length of the numbers written."""
    digits = sum(len(repr(v)) for _, v in program.inputs)
    digits += sum(len(repr(a.value)) for s in program.steps for a in s.args if isinstance(a, Const))
    return (len(program.steps), len(program.inputs), digits)


def rebuild(
    inputs: Sequence[tuple[str, float]], steps: Sequence[Step], output: int | None = None
) -> Program | None:
    """The program with only what ``output`` (default the last slot) depends on, renumbered; None if invalid.

    Slots in ``steps`` are numbered as in the original (inputs first, then steps), so
    a transformation may point a use anywhere earlier before this tidies up.
    """
    n = len(inputs)
    last = n + len(steps) - 1 if output is None else output
    if last < n:
        return None  # the output must be a step
    needed = {last}
    for slot in range(last, n - 1, -1):
        if slot in needed:
            needed.update(a for a in steps[slot - n].args if not isinstance(a, Const))
    new_slot: dict[int, int] = {}
    kept_inputs: list[tuple[str, float]] = []
    for i, item in enumerate(inputs):
        if i in needed:
            new_slot[i] = len(kept_inputs)
            kept_inputs.append(item)
    kept_steps: list[Step] = []
    for slot in range(n, last + 1):
        if slot not in needed:
            continue
        step = steps[slot - n]
        args = tuple(a if isinstance(a, Const) else new_slot[a] for a in step.args)
        if all(isinstance(a, Const) for a in args):
            return None
        new_slot[slot] = len(kept_inputs) + len(kept_steps)
        kept_steps.append(Step(step.op, args))
    if not kept_steps:
        return None
    names = [name for name, _ in kept_inputs]
    if len(set(names)) != len(names):
        return None
    try:
        return Program(tuple(kept_inputs), tuple(kept_steps))
    except ValueError:
        return None


def tidy(program: Program) -> Program:
    """Dead steps and unused inputs dropped, inputs renamed x, y, z, ... in order."""
    kept = rebuild(program.inputs, program.steps) or program
    if len(kept.inputs) <= len(NAMES):
        kept = Program(tuple((NAMES[i], v) for i, (_, v) in enumerate(kept.inputs)), kept.steps)
    return kept


def rounder(value: float) -> list[float]:
    """Simpler numbers near ``value``, simplest first: integers, halves, then 1 to 3 significant digits."""
    if value == 0 or not math.isfinite(value):
        return []
    found = []
    for candidate in (float(round(value)), round(value * 2) / 2):
        if candidate != 0 and candidate != value:
            found.append(candidate)
    for digits in (1, 2, 3):
        candidate = float(f"{value:.{digits - 1}e}")
        if candidate != value:
            found.append(candidate)
    shorter = [c for c in dict.fromkeys(found) if len(repr(c)) < len(repr(value))]
    return shorter


def _candidates(program: Program) -> Iterator[Program]:
    n = len(program.inputs)
    inputs = list(program.inputs)
    steps = list(program.steps)
    total = program.size
    # 1. an earlier step as the output
    for out in range(n, total - 1):
        p = rebuild(inputs, steps, out)
        if p is not None:
            yield p
    # 2. bypass a step: its uses read one of its Value operands instead
    for slot in range(total - 2, n - 1, -1):
        step = steps[slot - n]
        for a in dict.fromkeys(x for x in step.args if not isinstance(x, Const)):
            changed = [_replace_use(s, slot, a) for s in steps]
            p = rebuild(inputs, changed)
            if p is not None:
                yield p
    # 3. cut: an inner operand becomes a fresh input holding its value (shortens chains)
    values = floats(program)
    taken = {name for name, _ in inputs}
    fresh = next((name for name in NAMES if name not in taken), None)
    if fresh is not None:
        for slot in range(total - 1, n - 1, -1):
            step = steps[slot - n]
            for a in dict.fromkeys(x for x in step.args if not isinstance(x, Const) and x >= n):
                if not math.isfinite(values[a]):
                    continue
                # the new input goes last among the inputs: every slot from n on moves up by one
                moved = [_shift(s, n) for s in steps]
                moved[slot - n] = Step(step.op, tuple(
                    n if (not isinstance(x, Const) and x == a) else _shift_arg(x, n) for x in step.args))
                p = rebuild([*inputs, (fresh, values[a])], moved)
                if p is not None:
                    yield p
    # 4. merge two inputs
    for i in range(n):
        for j in range(i + 1, n):
            changed = [_replace_use(s, j, i) for s in steps]
            p = rebuild(inputs, changed)
            if p is not None:
                yield p
    # 5. rounder numbers
    for i, (name, value) in enumerate(inputs):
        for r in rounder(value):
            p = rebuild([*inputs[:i], (name, r), *inputs[i + 1:]], steps)
            if p is not None:
                yield p
    for k, step in enumerate(steps):
        for idx, c in enumerate(step.args):
            if not isinstance(c, Const):
                continue
            for r in rounder(c.value):
                args = tuple(Const(r) if m == idx else x for m, x in enumerate(step.args))
                p = rebuild(inputs, [*steps[:k], Step(step.op, args), *steps[k + 1:]])
                if p is not None:
                    yield p


def _replace_use(step: Step, old: int, new: int) -> Step:
    return Step(step.op, tuple(new if (not isinstance(a, Const) and a == old) else a for a in step.args))


def _shift_arg(a: Arg, n: int) -> Arg:
    return a if isinstance(a, Const) or a < n else a + 1


def _shift(step: Step, n: int) -> Step:
    return Step(step.op, tuple(_shift_arg(a, n) for a in step.args))


def shrink(program: Program, fails: Fails, *, seconds: float = 10.0, attempts: int = 2000,
           deadline: float | None = None) -> Shrunk:
    """The smallest program found that still ``fails``, starting from ``program`` (which fails)."""
    started = time.monotonic()
    stop = started + seconds if deadline is None else min(started + seconds, deadline)
    best = program
    tried = 0
    seen: set[Program] = {program}
    first = tidy(program)
    if first != program and fails(first):
        best = first
    tried += first != program
    progress = True
    while progress:
        progress = False
        for candidate in _candidates(best):
            if time.monotonic() > stop or tried >= attempts:
                return Shrunk(tidy_if(best, fails), tried, time.monotonic() - started, False)
            if candidate in seen or size(candidate) >= size(best):
                continue
            seen.add(candidate)
            tried += 1
            if fails(candidate):
                best = candidate
                progress = True
                break
    return Shrunk(tidy_if(best, fails), tried, time.monotonic() - started, True)


def tidy_if(program: Program, fails: Fails) -> Program:
    """``program`` with its inputs renamed x, y, ... if it still fails that way."""
    tidied = tidy(program)
    if tidied == program:
        return program
    return tidied if fails(tidied) else program
