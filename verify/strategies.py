"""Hypothesis strategies for expression programs that any micrograd-style engine can build.

``expressions()`` draws SSA ``Program``s: inputs, then steps that apply a row
of the op table to earlier slots or to constants. Every operand lies in its
op's domain *by construction*: when a drawn operand falls outside, a shift
step ``s + c`` moves it to a point drawn from the region, instead of
rejecting the example. The same trick lands operands exactly on kinks
(``relu(x - x0)`` is exactly ``relu(0)``) and keeps values away from
overflow. Shrinking removes steps and simplifies numbers, so a failure ends
as a short program with round constants.

The programs are alive: the output depends on every input and on every step
(a slot nothing used is joined into the output at the end, or dropped where
no join can reach it), so a bug in any step can show. Sharing is common (an
operand is often a slot already used: fan-out), ops are drawn evenly, and so
is each op's layout: ``f(x)``, ``x o y``, ``x o c``, ``c o x`` and ``x o x``
(the same object on both sides). Constants are drawn widely (mostly ``m * 10**e`` with ``e`` from -12
to 12, rarely 0, +-1 or 2), magnitudes from 1e-8 to 1e8, domain edges
(``log`` of 1e-8) and points exactly at and next to kinks.

Helper steps, besides the drawn ones (``helpers=True``, the default):

- shift: ``s + c`` (``add`` with a number) moves an operand into its op's domain;
- kink: ``s - c`` (``sub`` with a number) lands an operand at or beside a kink;
- chain: ``add``/``sub`` (or ``mul``/``div``) with numbers, alternating, hundreds deep,
  only when both ops of the pair are drawn;
- join: ``a + b`` (``add`` of two Values, or a drawn ``sub``/``mul``) joins a slot nothing used
  into the output.

With ``helpers=False`` only the drawn ops (and layouts) appear: shifts, kinks,
chains and joins are made of them when they can be (``add`` or ``sub`` with a
number, ``add``/``sub``/``mul`` of two Values) and left out when they cannot;
an operand that cannot be moved into its op's domain makes the step use
another slot, or be skipped. ``expressions_in(layouts)`` is the same with each
op's layouts given one by one (the audit leaves out those it found a bug in).

This module stays whole at about 550 lines: the builder, the regions it
shifts operands into and the strategies that drive it are one idea (a drawn
program that stays alive and in float64's range), and splitting it would turn
``verify.strategies`` into a package, moving the file the guard tests plant
their errors into.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from micrograd.ops import OPS, POSITIVE, REAL, Op, Region

from .audit.engine.terms import LAYOUTS
from .program import Arg, Const, Program, Step

__all__ = ["expressions", "expressions_in", "points"]

BIG = 1e12
"""No slot's value exceeds this in magnitude: keeps exp, powers and products finite."""
TINY = 1e-12
"""Nor is it below this, unless exactly 0: keeps gradients out of subnormals."""
JOIN_BIG = 1e14
"""Joins (which make every slot feed the output) may go a little beyond ``BIG``."""
_CALM = {"sin": 100.0, "cos": 100.0, "tanh": 20.0, "sigmoid": 20.0}
"""Operands of these ops stay within these bounds: a rounding error in a huge
argument changes sin's value, and beyond 20 tanh and sigmoid round to their
limits so that no float64 engine can get their tiny derivatives right (the
audit's battery covers those tails with exact inputs)."""
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
    return _points(region, min_magnitude, max_magnitude)


@functools.lru_cache(maxsize=256)
def _points(region: Region, min_magnitude: float, max_magnitude: float) -> st.SearchStrategy[float]:
    # Made once per region and bounds: building a strategy costs more than drawing from it.
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


@functools.lru_cache(maxsize=64)
def _constants(region: Region) -> st.SearchStrategy[float]:
    """Numbers for one side of a binary op: mostly m * 10**e over 24 orders of magnitude, rarely simple."""
    # Hypothesis favours a sampled list's ends (and more so in newer versions): 0.5 and -0.5 stand there
    simple = st.sampled_from((0.5, 1.5, 1.0, -1.0, 2.0, 3.0, -2.0, -0.5)).map(lambda x: _into(region, x))
    spread = st.builds(
        lambda m, e, negative: (-1.0 if negative else 1.0) * float(f"{m * 10.0**e:.4g}"),
        st.floats(1.1, 9.9), st.integers(-12, 12), st.booleans(),  # not 1.0: Hypothesis likes bounds
    ).map(lambda x: _into(region, x))
    return st.one_of(spread, spread, spread, spread, simple)  # Hypothesis favours the first branch


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
    layouts: tuple[tuple[str, tuple[str, ...]], ...]
    """op name -> the layouts it is drawn in."""
    max_leaves: int
    max_nodes: int
    max_depth: int
    shift: str | None
    """The op of shift steps (``s + c`` with add, ``s - c`` with sub), or None: no shifts."""
    kink: str | None
    chains: tuple[tuple[str, str], ...]
    joins: tuple[str, ...]

    def of(self, name: str) -> tuple[str, ...]:
        return dict(self.layouts)[name]


def expressions(
    *,
    ops: Collection[str] | None = None,
    max_leaves: int = 3,
    max_nodes: int = 10,
    max_depth: int = 300,
    constants_left: Collection[str] | None = None,
    constants_right: Collection[str] | None = None,
    same_object: Collection[str] | None = None,
    helpers: bool = True,
) -> st.SearchStrategy[Program]:
    """Live expression programs whose every operand is in its op's domain.

    ops              op names to draw (default: every row of ``micrograd.ops.OPS``), evenly
    max_leaves       at most this many inputs (at least 1)
    max_nodes        at most this many drawn steps; helper steps come on top
    max_depth        longest chain motif (0: none); chains make graphs this deep
    constants_left   binary ops that may get a number on the left (``2 - x``);
                     default all that allow it
    constants_right  binary ops that may get a number on the right (``x - 2``);
                     default all. ``powi``/``powc`` always take a number exponent.
    same_object      binary ops that may get the same object on both sides (``x * x``); default all
    helpers          add the helper steps of the module docstring (shift ``add``, kink ``sub``,
                     chains, joins ``add``) even where those ops are not in ``ops``; with False,
                     only ops in ``ops`` appear
    """
    names = list(_ORDER) if ops is None else list(ops)
    if isinstance(ops, str):
        raise InvalidArgument(f"ops={ops!r} must be a collection of op names, not a string")
    unknown = sorted(set(names) - set(OPS))
    if unknown:
        raise InvalidArgument(f"unknown op names {unknown}; known: {sorted(OPS)}")
    if not names:
        raise InvalidArgument("ops must name at least one op")
    binary = {name for name in OPS if OPS[name].arity == 2}
    sides = []
    for label, given in (("constants_left", constants_left), ("constants_right", constants_right),
                         ("same_object", same_object)):
        chosen = set(binary) if given is None else set(given)
        if isinstance(given, str) or not chosen <= binary:
            raise InvalidArgument(f"{label}={given!r} must be a collection of binary op names")
        sides.append(frozenset(chosen))
    left, right, same = sides
    layouts: dict[str, set[str]] = {}
    for name in names:
        row = OPS[name]
        if row.arity == 1:
            layouts[name] = {"f(x)"}
        elif row.constant:
            layouts[name] = {"x o c"}
        else:
            layouts[name] = {"x o y"}
            if name in right and name != "pow":  # x ** 2.0 is powi: pow has a Value exponent
                layouts[name].add("x o c")
            if name in left:
                layouts[name].add("c o x")
            if name in same:
                layouts[name].add("x o x")
    return _strategy(layouts, max_leaves, max_nodes, max_depth, helpers)


def expressions_in(
    layouts: Mapping[str, Collection[str]],
    *,
    max_leaves: int = 3,
    max_nodes: int = 10,
    max_depth: int = 60,
    helpers: bool = False,
) -> st.SearchStrategy[Program]:
    """Like ``expressions`` with each op's layouts named: ``{"mul": {"x o y", "x o c"}, "tanh": {"f(x)"}}``.

    Layouts are "f(x)", "x o y", "x o c", "c o x" and "x o x". With ``helpers=False`` (the
    default here) only these ops in these layouts appear, helper steps included.
    """
    if isinstance(layouts, str) or not isinstance(layouts, Mapping):
        raise InvalidArgument(f"layouts={layouts!r} must map op names to layouts")
    checked: dict[str, set[str]] = {}
    for name, given in layouts.items():
        if name not in OPS:
            raise InvalidArgument(f"unknown op name {name!r}; known: {sorted(OPS)}")
        chosen = set(given)
        if isinstance(given, str) or not chosen <= set(LAYOUTS):
            raise InvalidArgument(f"layouts of {name}: {given!r} must be a collection of {LAYOUTS}")
        if chosen:
            checked[name] = chosen
    if not checked:
        raise InvalidArgument("layouts must give at least one op a layout")
    return _strategy(checked, max_leaves, max_nodes, max_depth, helpers)


def _strategy(layouts: dict[str, set[str]], max_leaves: int, max_nodes: int, max_depth: int,
              helpers: bool) -> st.SearchStrategy[Program]:
    for label, value, least in (("max_leaves", max_leaves, 1), ("max_nodes", max_nodes, 1),
                                ("max_depth", max_depth, 0)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InvalidArgument(f"{label}={value!r} must be an integer >= {least}")
    if max_leaves > len(_NAMES):
        raise InvalidArgument(f"max_leaves={max_leaves} must be <= {len(_NAMES)}")

    def has(op: str, layout: str) -> bool:
        return layout in layouts.get(op, set())

    if helpers:
        shift: str | None = "add"
        kink: str | None = "sub"
        joins = ("add", *(j for j in ("sub", "mul") if has(j, "x o y")))
        chains = tuple(pair for pair in (("add", "sub"), ("mul", "div")) if set(pair) <= set(layouts))
    else:
        shift = next((op for op in ("add", "sub") if has(op, "x o c")), None)
        kink = next((op for op in ("sub", "add") if has(op, "x o c")), None)
        joins = tuple(j for j in ("add", "sub", "mul") if has(j, "x o y"))
        chains = tuple(pair for pair in (("add", "sub"), ("mul", "div"))
                       if all(has(op, "x o c") for op in pair))
    ordered = tuple(OPS[n] for n in sorted(layouts, key=lambda n: (_rank(n), n)))
    table = tuple((op.name, tuple(lay for lay in LAYOUTS if lay in layouts[op.name])) for op in ordered)
    config = _Config(ordered, table, max_leaves, max_nodes, max_depth, shift, kink, chains, joins)
    return _programs(config)


def _rank(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


@st.composite
def _programs(draw: Any, config: _Config) -> Program:
    builder = _Builder(draw, config)
    for name in _NAMES[: draw(st.integers(1, config.max_leaves))]:
        builder.add_input(name, draw(points()))
    drawn = 0
    rotation = draw(st.integers(0, len(config.ops) - 1))
    # A geometric length of at least one step, which shrinks towards a single step.
    while drawn < config.max_nodes and (drawn == 0 or draw(st.integers(0, 6)) > 0):
        drawn += 1
        kind = draw(st.integers(0, 13))
        if kind == 12 and builder.kinked and config.kink is not None:
            builder.kink()
        elif kind == 13 and config.max_depth > 0 and config.chains:
            long = draw(st.integers(0, 3)) == 0
            builder.chain(draw(st.integers(1, config.max_depth if long else min(8, config.max_depth))))
        else:
            builder.apply(_op(draw, config, rotation))
    for _ in range(10):  # the first op may have found no operand in its domain: a program needs a step
        if builder.steps:
            break
        builder.apply(_op(draw, config, rotation))
    assume(bool(builder.steps))
    builder.join_dangling()
    return _alive(builder.program())


def _alive(program: Program) -> Program:
    """Only the inputs and steps the output depends on, renumbered: where no join op was drawn (or a
    join would overflow) a slot may be left unused, and every input must feed the output."""
    live = program.feeding_output()
    first = len(program.inputs)
    if len(live) == program.size:
        return program
    moved: dict[int, int] = {}
    inputs = []
    for s, item in enumerate(program.inputs):
        if s in live:
            moved[s] = len(moved)
            inputs.append(item)
    steps = []
    for s, step in enumerate(program.steps, start=first):
        if s in live:
            moved[s] = len(moved)
            steps.append(Step(step.op, tuple(a if isinstance(a, Const) else moved[a] for a in step.args)))
    return Program(tuple(inputs), tuple(steps))


def _op(draw: Any, config: _Config, rotation: int) -> Op:
    """An op, each about as often as any other: Hypothesis favours the first items of a list, so
    each program turns the list by its own ``rotation``; a failure still shrinks to one step of
    the op it needs (rotation 0, that op's index)."""
    pick: int = draw(st.integers(0, len(config.ops) - 1))
    return config.ops[(pick + rotation) % len(config.ops)]


class _Builder:
    """Grows a program step by step, tracking every slot's float value."""

    def __init__(self, draw: Any, config: _Config) -> None:
        self.draw = draw
        self.config = config
        self.inputs: list[tuple[str, float]] = []
        self.steps: list[Step] = []
        self.values: list[float] = []
        self.kinked = [op for op in config.ops if op.kinks]

    def program(self) -> Program:
        return Program(tuple(self.inputs), tuple(self.steps))

    def add_input(self, name: str, value: float) -> None:
        self.inputs.append((name, value))
        self.values.append(value)

    def _push(self, op: str, args: Sequence[Arg], bound: float = BIG) -> int | None:
        """Append a step if its value is finite and moderate; return its slot."""
        if all(isinstance(a, Const) for a in args):
            return None
        operands = [a.value if isinstance(a, Const) else self.values[a] for a in args]
        try:
            out = float(OPS[op].forward(*operands))
        except (ArithmeticError, ValueError):
            return None
        if not math.isfinite(out) or abs(out) > bound or 0.0 < abs(out) < TINY:
            return None
        if out == 0.0 and op in _UNDERFLOWS:
            return None
        self.steps.append(Step(op, tuple(args)))
        self.values.append(out)
        return len(self.values) - 1

    def _used(self) -> set[int]:
        return {a for step in self.steps for a in step.args if not isinstance(a, Const)}

    def _slot(self) -> int:
        # Usually a slot nothing uses yet, newest first (the graph grows from what feeds the output);
        # often any slot at all, which makes fan-out common. Slot 0 shrinks to a plain chain.
        newest_first = list(range(len(self.values) - 1, -1, -1))
        if self.draw(st.integers(0, 2)) == 2:
            pick: int = self.draw(st.integers(0, len(newest_first) - 1))
            return newest_first[pick]
        used = self._used()
        order = [s for s in newest_first if s not in used] + [s for s in newest_first if s in used]
        pick = self.draw(st.integers(0, len(order) - 1))
        return order[pick]

    def _shift(self, slot: int, region: Region, bound: float = BIG) -> int | None:
        """``slot`` if safely inside ``region`` and within ``bound``, else ``slot + c`` on a drawn point;
        None when it cannot be moved there."""
        value = self.values[slot]
        if _safely_in(region, value) and abs(value) <= bound:
            return slot
        shift = self.config.shift
        if shift is None:
            return None
        # A bounded op (tanh, sin) gets targets across its bound, not mostly tiny ones.
        low = 1e-3 if bound < BIG else 1e-8
        target = self.draw(points(region=region, min_magnitude=low, max_magnitude=min(bound, 1e8)))
        for goal in (target, _into(region, 1.0)):
            c = goal - value if shift == "add" else value - goal
            shifted = self._push(shift, (slot, Const(c)))
            if shifted is not None and _safely_in(region, self.values[shifted], value):
                return shifted
            if shifted is not None:
                self.steps.pop()
                self.values.pop()
        return None

    def _number(self, op: Op, index: int) -> float:
        if op.name == "powi":
            exponent: int = self.draw(st.integers(-3, 5))
            return float(exponent)
        if op.name == "powc":
            # Halves and quarters: never integral, so engines pick x ** k, not x ** n; and
            # exact in binary (a third is not: its exact value has a 2**54 denominator).
            num: int = self.draw(st.integers(-9, 9))
            den: int = self.draw(st.sampled_from((2, 4)))
            if num % den == 0:
                num += 1
            return num / den
        number: float = self.draw(_constants(op.domain[index]))
        return number

    def _operand(self, op: Op, index: int) -> int | None:
        region = op.domain[index]
        if op.name == "pow" and index == 1:
            region = _between(-4.0, 4.0)
        for _ in range(3):
            moved = self._shift(self._slot(), region, _CALM.get(op.name, BIG))
            if moved is not None:
                return moved
        return None

    def apply(self, op: Op) -> None:
        layout = self.draw(st.sampled_from(self.config.of(op.name)))
        args: list[Arg] = []
        if layout == "f(x)":
            a = self._operand(op, 0)
            if a is None:
                return
            args = [a]
        elif layout == "x o c":
            a = self._operand(op, 0)
            if a is None:
                return
            args = [a, Const(self._number(op, 1))]
        elif layout == "c o x":
            b = self._operand(op, 1)
            if b is None:
                return
            args = [Const(self._number(op, 0)), b]
        elif layout == "x o x":
            region = _both(op)
            slot = None
            for _ in range(3):
                slot = self._shift(self._slot(), region, _CALM.get(op.name, BIG))
                if slot is not None:
                    break
            if slot is None:
                return
            args = [slot, slot]
        else:
            a = self._operand(op, 0)
            b = self._operand(op, 1)
            if a is None or b is None:
                return
            args = [a, b]
        if self._push(op.name, args) is None:
            self._retry_calm(op, args)

    def _retry_calm(self, op: Op, args: list[Arg]) -> None:
        """The step overflowed: move its operands near 1 and try once more."""
        calm: list[Arg] = []
        moved: dict[int, int] = {}
        for arg in args:
            if isinstance(arg, Const):
                calm.append(arg)
                continue
            if arg not in moved:
                # (0.25, 2) lies inside every operand region and overflows no op.
                shifted = self._shift(arg, _between(0.25, 2.0))
                if shifted is None:
                    return
                moved[arg] = shifted
            calm.append(moved[arg])
        self._push(op.name, calm)

    def kink(self) -> None:
        """Apply a kinked op exactly at a kink, or a hair away from it."""
        op = self.draw(st.sampled_from(self.kinked))
        point = self.draw(st.sampled_from(op.kinks))
        slot = self.draw(st.integers(0, len(self.inputs) - 1))
        # A leaf is exact, and x - c is exact when c is near x (Sterbenz),
        # so the engine and the exact mirror both see exactly point + offset.
        offset = self.draw(st.sampled_from((0.0, 1e-9, -1e-9, 1e-6, -1e-6, 0.5, -0.5)))
        c = self.values[slot] - point - offset
        moved = self._push(self.config.kink or "sub", (slot, Const(c if self.config.kink == "sub" else -c)))
        if moved is not None:
            self._push(op.name, (moved,))

    def chain(self, depth: int) -> None:
        """A chain ``depth`` steps deep whose values and gradients stay exact."""
        up, down = self.draw(st.sampled_from(self.config.chains))
        c = 0.5 if up == "add" else self.draw(st.sampled_from((2.0, 0.5, 4.0)))
        slot = self._slot()
        for k in range(depth):
            moved = self._push(up if k % 2 == 0 else down, (slot, Const(c)))
            if moved is None:
                return
            slot = moved

    def join_dangling(self) -> None:
        """Join every slot nothing uses into the output, so the output depends on all of them."""
        if not self.config.joins:
            return
        used = self._used()
        last = len(self.values) - 1
        dangling = [s for s in range(last) if s not in used]
        if not self.steps and dangling:  # no step was drawn: the output must be a step
            last = dangling.pop()
        for s in reversed(dangling):
            for op in self._join_order():
                out = self._push(op, (last, s), JOIN_BIG)
                if out is not None:
                    last = out
                    break

    def _join_order(self) -> list[str]:
        joins = list(self.config.joins)
        first = self.draw(st.integers(0, len(joins) - 1))
        return joins[first:] + joins[:first]


def _both(op: Op) -> Region:
    """Where x o x is defined: both operand regions at once (positive for pow, nonzero for div)."""
    a, b = op.domain[0], op.domain[1]
    if a == b:
        return a
    if POSITIVE in (a, b):
        return POSITIVE
    return b if a == REAL else a


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
