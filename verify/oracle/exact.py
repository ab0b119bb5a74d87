"""The exact witness: forward values and reverse-mode adjoints of a program, as certified balls.

Reverse mode runs node by node over the DAG, each local partial from SymPy
(``calculus``) evaluated on balls, so its cost is linear in the graph and
every node gets an enclosure of its exact adjoint. Nothing is trusted beyond
what the balls certify: where a ball straddles a domain edge or a kink, the
answer says so (``unsure``) and the caller raises the precision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..program import Const, Program
from .ball import MAX_FLOAT, UNIT, Ball, ball, finite, workprec
from .calculus import Calculus, calculus


@dataclass(slots=True)
class Node:
    """One step, ready to evaluate: its calculus, operand slots (None for constants), constants."""

    slot: int
    calc: Calculus
    args: tuple[int | None, ...]
    consts: tuple[float | None, ...]
    balls: tuple[Ball | None, ...]
    """The constants as exact balls (made once: a big graph evaluates them many times)."""
    same: bool
    """A binary op on one node twice (x * x)."""
    variable: tuple[bool, ...]
    """Which operands are nodes (True) rather than constants."""


def plan(program: Program) -> list[Node]:
    """Each step of ``program`` paired with its op's calculus (derived once per op and constant)."""
    first = len(program.inputs)
    nodes = []
    found: dict[tuple[str, tuple[tuple[int, float], ...]], Calculus] = {}
    cache: dict[float, Ball] = {}
    # The constants, their balls and the operand kinds repeat across a big graph: one tuple each.
    shared_consts: dict[tuple[float | None, ...], tuple[float | None, ...]] = {}
    shared_balls: dict[tuple[float | None, ...], tuple[Ball | None, ...]] = {}
    shared_kinds: dict[tuple[bool, ...], tuple[bool, ...]] = {}
    for j, step in enumerate(program.steps):
        args: tuple[int | None, ...] = step.args  # type: ignore[assignment]  # no constant: the step's own
        if any(isinstance(a, Const) for a in step.args):
            args = tuple(None if isinstance(a, Const) else a for a in step.args)
        consts = tuple(a.value if isinstance(a, Const) else None for a in step.args)
        consts = shared_consts.setdefault(consts, consts)
        fixed = tuple((i, c) for i, c in enumerate(consts) if c is not None)
        key = (step.op, fixed)
        calc = found.get(key)
        if calc is None:
            calc = found[key] = calculus(step.op, fixed)
        balls = shared_balls.get(consts)
        if balls is None:
            balls = shared_balls[consts] = tuple(None if c is None else _ball_of(c, cache) for c in consts)
        same = len(args) == 2 and args[0] is not None and args[0] == args[1]
        variable = tuple(a is not None for a in args)
        variable = shared_kinds.setdefault(variable, variable)
        nodes.append(Node(first + j, calc, args, consts, balls, same, variable))
    return nodes


def _ball_of(c: float, cache: dict[float, Ball]) -> Ball:
    b = cache.get(c)
    if b is None:
        b = cache[c] = ball(c)
    return b


class UndefinedAt(ArithmeticError):
    """The exact function (or its derivative) is undefined at ``slot``, for certain."""

    def __init__(self, slot: int, reason: str) -> None:
        super().__init__(reason)
        self.slot = slot
        self.reason = reason


def operands(node: Node, values: list[Ball]) -> list[Ball]:
    """The node's operand balls, constants exact."""
    args = node.args  # one or two operands: unrolled, this runs once per node per pass
    a = args[0]
    first = values[a] if a is not None else node.balls[0]
    if len(args) == 1:
        return [first]
    b = args[1]
    return [first, values[b] if b is not None else node.balls[1]]


@dataclass
class Exact:
    """Enclosures of every slot's value and adjoint and every local partial, at ``bits`` of precision."""

    bits: int
    values: list[Ball]
    adjoints: list[Ball]
    partials: dict[int, list[Ball | None]]
    kinks: list[int] = field(default_factory=list)
    """Slots whose operand 0 is exactly on a kink."""
    unsure: list[tuple[int, str]] = field(default_factory=list)
    """Where a decision (domain, kink side, overflow) needs more precision."""


def forward(nodes: list[Node], leaves: list[Ball], unsure: list[tuple[int, str]] | None = None) -> list[Ball]:
    """Every slot's value on balls at the current precision.

    Raises ``UndefinedAt`` where a value is certainly undefined or beyond
    float64; records in ``unsure`` (and stops) where a ball is too wide to tell.
    """
    values = list(leaves)
    for node in nodes:
        xs = operands(node, values)
        v = node.calc.same_value(xs[0]) if node.same else node.calc.value(xs)
        if not finite(v):
            if _certainly_undefined(node, xs):
                raise UndefinedAt(node.slot, f"{node.calc.row.name} is undefined here")
            if unsure is None:
                raise UndefinedAt(node.slot, f"{node.calc.row.name} may be undefined here")
            why = f"cannot tell whether {node.calc.row.name}'s operands are in its domain"
            unsure.append((node.slot, why))
            return values
        if not float(v.abs_upper()) < 1e300:  # the rare big value: compare on balls
            if abs(v) > MAX_FLOAT:
                raise UndefinedAt(node.slot, f"{node.calc.row.name}'s value overflows float64")
            if unsure is not None and (v.contains(MAX_FLOAT) or v.contains(-MAX_FLOAT)):
                why = f"cannot tell whether {node.calc.row.name}'s value fits in float64"
                unsure.append((node.slot, why))
        values.append(v)
    return values


def _certainly_undefined(node: Node, xs: list[Ball]) -> bool:
    """Whether a value or partial that is not finite is so for certain: at exact operands, or at an
    operand outside its op's domain (no more precision would make it finite)."""
    return all(x.is_exact() for x in xs) or _outside(node, xs)


def _outside(node: Node, xs: list[Ball]) -> bool:
    """Whether some operand lies, for certain, outside even the closure of its op's domain (log of -0.96)."""
    for x, region in zip(xs, node.calc.row.domain, strict=True):
        if all(x.upper() < lo or x.lower() > hi for lo, hi in region.intervals):
            return True
    return False


def local_partials(
    node: Node, xs: list[Ball], unsure: list[tuple[int, str]]
) -> tuple[list[Ball | None], bool]:
    """d node / d operand i on balls (None for constants), and whether operand 0 is on a kink."""
    calc = node.calc
    on_kink = False
    out: list[Ball | None] = []
    for i, a in enumerate(node.args):
        if a is None:
            out.append(None)
            continue
        if i == 0 and calc.sides:
            sides = _kink_sides(calc, xs[0])
            if sides is not None:
                on_kink = True
                out.append(sides)
                continue
            if any(xs[0].contains(ball(point)) for point in calc.sides):
                unsure.append((node.slot, f"cannot tell which side of {calc.row.name}'s kink its operand is"))
        p = calc.partial(i, xs)
        if not finite(p):
            if _certainly_undefined(node, xs):
                raise UndefinedAt(node.slot, f"{calc.row.name}'s derivative is undefined here")
            unsure.append((node.slot, f"cannot tell whether {calc.row.name}'s derivative is defined here"))
        out.append(p)
    return out, on_kink


def _kink_sides(calc: Calculus, x: Ball) -> Ball | None:
    """The ball between the one-sided derivatives when ``x`` is exactly a kink."""
    if not x.is_exact():
        return None
    for point, (left, right) in calc.sides.items():
        if x == ball(point):
            lo, hi = min(left, right), max(left, right)
            return UNIT * (hi - lo) + lo if hi != lo else ball(lo)
    return None


def exact(program: Program, nodes: list[Node], bits: int, keep_partials: bool = True) -> Exact:
    """Forward and reverse mode at the program's exact inputs, at ``bits`` bits of working precision.

    ``keep_partials=False`` leaves ``partials`` empty (a big graph's balls; ``partials_at`` remakes
    one node's).
    """
    unsure: list[tuple[int, str]] = []
    with workprec(bits):
        values = forward(nodes, [ball(v) for _, v in program.inputs], unsure)
        if len(values) < program.size:
            nan = ball(float("nan"))
            return Exact(bits, values + [nan] * (program.size - len(values)), [nan] * program.size, {}, [],
                         unsure)
        adjoints: list[Ball] = [ball(0)] * len(values)
        adjoints[-1] = ball(1)
        partials: dict[int, list[Ball | None]] = {}
        kinks: list[int] = []
        live: set[int] | None = None  # made only if needed: on a big graph, a set of every slot
        for node in reversed(nodes):
            xs = operands(node, values)
            try:
                ps, on_kink = local_partials(node, xs, unsure)
            except UndefinedAt:
                if live is None:
                    live = program.feeding_output()
                if node.slot not in live:  # off the output's path: its derivative does not matter
                    partials[node.slot] = [None] * len(node.args)
                    continue
                raise
            if keep_partials:
                partials[node.slot] = ps
            if on_kink:
                kinks.append(node.slot)
            a = adjoints[node.slot]
            if a.is_exact() and a.is_zero():
                continue
            if node.same and not on_kink:
                p = node.calc.same_partial(xs[0])  # one total derivative: x / x passes x exactly 0
                adjoints[node.args[0]] = adjoints[node.args[0]] + a * p  # type: ignore[index]
                continue
            for arg, p in zip(node.args, ps, strict=True):
                if arg is not None and p is not None:
                    adjoints[arg] = adjoints[arg] + a * p
    kinks.reverse()
    return Exact(bits, values, adjoints, partials, kinks, unsure)


def partials_at(ex: Exact, node: Node) -> list[Ball | None]:
    """The node's local partials at the witness's values and precision (kept, or made again)."""
    kept = ex.partials.get(node.slot)
    if kept is not None:
        return kept
    with workprec(ex.bits):
        try:
            return local_partials(node, operands(node, ex.values), [])[0]
        except UndefinedAt:
            return [None] * len(node.args)
