"""The verdict on one engine run: certified exact values, the per-node checks, and the end-to-end check.

What the verdicts promise (the README says the same):

- every exact value is a ball that provably holds the true value, and only
  its certified digits are printed;
- ``fail``: some number lies outside everything a correct float64 engine
  may compute (``allowance``), at the engine's own operands; the blamed step
  is the first node whose check fails;
- ``pass``: every checked number is one a correct engine may compute, and
  the check could have failed: a sign-flipped or doubled gradient would not
  pass, and the best float64 engine resolves the exact gradient;
- ``inconclusive``: no float64 engine can resolve the value here
  (ill-conditioned forward, cancellation, overflow), the oracles disagree,
  or the balls could not be made tight enough; the reason is given;
- ``undefined``: the function or its gradient has no finite real value at
  this point (outside an op's domain, or beyond float64's range).
"""

from __future__ import annotations

import contextlib
import gc
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..oracle.ball import Ball, ball, finite, span_text, text, tight, to_float, workprec
from ..oracle.exact import Exact, Node, UndefinedAt, exact, plan
from ..oracle.fd import Difference, differences
from ..program import Const, Program
from ..report import Fault, InputRow, Report, Verdict
from .allowance import Allowed
from .blame import blame, show, written
from .details import difference_notes, kink_notes, lazy, node_rows, shown_formulas
from .floats import Fl, reduction_error
from .given import as_floats, checked_slots
from .local import Sweep, operand_floats, sweep
from .lossy import LOSSY, fragile_notes

PRECISIONS = (128, 256, 512, 1024, 2048, 4096, 8192, 16384)
"""Bits tried for the exact witness, until every reported value is certified."""
CERTIFIED_BITS = 113
"""An exact value is certified when its ball is this tight (34 digits), or below ``FLOOR``."""
FLOOR = ball(2.0) ** -1200
"""Absolute radius below which a ball is tight whatever its size: below every float's spacing."""
ESCALATION_SECONDS = 10.0
"""Raising the precision stops once a check has spent this long on it."""
DIGITS = 34
"""Significant digits shown for exact values."""
WIDE = 0.5
"""The best float64 engine must be within this fraction of the exact gradient for a check to decide."""
MIN_NORMAL = 2.2250738585072014e-308
REDUCED = ("sin", "cos")
"""Ops whose library result carries an argument reduction's absolute error (``floats.reduction_error``)."""
MAX_FAULTS = 50
STEPPED = ("div", "pow", "powc", "powi")
"""Ops whose accepted rules take the adjoint through a hidden step: x * y**-1, and a power's
gradient taken first, (g * k) * x**(k - 1) or (g * out) * log(x)."""
DIRECT = {("div", 0)}
"""Operands of a STEPPED op whose adjoint no rule takes through a hidden step: x's in x / y is g / y or
g * y**-1, one product (the hidden product g * x of x * y**-1 is y's)."""
UNDERFLOW = MIN_NORMAL / 4
"""A hidden step's product below this has lost more than the allowance's few ulps: rounded to the
subnormal spacing 2**-1074, its relative error exceeds 2**-1075 / UNDERFLOW = 4 * 2**-53."""
RULE_ROUNDING = 2.0**-1073
"""What y**-2 gone subnormal in x * y**-1 may be off by: half its spacing 2**-1074, doubled for the
products around it (g * x, and the product of the two)."""
OVERFLOW = 1.7976931348623157e308 / 16
"""A consumer's adjoint times its largest operand (or reciprocal) above this may overflow in a rule taken
in steps: 16 (4 bits) is the margin for the other factors such a rule multiplies in first."""
SUBNORMAL_SPREAD = MIN_NORMAL
"""A subnormal exact gradient is decided only while correct engines' results (and the most careful
one's drift) stay within this: beyond, rounding alone spreads them over more than a normal float."""
SIGN_RESOLVED = 2.0**-1072
"""4 subnormal spacings: below it a few libm ulps are the whole value, so its sign is rounding's;
above it a gradient whose sign flip a correct engine may give is not decided."""
ILL_CONDITIONED = 1e-8
"""An output off by more than this (relative) while every op is right gets a note: ill-conditioned."""


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """The cyclic garbage collector off for the block: a check allocates millions of acyclic objects
    (balls, floats, lists) and gen-2 collections over them cost about a third of a large check."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check_run(
    program: Program,
    data: Sequence[float | None],
    grad: Sequence[float | None],
    *,
    inputs: Sequence[int] | None = None,
) -> Report:
    """Verify one engine run: ``data[i]``/``grad[i]`` are slot i's value and gradient (None if not given)."""
    with no_gc_pauses():
        return _check_run(program, data, grad, inputs, {}, memo=False)


Run = Callable[[Sequence[float | None], Sequence[float | None]], Report]
"""``check(data, grad)``: one engine run of a program, judged."""


def judge_runs(program: Program, *, inputs: Sequence[int] | None = None) -> Run:
    """``check_run`` for many engines' runs of one program: ``check(data, grad)`` gives each one's report,
    the same as ``check_run``'s, with the exact witness and the difference oracle (which depend on the
    program alone) computed on the first run and reused, and each node's allowance kept for the runs
    that give it the same operands and value."""
    shared: dict[tuple[int, ...], _Witness] = {}

    def check(data: Sequence[float | None], grad: Sequence[float | None]) -> Report:
        with no_gc_pauses():
            return _check_run(program, data, grad, inputs, shared, memo=True)

    return check


@dataclass
class _Witness:
    """What a check computes from the program alone: its planned nodes, the exact witness (or where
    the program is undefined), and the difference oracle's answers, made when first read."""

    program: Program
    nodes: list[Node]
    ex: Exact | None
    uncertified: set[int]
    undefined: UndefinedAt | None
    allowances: dict[tuple[float | None, ...], Allowed] | None = None
    """Each node's allowance by its operands and value (``sweep``'s memo), where runs share it."""
    _differences: tuple[list[Difference], bool] | None = None

    def differences(self) -> tuple[list[Difference], bool]:
        if self._differences is None:
            assert self.ex is not None
            n = len(self.program.inputs)
            self._differences = differences(self.program, self.nodes, self.ex.values, self.ex.adjoints[:n])
        return self._differences


def _witness(program: Program, slots: list[int], shared: dict[tuple[int, ...], _Witness],
             memo: bool) -> _Witness:
    known = shared.get(tuple(slots))
    if known is not None:
        return known
    nodes = plan(program)
    try:
        ex, uncertified = certified(program, nodes, slots)
        made = _Witness(program, nodes, ex, uncertified, None, {} if memo else None)
    except UndefinedAt as error:
        made = _Witness(program, nodes, None, set(), error)
    shared[tuple(slots)] = made
    return made


def _check_run(
    program: Program, data: Sequence[float | None], grad: Sequence[float | None],
    inputs: Sequence[int] | None, shared: dict[tuple[int, ...], _Witness], *, memo: bool,
) -> Report:
    if not isinstance(program, Program):
        raise TypeError(f"check_run needs a Program, not {type(program).__name__}")
    slots = checked_slots(program, data, grad, inputs)
    names = program.slot_names()
    data_f = as_floats(data, "value")
    grad_f = as_floats(grad, "gradient")
    witness = _witness(program, slots, shared, memo)
    nodes, ex, uncertified = witness.nodes, witness.ex, witness.uncertified
    if witness.undefined is not None:
        why = f"undefined at {names[witness.undefined.slot]}: {witness.undefined.reason}"
        return Report("undefined", data_f[-1], "", [], [], [why], program)
    assert ex is not None
    finite_data = [d if d is None or math.isfinite(d) else None for d in data_f]
    finite_grad = [g if g is None or math.isfinite(g) else None for g in grad_f]
    found = sweep(program, nodes, finite_data, finite_grad, ex.values, witness.allowances)
    notes: list[str] = []
    faults = _forward_faults(program, nodes, names, data_f, found, ex)
    hidden = overflowing(program, data_f, grad_f, found)
    left = _left_domain(program, found)
    past = _through_left(program, left)
    faults += _non_finite(names, data_f, grad_f, found, hidden | past, left)
    lost = underflowing(program, finite_data, finite_grad, found)
    faults += [f for f in blame(program, nodes, names, finite_data, finite_grad, found) if f.slot not in lost]
    if len(faults) > MAX_FAULTS:
        notes.append(f"more than {MAX_FAULTS} faults: only the first {MAX_FAULTS} are listed")
        faults = faults[:MAX_FAULTS]
    notes += _imprecise(program, nodes, names, finite_data, found)
    notes += _sweep_notes(program, nodes, names, finite_data, found, ex)
    notes += kink_notes(program, nodes, ex, names)
    diffs, per_input = witness.differences()
    notes += difference_notes(diffs, per_input)
    value = data_f[-1]
    if value is not None and math.isfinite(value) and not faults:
        off = _relative(value, ex.values[-1])
        if off > ILL_CONDITIONED:
            notes.append(f"the engine's value {value!r} is off from the exact one by {off:.3g} (relative), "
                         "yet every op is right to rounding: the forward is ill-conditioned here")
    shown = lazy(lambda: shown_formulas(program, slots, ex))
    rows = [_row(s, names, grad_f, ex, s not in uncertified, found, diffs if per_input else None, shown,
                 hidden, lost, past) for s in slots]
    lossy = any(r.verdict == "pass" and (g := grad_f[s]) is not None and g not in found.close(s)
                for s, r in zip(slots, rows, strict=True))
    if lossy:  # a pass through a lossy accepted rule: say which textbook formula lost the digits
        notes += fragile_notes(program, nodes, names, finite_data, finite_grad, found, ex)
    oracle_disagrees = any(not d.why and not d.agrees for d in diffs)
    verdict = _verdict(faults, rows, oracle_disagrees, found)
    if verdict == "pass" and left:  # the engine's output is not the function's value here
        verdict = "inconclusive"
    if verdict == "fail" and not faults:
        faults += _unblamed(rows)
    report = Report(verdict, value, text(ex.values[-1], DIGITS), rows, faults, notes, program)
    report.node_rows = lambda: node_rows(program, nodes, names, data_f, grad_f, ex)
    return report


def _sweep_notes(program: Program, nodes: list[Node], names: Sequence[str], data: Sequence[float | None],
                 found: Sweep, ex: Exact) -> list[str]:
    """What the sweep could not check: an op's domain left by the engine's values, nodes without adjoints."""
    notes = []
    if found.undefined:
        s, why = next(iter(found.undefined.items()))
        notes.append(f"the engine's own values leave an op's domain: {names[s]} = "
                     f"{written(nodes[s - len(program.inputs)], names, _values(data, ex))}: {why}")
    if found.unchecked:
        unchecked = "1 node" if found.unchecked == 1 else f"{found.unchecked} nodes"
        notes.append(f"{unchecked} had no engine adjoint to check, or a consumer without one")
    return notes


def _unblamed(rows: list[InputRow]) -> list[Fault]:
    """A fault for each failing input when the engine gave no per-node gradients to blame an op."""
    return [Fault("gradient", r.slot, r.name, "", None, (), r.exact, r.autograd,
                  f"the gradient of {r.name} is off by more than rounding explains; "
                  "the engine gave no per-node gradients to blame an op")
            for r in rows if r.verdict == "fail"]


def certified(program: Program, nodes: list[Node], slots: list[int]) -> tuple[Exact, set[int]]:
    """The exact witness at rising precision, until the output value and the reported adjoints are tight.

    Returns it with the reported slots still not certified. At a kink an
    adjoint is a true interval (every derivative between the one-sided ones):
    its radius stops shrinking as the precision rises, and then it is settled.
    """
    started = time.monotonic()
    ex = previous = None
    open_slots = set(slots)
    for bits in PRECISIONS:
        ex = None  # the last precision's balls go before the next are made: a big graph's memory
        ex = exact(program, nodes, bits, keep_partials=False)
        with workprec(bits):
            value_ok = tight(ex.values[-1], CERTIFIED_BITS, FLOOR)
            open_slots = {s for s in slots if not _settled(ex, previous, s)}
        if (not ex.unsure and value_ok and not open_slots) or time.monotonic() - started > ESCALATION_SECONDS:
            break
        previous = _Previous(list(ex.kinks), {s: ex.adjoints[s] for s in slots})
    assert ex is not None
    if ex.unsure:
        open_slots = set(slots)
    return ex, open_slots


@dataclass
class _Previous:
    """What ``_settled`` needs of the last precision: its kinks and the reported slots' adjoints."""

    kinks: list[int]
    adjoints: dict[int, Ball]


def _settled(ex: Exact, previous: _Previous | None, s: int) -> bool:
    a = ex.adjoints[s]
    if tight(a, CERTIFIED_BITS, FLOOR):
        return True
    if not ex.kinks or previous is None or previous.kinks != ex.kinks or not a.is_finite():
        return False
    return bool(a.rad() * 2 > previous.adjoints[s].rad())


def _values(data: Sequence[float | None], ex: Exact) -> list[float]:
    return [d if d is not None else to_float(ex.values[s]) for s, d in enumerate(data)]


def _relative(x: float, exact_value: Ball) -> float:
    with workprec(128):
        e = ball(x) - exact_value
        size = abs(exact_value)
        if size.is_zero():
            return abs(x)
        return float(abs(e) / size)


def _forward_faults(
    program: Program, nodes: list[Node], names: Sequence[str], data: Sequence[float | None],
    found: Sweep, ex: Exact,
) -> list[Fault]:
    first = len(program.inputs)
    values = _values([d if d is None or math.isfinite(d) else None for d in data], ex)
    faults = []
    for s in found.forward_faults:
        node = nodes[s - first]
        actual = data[s]
        assert actual is not None
        here = found.allowed[s]
        exact_value = here.exact_value
        mid = exact_value.lo / 2 + exact_value.hi / 2
        off = abs(actual - mid) / abs(mid) if mid else math.inf
        faults.append(Fault(
            "forward", s, names[s], node.calc.row.name, s, tuple(_operand_values(node, values)),
            show(exact_value), actual,
            f"{names[s]} = {written(node, names, values)} is {actual!r}, exactly {show(exact_value)} "
            f"(relative error {off:.3g}; a correct engine gives {show(here.value)})",
        ))
    return faults


def _operand_values(node: Node, values: list[float]) -> list[float]:
    return [values[a] if a is not None else c for a, c in zip(node.args, node.consts, strict=True)]  # type: ignore[misc]


def overflowing(program: Program, data: Sequence[float | None], grad: Sequence[float | None],
                found: Sweep) -> set[int]:
    """Slots whose non-finite gradient a correct engine may give: a rule computed in steps overflowed.

    An engine that writes x / y as x * y**-1 passes the adjoint through a hidden
    node, upstream * x first, which overflows where upstream * partial does not;
    the inf (or inf * 0 = nan) then flows on. So nan or inf at a node is allowed
    when a consumer's adjoint times one of its operands, its output or their
    reciprocals leaves float64, or when a consumer's own gradient already did.
    """
    allowed: set[int] = set()
    for s in range(program.size - 1, -1, -1):
        g = grad[s]
        if g is None or math.isfinite(g):
            continue
        for c, _ in found.uses[s]:
            gc = grad[c]
            if gc is None:
                continue
            if not math.isfinite(gc):
                if c in allowed:
                    allowed.add(s)
                    break
                continue
            sizes = _step_sizes(program, data, c)
            if sizes and abs(gc) * max(sizes) > OVERFLOW:
                allowed.add(s)
                break
    return allowed


def _step_sizes(program: Program, data: Sequence[float | None], c: int) -> list[float]:
    """What a rule in steps may multiply step ``c``'s adjoint by first: the magnitudes of its operands,
    its output and its constants, and their reciprocals (finite and nonzero only)."""
    step = program.steps[c - len(program.inputs)]
    values = [data[a] for a in step.args if not isinstance(a, Const)] + [data[c]]
    values += [a.value for a in step.args if isinstance(a, Const)]
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v) and v]
    return sizes + [1 / m for m in sizes]


def underflowing(program: Program, data: Sequence[float | None], grad: Sequence[float | None],
                 found: Sweep) -> set[int]:
    """Slots whose gradient a correct engine may get wrong because a rule computed in steps underflowed.

    The twin of ``overflowing``: in x * y**-1 the adjoint reaching y is upstream * x first, then
    times -y**-2; where upstream * x (or any such product of the adjoint with an operand, the
    output or their reciprocals) is subnormal, its digits are lost before -y**-2 scales it back
    up to a normal number; and so where the rule's factor -y**-2 is itself subnormal, taken
    first. Such a slot, and every slot below one, can only be inconclusive.
    """
    first = len(program.inputs)
    hidden: set[int] = set()
    if not any(step.op in STEPPED for step in program.steps):
        return hidden  # only a rule in steps starts it
    for s in range(program.size - 2, -1, -1):
        for c, i in found.uses[s]:
            if c in hidden:
                hidden.add(s)
                break
            gc = grad[c]
            step = program.steps[c - first]
            if gc is None or not gc or not math.isfinite(gc) or step.op not in STEPPED:
                continue
            if (step.op, i) in DIRECT:
                continue
            sizes = _step_sizes(program, data, c)
            if ((sizes and abs(gc) * min(sizes) < UNDERFLOW)
                    or _rule_underflows(program, data, grad, found, s, c, i)):
                hidden.add(s)
                break
    return hidden


def _rule_underflows(program: Program, data: Sequence[float | None], grad: Sequence[float | None],
                     found: Sweep, s: int, c: int, i: int) -> bool:
    """Whether slot ``s``'s gradient is off only by what div's hidden power rule loses, taken first:
    in x * y**-1 toward y, -1 * y**-2 rounds to the subnormal spacing 2**-1074 (or to 0) before g * x
    scales it back up, an absolute error of at most |g * x| * 2**-1074 (a power step's own partial
    k * x**(k - 1) is rounded so in its allowance already)."""
    step = program.steps[c - len(program.inputs)]
    if step.op != "div" or i != 1:
        return False
    x = step.args[0].value if isinstance(step.args[0], Const) else data[step.args[0]]
    y = step.args[1].value if isinstance(step.args[1], Const) else data[step.args[1]]
    g, gc = grad[s], grad[c]
    if x is None or y is None or g is None or gc is None or not (math.isfinite(x) and y and math.isfinite(y)):
        return False
    if -2.0 * math.log2(abs(y)) >= math.log2(UNDERFLOW):  # in logs: y**-2 is normal, nothing is lost
        return False
    close = found.close(s)
    slack = abs(gc) * RULE_ROUNDING * abs(x)  # in this order: never inf
    return close.lo - slack <= g <= close.hi + slack


def _left_domain(program: Program, found: Sweep) -> set[int]:
    """Slots whose value a correct engine may give as nan or inf: a step undefined at the engine's own
    operands (values right to rounding took it out of its op's domain: sin(x) at x = 5e66 one ulp
    away), and every step that uses one."""
    left = set(found.undefined)
    if left:
        first = len(program.inputs)
        for j, step in enumerate(program.steps):
            if any(not isinstance(a, Const) and a in left for a in step.args):
                left.add(first + j)
    return left


def _through_left(program: Program, left: set[int]) -> set[int]:
    """Slots whose adjoint a correct engine computes from a value in ``left`` (nan or inf there): the
    operands of a step in it (its partials read its operands and its value), and, from the output back,
    the operands of every step whose adjoint is one."""
    reached: set[int] = set()
    if left:
        first = len(program.inputs)
        for j in range(len(program.steps) - 1, -1, -1):
            if first + j in left or first + j in reached:
                reached.update(a for a in program.steps[j].args if not isinstance(a, Const))
    return reached


def _non_finite(
    names: Sequence[str], data: Sequence[float | None], grad: Sequence[float | None], found: Sweep,
    allowed: set[int], left: set[int],
) -> list[Fault]:
    """nan and inf where a correct engine gives a finite number (where the envelope overflows, or a rule in
    steps may overflow, allowed; a value past a step the engine's own values took out of its domain too)."""
    faults = []
    for s, d in enumerate(data):
        if d is not None and not math.isfinite(d) and s not in left:
            faults.append(Fault("non-finite", s, names[s], "", s, (), "a finite number", d,
                                f"the engine's value of {names[s]} is {d}"))
    for s, g in enumerate(grad):
        if g is not None and not math.isfinite(g) and found.envelope(s).finite and s not in allowed:
            faults.append(Fault("non-finite", s, names[s], "", None, (), show(found.envelope(s)), g,
                                f"the engine's gradient of {names[s]} is {g}; a correct engine gives "
                                f"{show(found.envelope(s))}"))
    return faults


def _imprecise(
    program: Program, nodes: list[Node], names: Sequence[str], data: Sequence[float | None], found: Sweep
) -> list[str]:
    first = len(program.inputs)
    values = [d if d is not None else math.nan for d in data]
    notes = []
    for s in found.imprecise[:1]:
        node = nodes[s - first]
        here = found.allowed[s]
        actual = data[s]
        assert actual is not None
        why = "what a formula the op accepts gives here (it loses digits)"
        if node.calc.row.name in REDUCED and reduction_error(operand_floats(node, values)[0]):
            why = (f"what a math library gives here: its {node.calc.row.name} reduces the argument modulo "
                   "pi/2 with an absolute error, thousands of ulps of a value this close to 0")
        notes.append(f"imprecise forward: {names[s]} = {written(node, names, values)} is {actual!r}, exactly "
                     f"{show(here.exact_value)}: more than rounding, but {why}; its gradient is still "
                     "checked")
    return notes


def _row(
    s: int, names: Sequence[str], grad: Sequence[float | None], ex: Exact, certified: bool, found: Sweep,
    diffs: list[Difference] | None, shown: Callable[[], dict[int, str]], hidden: set[int], lost: set[int],
    past: set[int],
) -> InputRow:
    g = grad[s]
    exact_g = ex.adjoints[s]
    kink = bool(ex.kinks) and not exact_g.is_exact() and certified and not tight(
        exact_g, CERTIFIED_BITS, FLOOR)
    exact_text = span_text(exact_g) if kink else text(exact_g, DIGITS)
    fd = ""
    fd_ok = True
    if diffs is not None and s < len(diffs):
        fd = diffs[s].shown()
        fd_ok = diffs[s].agrees
    if g is None:
        return InputRow(names[s], s, None, exact_text, fd, None, None, "inconclusive",
                        "the engine gave no gradient", shown)
    rel, ulps = _error(g, exact_g)
    envelope, best = found.envelope(s), found.best(s)

    def row(verdict: str, note: str) -> InputRow:
        return InputRow(names[s], s, g, exact_text, fd, rel, ulps, verdict, note, shown)

    if not math.isfinite(g):
        if s in past:
            return row("inconclusive", f"the engine's gradient is {g}: its own values leave an op's "
                                       "domain on the way here, and a correct engine's rules read them")
        return row(*_non_finite_row(g, s in hidden, envelope.finite))
    if not certified:
        reason = ex.unsure[0][1] if ex.unsure else "cancellation"
        return row("inconclusive", f"the exact gradient could not be certified ({reason})")
    if not fd_ok:
        return row("inconclusive", "oracle fault: finite difference and exact gradient disagree")
    if _correctly_rounded(g, exact_g):
        return row("pass", "")
    if g not in envelope and s in lost:
        return row("inconclusive", "a rule computed in steps (x * y**-1, (g * k) * x**(k - 1)) underflows "
                                   "float64 on its way here: its digits are lost before a later factor "
                                   "scales it back up")
    if g not in envelope:
        return row("fail", f"no correct float64 engine gives this: it gives {show(envelope)} here")
    if not best.finite or not envelope.finite:
        return row("inconclusive", "an adjoint on the way here overflows float64")
    if not kink:
        unresolved = _unresolved(exact_g, best, envelope)
        if unresolved:
            return row("inconclusive", unresolved)
    note = ""
    close = found.close(s)
    if g not in close:  # quote both sets as sets: envelope's midpoint can print as the engine's own value
        note = (f"{LOSSY} (rules that keep them give {show(close)};"
                f" a correct engine gives anything in [{envelope.lo!r}, {envelope.hi!r}])")
    return row("pass", note)


def _non_finite_row(g: float, hidden: bool, finite_envelope: bool) -> tuple[str, str]:
    """The verdict and note for an inf or nan gradient (``hidden``: a rule in steps overflows on the way)."""
    if not finite_envelope:  # first: every correct engine may overflow here, whatever its rules
        return "inconclusive", "the gradient overflows float64 on its way here"
    if hidden:
        return ("inconclusive", f"the engine's gradient is {g}: a rule computed in steps "
                                "(x * y**-1) overflows float64 on its way here, though the exact "
                                "gradient is finite")
    return "fail", f"the engine's gradient is {g}"


def _unresolved(exact_g: Ball, best: Fl, envelope: Fl) -> str:
    """Why no float64 engine resolves the exact gradient here (ill-conditioned, cancelling), or ''."""
    exact_f = to_float(exact_g)
    # How far the most careful engine lands from the exact value, at the engine's forward values:
    # rounding in the forward moved it there (ill-conditioned), or the backward's sum cancels.
    drift = max(abs(best.lo - exact_f), abs(best.hi - exact_f))
    drifted = best.distance(exact_f)
    if abs(exact_f) >= MIN_NORMAL:
        if drift > WIDE * abs(exact_f):
            return (f"ill-conditioned: even the most careful float64 engine may give "
                    f"{show(best)} here, against an exact value of {text(exact_g, 6)}")
        if -exact_f in envelope or (math.isfinite(2 * exact_f) and 2 * exact_f in envelope):
            return (f"the rules a correct engine may use lose the digits here: "
                    f"anything in {show(envelope)} is possible")
    elif drift > SUBNORMAL_SPREAD:
        why = ("the engine's forward values put" if drifted > SUBNORMAL_SPREAD
               else "rounding that cancels leaves")
        return (f"ill-conditioned: {why} even the most careful float64 engine at "
                f"{show(best)}, against an exact value of {text(exact_g, 6)}")
    elif envelope.magnitude > SUBNORMAL_SPREAD:
        return (f"cancellation: the exact value is {text(exact_g, 6)}, and rounding "
                f"that cancels lets a correct engine give anything in "
                f"{show(envelope)}")
    elif abs(exact_f) >= SIGN_RESOLVED and -exact_f in envelope:  # its sign flip would pass: no check
        return (f"cancellation: the exact value is {text(exact_g, 6)}, and rounding that cancels "
                f"lets a correct engine give either sign: anything in {show(envelope)}")
    return ""


def _correctly_rounded(g: float, exact_g: Ball) -> bool:
    """Whether every value in the exact ball rounds to ``g``: the right answer, whatever the rules."""
    return float(exact_g.lower()) == g == float(exact_g.upper())


def _error(g: float, exact_g: Ball) -> tuple[float | None, float | None]:
    """How far ``g`` lies from the exact ball: relative, and in ulps of the exact value (None if unknown)."""
    if not math.isfinite(g) or not finite(exact_g):
        return None, None
    with workprec(128):
        x = ball(g)
        lo, hi = exact_g.lower(), exact_g.upper()
        err = float(lo - x) if x < lo else float(x - hi) if x > hi else 0.0
        size = float(exact_g.abs_upper())
    rel = err / size if size else (0.0 if err == 0 else None)
    ulps = 0.0 if err == 0 else (err / math.ulp(size) if size else None)
    return rel, ulps


def _verdict(faults: list[Fault], rows: list[InputRow], oracle_disagrees: bool, found: Sweep) -> Verdict:
    """``oracle_disagrees``: a finite difference disagreed with the exact gradient (the witnesses
    contradict each other, so no verdict but inconclusive is honest)."""
    if faults or any(r.verdict == "fail" for r in rows):
        return "fail"
    if any(r.verdict != "pass" for r in rows) or oracle_disagrees:
        return "inconclusive"
    if found.undefined:
        return "inconclusive"
    return "pass"
