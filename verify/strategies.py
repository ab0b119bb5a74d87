"""Hypothesis strategies for expression programs that any micrograd-style engine can build.

``expressions()`` draws SSA ``Program``s: inputs, then steps that apply a row
of the op table to earlier slots or to constants. Every operand lies in its
op's domain *by construction*: when a drawn operand falls outside, a shift
step ``s + c`` moves it to a point drawn from the region, instead of
rejecting the example. The same trick lands operands exactly on kinks
(``relu(x - x0)`` is exactly ``relu(0)``) and keeps values away from
overflow. Shrinking removes steps and simplifies numbers, so a failure ends
as a short program with round constants.

What the programs reach: inner nodes shared by several consumers, the same
object on both sides (``x * x``), constants on either side of binary ops,
chains hundreds of steps deep, magnitudes from 1e-8 to 1e8, domain edges
(``log`` of 1e-8) and points exactly at and next to kinks.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from micrograd.ops import OPS, POSITIVE, REAL, Op, Region

from .program import Arg, Const, Program, Step

__all__ = ["expressions", "points"]

BIG = 1e12
"""No slot's value exceeds this in magnitude: keeps exp, powers and products finite."""
TINY = 1e-12
"""Nor is it below this, unless exactly 0: keeps gradients out of subnormals."""
_CALM = {"sin": 100.0, "cos": 100.0, "tanh": 20.0, "sigmoid": 20.0}
"""Operands of these ops stay within these bounds: a rounding error in a huge
argument changes sin's value, and beyond 20 tanh and sigmoid round to their
limits so that no float64 engine can get their tiny derivatives right."""
_UNDERFLOWS = frozenset({"exp", "sigmoid"})
"""Ops whose exact result is never 0: a 0.0 from them is an underflow."""

# Ops drawn by default, simplest first: shrinking moves towards the front.
_ORDER = ("add", "mul", "sub", "neg", "div", "powi", "powc", "pow", "exp", "log", "tanh",
          "sigmoid", "relu", "abs", "sqrt", "sin", "cos")
_NAMES = ("x", "y", "z", "w", "u")


def points(
    *, region: Region = REAL, min_magnitude: float = 1e-8, max_magnitude: float = 1e8
) -> st.SearchStrategy[float]:
    """Floats in ``region`` spread over many orders of magnitude.

    Simple values (small integers and halves) come first, so they are what
    shrinking ends on; the rest are ``m * 10**e`` for a mantissa ``m`` in
    [1, 10), clipped to ``[min_magnitude, max_magnitude]``, of either sign
    where the region allows.
    """
    if not isinstance(region, Region):
        raise InvalidArgument(f"region={region!r} must be a micrograd.ops.Region")
    if not (0.0 < min_magnitude <= 1.0 <= max_magnitude < math.inf):
        raise InvalidArgument(
            f"need 0 < min_magnitude <= 1 <= max_magnitude < inf, "
            f"got min_magnitude={min_magnitude!r}, max_magnitude={max_magnitude!r}"
        )
    if region.integer:
        return st.integers(-4, 4).map(float).filter(lambda k: k in region)
    lo = math.floor(math.log10(min_magnitude))
    hi = math.floor(math.log10(max_magnitude))
    simple = st.integers(-8, 8).map(lambda n: max(-max_magnitude, min(n / 2, max_magnitude)))
    def clip(m: float) -> float:
        return min(max(m, min_magnitude), max_magnitude)

    spread = st.builds(
        lambda m, e, negative: (-1.0 if negative else 1.0) * clip(m * 10.0**e),
        st.floats(1.0, 10.0, exclude_max=True),
        st.integers(lo, hi),
        st.booleans(),
    )
    # Each candidate is mapped into the region (|x| or -|x|), never filtered away.
    return st.one_of(simple, spread).map(lambda x: _into(region, x))


def _into(region: Region, x: float) -> float:
    if x in region:
        return x
    for candidate in (-x, abs(x) or 1.0, 1.0, -1.0):
        if candidate in region:
            return candidate
    raise InvalidArgument(f"region {region!r} has none of the usual points")


@dataclass(frozen=True)
class _Config:
    ops: tuple[Op, ...]
    max_leaves: int
    max_nodes: int
    max_depth: int
    left: frozenset[str]
    right: frozenset[str]


def expressions(
    *,
    ops: Collection[str] | None = None,
    max_leaves: int = 3,
    max_nodes: int = 10,
    max_depth: int = 300,
    constants_left: Collection[str] | None = None,
    constants_right: Collection[str] | None = None,
) -> st.SearchStrategy[Program]:
    """Expression programs whose every operand is in its op's domain.

    ops              op names to draw (default: every row of ``micrograd.ops.OPS``);
                     shift steps that move operands into domains always use
                     ``add`` with a constant, kink steps ``sub``, and deep chains use ``add``/``sub``
                     or ``mul``/``div`` when they are in ``ops``
    max_leaves       at most this many inputs (at least 1)
    max_nodes        at most this many drawn steps; shift steps and chains come on top
    max_depth        longest chain motif (0: none); chains make graphs this deep
    constants_left   binary ops that may get a number on the left (``2 - x``);
                     default all that allow it
    constants_right  binary ops that may get a number on the right (``x - 2``);
                     default all. ``powi``/``powc`` always take a number exponent.
    """
    names = list(_ORDER) if ops is None else list(ops)
    if isinstance(ops, str):
        raise InvalidArgument(f"ops={ops!r} must be a collection of op names, not a string")
    unknown = sorted(set(names) - set(OPS))
    if unknown:
        raise InvalidArgument(f"unknown op names {unknown}; known: {sorted(OPS)}")
    if not names:
        raise InvalidArgument("ops must name at least one op")
    for label, value, least in (("max_leaves", max_leaves, 1), ("max_nodes", max_nodes, 1),
                                ("max_depth", max_depth, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InvalidArgument(f"{label}={value!r} must be an integer >= {least}")
    if max_leaves > len(_NAMES):
        raise InvalidArgument(f"max_leaves={max_leaves} must be <= {len(_NAMES)}")
    binary = {name for name in OPS if OPS[name].arity == 2}
    sides = []
    for label, given in (("constants_left", constants_left), ("constants_right", constants_right)):
        chosen = set(binary) if given is None else set(given)
        if isinstance(given, str) or not chosen <= binary:
            raise InvalidArgument(f"{label}={given!r} must be a collection of binary op names")
        sides.append(frozenset(chosen))
    ordered = tuple(OPS[n] for n in sorted(set(names), key=lambda n: (_rank(n), n)))
    config = _Config(ordered, max_leaves, max_nodes, max_depth, sides[0], sides[1])
    return _programs(config)


def _rank(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


@st.composite
def _programs(draw: Any, config: _Config) -> Program:
    builder = _Builder(draw, config)
    for name in _NAMES[: draw(st.integers(1, config.max_leaves))]:
        builder.add_input(name, draw(points()))
    drawn = 0
    # A geometric length of at least one step, which shrinks towards a single step.
    while drawn < config.max_nodes and (drawn == 0 or draw(st.integers(0, 6)) > 0):
        drawn += 1
        kind = draw(st.integers(0, 11))
        if kind == 10 and builder.kinked:
            builder.kink()
        elif kind == 11 and config.max_depth > 0 and builder.chainable:
            builder.chain(draw(st.integers(1, config.max_depth)))
        else:
            builder.apply(draw(st.sampled_from(config.ops)))
    return builder.program()


class _Builder:
    """Grows a program step by step, tracking every slot's float value."""

    def __init__(self, draw: Any, config: _Config) -> None:
        self.draw = draw
        self.config = config
        self.inputs: list[tuple[str, float]] = []
        self.steps: list[Step] = []
        self.values: list[float] = []
        names = {op.name for op in config.ops}
        self.kinked = [op for op in config.ops if op.kinks]
        self.chainable = [pair for pair in (("add", "sub"), ("mul", "div")) if set(pair) <= names]

    def program(self) -> Program:
        return Program(tuple(self.inputs), tuple(self.steps))

    def add_input(self, name: str, value: float) -> None:
        self.inputs.append((name, value))
        self.values.append(value)

    def _push(self, op: str, args: Sequence[Arg]) -> int | None:
        """Append a step if its value is finite and moderate; return its slot."""
        operands = [a.value if isinstance(a, Const) else self.values[a] for a in args]
        try:
            out = float(OPS[op].forward(*operands))
        except (ArithmeticError, ValueError):
            return None
        if not math.isfinite(out) or abs(out) > BIG or 0.0 < abs(out) < TINY:
            return None
        if out == 0.0 and op in _UNDERFLOWS:
            return None
        self.steps.append(Step(op, tuple(args)))
        self.values.append(out)
        return len(self.values) - 1

    def _slot(self) -> int:
        # Slots nothing uses yet come first, newest first: most steps then feed the
        # output (a bug in an unused step cannot show), and 0 shrinks to a plain chain.
        used = {a for step in self.steps for a in step.args if not isinstance(a, Const)}
        newest_first = range(len(self.values) - 1, -1, -1)
        order = [s for s in newest_first if s not in used] + [s for s in newest_first if s in used]
        pick: int = self.draw(st.integers(0, len(order) - 1))
        return order[pick]

    def _shift(self, slot: int, region: Region, bound: float = BIG) -> int:
        """``slot`` if safely inside ``region`` and within ``bound``, else ``slot + c`` on a drawn point."""
        value = self.values[slot]
        if _safely_in(region, value) and abs(value) <= bound:
            return slot
        # A bounded op (tanh, sin) gets targets across its bound, not mostly tiny ones.
        low = 1e-3 if bound < BIG else 1e-8
        target = self.draw(points(region=region, min_magnitude=low, max_magnitude=min(bound, 1e8)))
        for goal in (target, _into(region, 1.0)):
            shifted = self._push("add", (slot, Const(goal - value)))
            if shifted is not None and _safely_in(region, self.values[shifted], value):
                return shifted
            if shifted is not None:
                self.steps.pop()
                self.values.pop()
        return slot

    def _number(self, op: Op, index: int) -> float:
        if op.name == "powi":
            exponent: int = self.draw(st.integers(-3, 4))
            return float(exponent)
        if op.name == "powc":
            # Halves and quarters: never integral, so engines pick x ** k, not x ** n; and
            # exact in binary (a third is not: its exact value has a 2**54 denominator).
            num: int = self.draw(st.integers(-6, 6))
            den: int = self.draw(st.sampled_from((2, 4)))
            if num % den == 0:
                num += 1
            return num / den
        number: float = self.draw(points(region=op.domain[index]))
        return number

    def apply(self, op: Op) -> None:
        args: list[Arg] = []
        # Which operand (if any) is a number: 0 none, 1 left, 2 right; never both.
        side = 0
        if op.arity == 2 and op.constant:
            side = 2
        elif op.arity == 2:
            pick = self.draw(st.integers(0, 5))
            if pick == 1 and op.name in self.config.left:
                side = 1
            elif pick == 2 and op.name in self.config.right and op.name != "pow":
                side = 2
        same = op.arity == 2 and side == 0 and self.draw(st.integers(0, 5)) == 5
        for i in range(op.arity):
            if side == i + 1:
                args.append(Const(self._number(op, i)))
            elif same and i == 1:
                args.append(args[0])
            else:
                region = op.domain[i]
                if op.name == "pow" and i == 1:
                    region = _between(-4.0, 4.0)
                args.append(self._shift(self._slot(), region, _CALM.get(op.name, BIG)))
        if self._push(op.name, args) is None:
            self._retry_calm(op, args)

    def _retry_calm(self, op: Op, args: list[Arg]) -> None:
        """The step overflowed: move its operands near 1 and try once more."""
        calm: list[Arg] = []
        for arg in args:
            if isinstance(arg, Const):
                calm.append(arg)
                continue
            # (0.25, 2) lies inside every operand region and overflows no op.
            calm.append(self._shift(arg, _between(0.25, 2.0)))
        self._push(op.name, calm)

    def kink(self) -> None:
        """Apply a kinked op exactly at a kink, or a hair away from it."""
        op = self.draw(st.sampled_from(self.kinked))
        point = self.draw(st.sampled_from(op.kinks))
        slot = self.draw(st.integers(0, len(self.inputs) - 1))
        # A leaf is exact, and x - c is exact when c is near x (Sterbenz),
        # so the engine and the exact mirror both see exactly point + offset.
        offset = self.draw(st.sampled_from((0.0, 1e-9, -1e-9, 1e-6, -1e-6, 0.5, -0.5)))
        moved = self._push("sub", (slot, Const(self.values[slot] - point - offset)))
        if moved is not None:
            self._push(op.name, (moved,))

    def chain(self, depth: int) -> None:
        """A chain ``depth`` steps deep whose values and gradients stay exact."""
        up, down = self.draw(st.sampled_from(self.chainable))
        c = 0.5 if up == "add" else self.draw(st.sampled_from((2.0, 0.5, 4.0)))
        slot = self._slot()
        for k in range(depth):
            moved = self._push(up if k % 2 == 0 else down, (slot, Const(c)))
            if moved is None:
                return
            slot = moved


def _between(lo: float, hi: float) -> Region:
    return Region(((lo, hi),))


def _safely_in(region: Region, value: float, scale: float = 0.0) -> bool:
    """In the region with room to spare for rounding of an earlier computation."""
    if region.integer:
        return value in region
    room = 1e-9 * max(abs(scale), abs(value)) + TINY
    return any(lo + room < value < hi - room for lo, hi in region.intervals) and (
        region is not POSITIVE or value > TINY
    )
