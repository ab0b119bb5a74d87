"""Expression programs: the one form every part of the verifier exchanges.

A program is SSA: named inputs, then steps; each step applies a row of the op
table to earlier slots or to constants. Slot i < len(inputs) is input i; slot
len(inputs) + j is step j. The output is the last slot.

Programs are built into *any* micrograd-style engine through the Python
operators and method names written in each row's ``notation``, so the same
program drives our engine, a learner's engine, and the exact mirror.
"""

from __future__ import annotations

import builtins
import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

from micrograd.ops import OPS, Op


@dataclass(frozen=True, slots=True)
class Const:
    """A plain number used as an operand."""

    value: float


Arg = int | Const
"""A slot index, or a constant."""


@dataclass(frozen=True, slots=True)
class Step:
    op: str
    args: tuple[Arg, ...]


@dataclass(frozen=True)
class Program:
    inputs: tuple[tuple[str, float], ...]
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        names = [name for name, _ in self.inputs]
        if len(set(names)) != len(names):
            raise ValueError(f"input names repeat: {names}")
        for j, step in enumerate(self.steps):
            row = OPS.get(step.op)
            if row is None:
                raise ValueError(f"step {j}: unknown op {step.op!r}")
            if len(step.args) != row.arity:
                raise ValueError(f"step {j}: {step.op} takes {row.arity} operands")
            slot = len(self.inputs) + j
            for i, arg in enumerate(step.args):
                if isinstance(arg, Const):
                    if row.domain[i].integer and not float(arg.value).is_integer():
                        raise ValueError(f"step {j}: {step.op} takes an integer as operand {i}, not "
                                         f"{arg.value!r} (a non-integer power is powc)")
                    continue
                if i in row.constant:
                    raise ValueError(f"step {j}: operand {i} of {step.op} must be a constant")
                if not 0 <= arg < slot:
                    raise ValueError(f"step {j}: operand {arg} is not an earlier slot")
            if all(isinstance(a, Const) for a in step.args):
                raise ValueError(f"step {j}: {step.op} has only constant operands")

    @property
    def size(self) -> int:
        return len(self.inputs) + len(self.steps)

    def feeding_output(self) -> set[int]:
        """Every slot the output depends on, the output included (no recursion: programs may be deep)."""
        first = len(self.inputs)
        needed = {self.size - 1}
        for slot in range(self.size - 1, first - 1, -1):
            if slot in needed:
                needed.update(a for a in self.steps[slot - first].args if not isinstance(a, Const))
        return needed

    def slot_names(self) -> SlotNames:
        """``names()`` as a sequence that makes each name when it is read (a million-node program's
        names would take 60 MB)."""
        return SlotNames(self)

    def names(self) -> list[str]:
        """A name for every slot: the inputs' own, then v1, v2, ..."""
        taken = {name for name, _ in self.inputs}
        names = [name for name, _ in self.inputs]
        k = 0
        for _ in self.steps:
            k += 1
            while f"v{k}" in taken:
                k += 1
            names.append(f"v{k}")
        return names

    def run(
        self,
        leaf: Callable[[float], Any],
        *,
        backward: bool = True,
        catch: type[BaseException] | tuple[type[BaseException], ...] = Exception,
        before_backward: Callable[[list[Any]], object] | None = None,
    ) -> list[Any]:
        """Build the program in an engine, then call ``backward()`` on its output; every slot's object.

        ``leaf`` makes an input (e.g. the engine's ``Value`` class). Only
        Python operators and method calls are used, never engine internals.
        An exception of a ``catch`` type raised by the engine becomes a
        ``RunFailed`` that says where. ``before_backward(slots)`` runs between
        the two passes, outside that net (the audit reads ``.data`` there,
        before backward can touch it).
        """
        slots: list[Any] = []
        try:
            for _, value in self.inputs:
                slots.append(leaf(value))
            for step in self.steps:
                operands = [a.value if isinstance(a, Const) else slots[a] for a in step.args]
                slots.append(call(OPS[step.op], *operands))
        except catch as error:
            raise RunFailed("forward", len(slots), slots, error) from error
        if before_backward is not None:
            before_backward(slots)
        if backward:
            try:
                slots[-1].backward()
            except catch as error:
                raise RunFailed("backward", None, slots, error) from error
        return slots

    def source(self, leaf: str = "Value") -> str:
        """The program as a pasteable Python snippet."""
        names = self.names()
        lines = [f"{name} = {leaf}({value!r})" for name, value in self.inputs]
        for j, step in enumerate(self.steps):
            operands = [repr(a.value) if isinstance(a, Const) else names[a] for a in step.args]
            lines.append(f"{names[len(self.inputs) + j]} = {OPS[step.op].write(*operands)}")
        return "\n".join(lines)


class SlotNames(Sequence[str]):
    """``Program.names()``, each name made when read: the inputs' own, then v1, v2, ... skipping the
    inputs' names."""

    def __init__(self, program: Program) -> None:
        self._inputs = [name for name, _ in program.inputs]
        self._size = program.size
        # the numbers k of inputs named vk: step names skip them
        self._taken = sorted({int(n[1:]) for n in self._inputs if n[:1] == "v" and n[1:].isdigit()
                              and n[1:] == str(int(n[1:])) and int(n[1:]) >= 1})

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, s: int) -> str: ...

    @overload
    def __getitem__(self, s: slice) -> list[str]: ...

    def __getitem__(self, s: int | slice) -> str | list[str]:
        if isinstance(s, slice):
            return [self[i] for i in range(*s.indices(self._size))]
        if s < 0:
            s += self._size
        if not 0 <= s < self._size:
            raise IndexError(s)
        first = len(self._inputs)
        if s < first:
            return self._inputs[s]
        k = s - first + 1
        for taken in self._taken:
            if taken <= k:
                k += 1
        return f"v{k}"


class RunFailed(Exception):
    """The engine raised while ``Program.run`` built a program in it, or in its ``backward()``."""

    def __init__(self, stage: Literal["forward", "backward"], slot: int | None, slots: list[Any],
                 error: BaseException) -> None:
        super().__init__(f"{stage if slot is None else f'slot {slot}'}: {type(error).__name__}: {error}")
        self.stage = stage
        self.slot = slot
        """The slot being made when the forward pass raised (an input if < len(inputs)); None in backward."""
        self.slots = slots
        """Every slot's object made before the error (all of them, if backward raised)."""
        self.error = error
        """The engine's own exception."""


@dataclass(frozen=True)
class Notation:
    """How a row of the op table is written in Python: the one reading of ``Op.notation``.

    The parser's grammar (``verify.parse.syntax``) and the engine caller below
    both use it, so what can be parsed and what can be built are the same.
    """

    form: Literal["infix", "prefix", "method", "builtin"]
    """Written as "{0} + {1}", "-{0}", "{0}.tanh()" or "abs({0})"."""
    word: str
    """The operator token ("+", "-") or the name ("tanh", "abs")."""
    apply: Callable[..., Any]
    """Applies the op to engine objects or numbers: ``operator.add``, ``methodcaller("tanh")``, ``abs``."""


_INFIX: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow,
    "//": operator.floordiv, "%": operator.mod, "@": operator.matmul,
}
_PREFIX: dict[str, Callable[[Any], Any]] = {"-": operator.neg}


@functools.cache
def notation(op: Op) -> Notation:
    """Read ``op.notation``; ``ValueError`` for a notation with no Python form."""
    n = op.notation
    if n.startswith("{0} ") and n.endswith(" {1}") and n[4:-4] in _INFIX:
        return Notation("infix", n[4:-4], _INFIX[n[4:-4]])
    if n.endswith("{0}") and n[:-3] in _PREFIX:
        return Notation("prefix", n[:-3], _PREFIX[n[:-3]])
    if n.startswith("{0}.") and n.endswith("()") and n[4:-2].isidentifier():
        return Notation("method", n[4:-2], operator.methodcaller(n[4:-2]))
    if n.endswith("({0})") and n[:-5].isidentifier() and callable(getattr(builtins, n[:-5], None)):
        return Notation("builtin", n[:-5], getattr(builtins, n[:-5]))
    raise ValueError(f"op {op.name}: notation {n!r} has no known Python form")


def call(op: Op, *operands: Any) -> Any:
    """Apply ``op`` to engine objects or numbers the way its notation says."""
    return notation(op).apply(*operands)
