"""The verdict on one tensor run: each op checked locally, at the engine's own numbers.

Forward: each output element against what its op may give at the engine's
operands (a scalar op through the scalar allowance, ``verify.judge``; a sum,
mean or dot product through ``allowance``; a copy or a max exactly).
Backward, output first: each node's gradient against the sum over its
consumers of (the consumer's gradient, as the engine has it) x (an allowed
local partial), with the slack of a sum in any order. A wrong number shows
at the node whose consumer's rule made it, so the consumer op is blamed,
with its shapes and axis. Where the engine gave no gradient for a node, the
expected interval stands in for it. Exact gradients (certified balls) come
from the scalar oracle on the lowered program.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..judge.allowance import UndefinedHere, allowed
from ..judge.floats import above, below
from ..oracle.ball import ball, tight, to_float, workprec
from ..oracle.calculus import calculus
from ..oracle.exact import UndefinedAt, exact, plan
from . import allowance, softmax
from . import narrow as narrow_bounds
from . import shapes as sh
from .elements import Copy, Element, Max, Softmax, Sum
from .narrow import U32
from .program import TensorProgram, lower, operand_refs
from .run import Run
from .shapes import Shape

Kind = Literal["forward", "gradient", "grad-shape", "seed", "aliasing", "crash", "shape", "fragility"]
FAULTS: tuple[Kind, ...] = ("forward", "gradient", "grad-shape", "seed", "aliasing", "crash", "shape")
PRECISIONS = (128, 512, 2048)
"""Bits the exact gradients are computed at, raised until each is tight."""
TIGHT_BITS = 60
"""An exact gradient is tight once its ball is narrow to 60 bits: 7 beyond a float64's 53."""
_FLOOR = ball(2.0) ** -1000
"""A ball narrower than 2**-1000 is tight whatever its size (a gradient of 0 has no relative width)."""


@dataclass(frozen=True)
class Finding:
    """One thing no correct engine does, in tensor terms, and the op to blame.

    ``node`` is the culprit op's node (-1 if none), ``tensor`` the node whose
    value or gradient is wrong, ``wrong`` its wrong elements (multi-indices),
    ``expected``/``actual`` the whole tensor as nested lists (expected as
    text where it is an interval).
    """

    kind: Kind
    op: str
    node: int
    tensor: int
    pattern: str
    shapes: tuple[Shape, ...]
    wrong: tuple[tuple[int, ...], ...]
    expected: Any
    actual: Any
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "op": self.op, "node": self.node, "tensor": self.tensor,
                "pattern": self.pattern, "shapes": [list(s) for s in self.shapes],
                "wrong": [list(w) for w in self.wrong], "expected": self.expected, "actual": self.actual,
                "message": self.message}


@dataclass
class Checked:
    """The findings of one run and the exact gradients of the inputs (nested lists of floats)."""

    findings: list[Finding] = field(default_factory=list)
    exact_grads: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    storage: str = ""
    """A narrow dtype the engine stores ("float32", "float16"), or ""."""
    digits: float | None = None
    """Then: how many significant digits its input gradients keep here (None: not comparable)."""

    @property
    def faults(self) -> list[Finding]:
        return [f for f in self.findings if f.kind in FAULTS]


def nested(values: Sequence[Any], shape: Shape) -> Any:
    """Flat row-major values as nested lists of ``shape`` (a 0-d shape gives the value itself)."""
    if not shape:
        return values[0]
    step = sh.size(shape[1:])
    return [nested(values[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def check(program: TensorProgram, run: Run, *, scale: float = 1.0) -> Checked:
    """Judge ``run``; ``scale`` multiplies the reduction allowance (only the guarding tests change it)."""
    result = Checked()
    names = program.names()
    n_in = len(program.inputs)
    if run.error is not None:
        culprit = run.failed if run.stage == "forward" and run.failed is not None else -1
        op = program.nodes[culprit - n_in].op if culprit >= n_in else ""
        result.findings.append(Finding(
            "crash", op, culprit, culprit, _pattern(program, culprit) if op else "",
            _operand_shapes(program, culprit) if op else (), (), None, None,
            _crashed(run) + (f" making {names[culprit]} = {op}" if op else "") + f": {run.error}"))
        return result
    for j, shape in enumerate(program.shapes):
        if run.data_shapes[j] != shape:
            result.findings.append(Finding(
                "shape", program.nodes[j - n_in].op if j >= n_in else "", j, j, _pattern(program, j),
                _operand_shapes(program, j), (), list(shape), list(run.data_shapes[j] or ()),
                f"{names[j]} has shape {run.data_shapes[j]}, not {shape}"))
    if result.findings:
        return result
    data = [d if d is not None else [] for d in run.data]
    narrow = sorted({t for t in run.dtypes if t in ("float32", "float16")})
    _exact(program, data, result)
    if narrow:
        result.storage = narrow[0]
        # at a tie, max's exact gradient is one convention among the correct ones: no digits to count
        result.digits = None if any(n.op == "max" for n in program.nodes) else _digits(run, result)
        result.findings.append(Finding("fragility", "", -1, -1, "", (), (), None, None,
                                       storage_note(result.storage, result.digits)))
    if "float16" in narrow:
        return result
    u = U32 if narrow else allowance.U  # float32: its ops judged as float32 ones
    _forward(program, data, result, scale, u)
    _backward(program, data, run, result, scale, u)
    return result


def _crashed(run: Run) -> str:
    if not run.stage:  # the worker's process died, or hung past its alarm, in this program
        return "the engine's process ended in this program"
    hung = (run.error or "").startswith("no answer")
    return ("the engine's " if hung else "the engine raised in ") + run.stage


def storage_note(storage: str, digits: float | None) -> str:
    """The one fragility a narrow storage is: the digits its gradients keep (the fewest seen)."""
    if digits is None:
        kept = "its gradients could not be compared with the exact ones"
    elif math.isinf(digits):
        kept = "its gradients agree with the exact ones to every digit shown"
    else:
        kept = f"its gradients keep about {digits:.0f} significant digits (float64's about 15)"
    judged = ("its ops are judged with float32's unit roundoff, 2**-24" if storage == "float32"
              else f"{storage} ops are not judged")
    return f"{storage}: {kept}; a storage choice, not a wrong rule ({judged})"


def _digits(run: Run, result: Checked) -> float | None:
    """How many significant digits the engine's input gradients keep against the exact ones (None:
    they cannot be compared; inf: all)."""
    worst = 0.0
    for i, exact_grad in enumerate(result.exact_grads):
        flat = _flatten(exact_grad)
        given = run.grads[i]
        if given is None or len(given) != len(flat):
            return None
        size = max((abs(v) for v in flat), default=0.0) or 1.0
        worst = max(worst, max((abs(g - v) / size for g, v in zip(given, flat, strict=True)), default=0.0))
    return math.inf if worst == 0 else max(0.0, -math.log10(worst))


def _flatten(x: Any) -> list[float]:
    if isinstance(x, list):
        return [v for item in x for v in _flatten(item)]
    return [float(x)]


def _pattern(program: TensorProgram, j: int) -> str:
    n_in = len(program.inputs)
    if j < n_in:
        return ""
    node = program.nodes[j - n_in]
    return node.row.pattern(program.operands(node, program.shapes), node.kwargs)


def _operand_shapes(program: TensorProgram, j: int) -> tuple[Shape, ...]:
    n_in = len(program.inputs)
    if j < n_in:
        return (program.shapes[j],)
    return tuple(program.shapes[a] for a in program.nodes[j - n_in].args if isinstance(a, int))


def _getter(args: Sequence[int | float], data: Sequence[Sequence[float]]) -> Any:
    def get(r: tuple[int, int] | float) -> float:
        if isinstance(r, float):
            return r
        a = args[r[0]]
        return a if isinstance(a, float) else data[a][r[1]]
    return get


def _forward(program: TensorProgram, data: list[list[float]], result: Checked, scale: float,
             u: float) -> None:
    names = program.names()
    for j in range(len(program.inputs), len(program.shapes)):
        args = operand_refs(program, j)
        get = _getter(args, data)
        wrong: list[int] = []
        expected: list[float] = []
        for f, e in enumerate(program.elements(j)):
            y = data[j][f]
            ok, centre = _forward_ok(e, get, y, scale, result, names[j], u)
            expected.append(centre)
            if not ok:
                wrong.append(f)
        if wrong:
            node = program.nodes[j - len(program.inputs)]
            shape = program.shapes[j]
            result.findings.append(Finding(
                "forward", node.op, j, j, _pattern(program, j), _operand_shapes(program, j),
                tuple(sh.unflat(f, shape) for f in wrong), nested(expected, shape), nested(data[j], shape),
                f"{names[j]} = {node.op}({_pattern(program, j)}): {len(wrong)} of {len(expected)} elements "
                "are not what a correct engine computes from the engine's own operands"))
            return  # later nodes read this one's numbers: the first wrong op is the one to name


def _forward_ok(e: Element, get: Any, y: float, scale: float, result: Checked,
                name: str, u: float) -> tuple[bool, float]:
    if isinstance(e, Copy):
        x = get(e.ref)
        return (y == x or (x != x and y != y)), x
    if isinstance(e, Max):
        m = max(get(r) for r in e.refs)
        return y == m, m
    if isinstance(e, Softmax):
        row = [get(r) for r in e.refs]
        exact, err = (softmax.log_softmax_error if e.log else softmax.softmax_error)(row, e.index, scale, u)
        return (math.isfinite(y) and abs(y - exact) <= err), exact
    if isinstance(e, Sum):
        factors = [[get(f) for f in t] for t in e.terms]
        centre, _ = allowance.bound(e, factors, u)
        return allowance.within(y, e, factors, scale, u), float(centre)
    xs = [get(r) for r in e.args]
    calc = calculus(e.op, tuple((i, r) for i, r in enumerate(e.args) if isinstance(r, float)))
    narrow = u != allowance.U
    try:
        here = allowed(calc, xs, y if math.isfinite(y) and not narrow else None,
                       [not isinstance(r, float) for r in e.args])
    except UndefinedHere as error:
        result.notes.append(f"{name}: {error}")
        return True, math.nan
    mid = here.exact_value.lo / 2 + here.exact_value.hi / 2
    if narrow:
        constants = sum(isinstance(r, float) for r in e.args)
        slack = narrow_bounds.value_slack(e.op, xs, constants, mid, scale)
        return (math.isfinite(y) and here.exact_value.lo - slack <= y <= here.exact_value.hi + slack), mid
    return (math.isfinite(y) and y in here.value), mid


def _times(g: tuple[float, float], p: tuple[float, float]) -> tuple[float, float]:
    """Every float an engine gets multiplying [g] by [p] (ends rounded to nearest bound it)."""
    if g == (0.0, 0.0) or p == (0.0, 0.0):
        return 0.0, 0.0
    ends = [g[0] * p[0], g[0] * p[1], g[1] * p[0], g[1] * p[1]]
    ends = [0.0 if x != x else x for x in ends]
    return min(ends), max(ends)


@dataclass
class _Terms:
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def add(self, t: tuple[float, float]) -> None:
        self.lo.append(t[0])
        self.hi.append(t[1])

    def interval(self, scale: float, u: float) -> tuple[float, float]:
        n = len(self.lo)
        if n == 0:
            return 0.0, 0.0
        if n == 1 and u == allowance.U:  # one product, rounded in float64 as the check's own
            return self.lo[0], self.hi[0]
        if not all(math.isfinite(x) for x in self.lo + self.hi):
            return -math.inf, math.inf
        magnitude = math.fsum(max(-a, b) for a, b in zip(self.lo, self.hi, strict=True))
        slack = allowance.accumulation(n + 1, magnitude * (1 + 4 * allowance.U), u) * scale
        return below(math.fsum(self.lo) - slack), above(math.fsum(self.hi) + slack)


def _partials(e: Element, get: Any, y: float, u: float,
              scale: float) -> list[tuple[int, int, tuple[float, float]]]:
    """(operand, element, partial interval) for each operand element ``e`` reads (not a softmax's);
    ``u`` the engine's unit roundoff (float32's: its partials are float32 ones, ``narrow``)."""
    narrow = u != allowance.U
    assert not isinstance(e, Softmax)
    if isinstance(e, Copy):
        return [(e.ref[0], e.ref[1], (1.0, 1.0))]
    if isinstance(e, Max):
        values = [get(r) for r in e.refs]
        m = max(values)
        tied = [r for r, v in zip(e.refs, values, strict=True) if v == m]
        share = (1.0, 1.0) if len(tied) == 1 else (0.0, 1.0)
        return [(r[0], r[1], share) for r in tied]
    if isinstance(e, Sum):
        d = e.divide
        inv = (1.0, 1.0) if d == 1 else (below(1.0 / d), above(1.0 / d))
        if narrow and d != 1:  # 1/n rounded to float32
            inv = (below(inv[0] * (1 - allowance.gamma(1, u))), above(inv[1] * (1 + allowance.gamma(1, u))))
        out = []
        for t in e.terms:
            if len(t) == 1:
                out.append((t[0][0], t[0][1], inv))
            else:
                a, b = get(t[0]), get(t[1])
                out.append((t[0][0], t[0][1], _times((b, b), inv)))
                out.append((t[1][0], t[1][1], _times((a, a), inv)))
        return out
    xs = [get(r) for r in e.args]
    calc = calculus(e.op, tuple((i, r) for i, r in enumerate(e.args) if isinstance(r, float)))
    try:
        here = allowed(calc, xs, y if math.isfinite(y) and not narrow else None,
                       [not isinstance(r, float) for r in e.args])
    except UndefinedHere:
        return [(r[0], r[1], (-math.inf, math.inf)) for r in e.args if not isinstance(r, float)]
    out = []
    value = here.exact_value.lo / 2 + here.exact_value.hi / 2
    constant = any(isinstance(r, float) for r in e.args)
    for i, r in enumerate(e.args):
        p = here.partials[i]
        if isinstance(r, float) or p is None:
            continue
        lo, hi = p.lo, p.hi
        if narrow:
            slack = narrow_bounds.partial_slack(e.op, i, xs, constant, value, lo / 2 + hi / 2, scale)
            lo, hi = below(lo - slack), above(hi + slack)
        out.append((r[0], r[1], (lo, hi)))
    return out


def _backward(program: TensorProgram, data: list[list[float]], run: Run, result: Checked,
              scale: float, u: float) -> None:
    names = program.names()
    n_in = len(program.inputs)
    count = len(program.shapes)
    terms: list[list[_Terms]] = [[_Terms() for _ in range(sh.size(s))] for s in program.shapes]
    consumers: list[list[int]] = [[] for _ in range(count)]
    ties: list[list[tuple[int, list[int], tuple[float, float]]]] = [[] for _ in range(count)]
    suspects: list[set[int]] = [set() for _ in range(count)]
    """Per node, the ops whose rules its expected gradient went through: its consumers, and theirs
    where a consumer's own gradient is unknown (minitorch keeps gradients on leaves only)."""
    out = count - 1
    terms[out][0].add((1.0, 1.0))
    for j in range(count - 1, -1, -1):
        shape = program.shapes[j]
        expected = [t.interval(scale, u) for t in terms[j]]
        given = run.grads[j]
        gshape = run.grad_shapes[j]
        own: list[tuple[float, float]] = expected
        for c in set(consumers[j]):
            suspects[j] |= {c} | (suspects[c] if run.grads[c] is None else set())
        culprits = sorted(suspects[j])
        if given is not None and gshape != shape:
            message = f"the gradient of {names[j]} has shape {gshape}, but {names[j]} has shape {shape}"
            result.findings.append(_blamed(program, names, "grad-shape", j, culprits, (), list(shape),
                                           list(gshape or ()), message))
            return
        if given is not None:
            wrong = [f for f, (g, (lo, hi)) in enumerate(zip(given, expected, strict=True))
                     if not (math.isfinite(g) and lo <= g <= hi)]
            for c, group, total in ties[j]:
                if set(consumers[j]) == {c} and not _sums_to(given, group, total, scale, u):
                    wrong += [f for f in group if f not in wrong]
            if wrong:
                _gradient_finding(program, names, run, result, j, culprits, wrong, expected, given)
                return  # the nodes below read this one's wrong gradient: the first is the one to name
            own = [(g, g) for g in given]
        if j >= n_in:
            _spread(program, j, own, data, scale, u, terms, consumers, ties)


def _spread(program: TensorProgram, j: int, own: list[tuple[float, float]], data: list[list[float]],
            scale: float, u: float, terms: list[list[_Terms]], consumers: list[list[int]],
            ties: list[list[tuple[int, list[int], tuple[float, float]]]]) -> None:
    """Pass node ``j``'s gradient ``own`` to its operands' terms through each element's rule."""
    args = operand_refs(program, j)
    get = _getter(args, data)
    for f, e in enumerate(program.elements(j)):
        g = own[f]
        if isinstance(e, Softmax):
            if e.index == 0:  # the whole row at once: each input feels every output of its row
                row = [r[1] for r in e.refs]
                got = softmax.backward_rows([data[j][q] for q in row], [own[q] for q in row], e.log, scale, u)
                a = args[0]
                assert isinstance(a, int)
                for q, t in zip(row, got, strict=True):
                    terms[a][q].add(t)
                    consumers[a].append(j)
            continue
        parts = _partials(e, get, data[j][f], u, scale)
        if isinstance(e, Max) and len(parts) > 1:
            a = args[parts[0][0]]
            if isinstance(a, int):
                ties[a].append((j, [p[1] for p in parts], g))
        for k, element, p in parts:
            a = args[k]
            if isinstance(a, float):
                continue
            terms[a][element].add(_times(g, p))
            consumers[a].append(j)


def _sums_to(given: list[float], group: list[int], total: tuple[float, float], scale: float,
             u: float) -> bool:
    """A tie's gradient shares: together they pass on the whole gradient, none more, none negative."""
    share = [given[f] for f in group]
    slack = allowance.accumulation(len(share) + 1, max(abs(total[0]), abs(total[1])), u) * scale
    s = math.fsum(share)
    return total[0] - slack <= s <= total[1] + slack


def _blamed(program: TensorProgram, names: list[str], kind: Kind, j: int, culprits: list[int],
            wrong: tuple[tuple[int, ...], ...], expected: Any, actual: Any, message: str) -> Finding:
    if len(culprits) == 1:
        c = culprits[0]
        node = program.nodes[c - len(program.inputs)]
        return Finding(kind, node.op, c, j, _pattern(program, c), _operand_shapes(program, c), wrong,
                       expected, actual,
                       f"{names[c]} = {node.op}({_pattern(program, c)}) passed back a wrong gradient: "
                       + message)
    if not culprits:
        return Finding(kind, "", -1, j, "", (program.shapes[j],), wrong, expected, actual, message)
    used = ", ".join(f"{names[c]} = {program.nodes[c - len(program.inputs)].op}" for c in culprits)
    return Finding(kind, "", -1, j, f"used by {used}", (program.shapes[j],), wrong, expected, actual,
                   f"{message}; {names[j]} is used by {used}: one of their rules, or adding their "
                   "contributions, is wrong")


def _gradient_finding(program: TensorProgram, names: list[str], run: Run, result: Checked, j: int,
                      culprits: list[int], wrong: list[int], expected: list[tuple[float, float]],
                      given: list[float]) -> None:
    shape = program.shapes[j]
    mids = [lo / 2 + hi / 2 if math.isfinite(lo) and math.isfinite(hi) else math.nan for lo, hi in expected]
    if j < len(program.inputs) and j < len(result.exact_grads):
        mids = _flatten(result.exact_grads[j])  # an input's: the certified exact gradient itself
    where = tuple(sh.unflat(f, shape) for f in sorted(wrong))
    aliased = [b if a == j else a for a, b in run.aliases if j in (a, b)]
    if aliased:
        other = aliased[0]
        consumer = max(j, other)  # the later node's backward stored its gradient in the earlier one
        result.findings.append(Finding(
            "aliasing", _op_of(program, consumer), consumer, j, _pattern(program, consumer),
            _operand_shapes(program, consumer), where, nested(mids, shape),
            nested(given, shape),
            f"the gradient of {names[j]} is the same array as that of {names[other]}: a gradient stored "
            "without a copy (self.grad = out.grad), then changed in place by +=, corrupts the other"))
        return
    if j == len(program.shapes) - 1:
        result.findings.append(Finding("seed", "", -1, j, "", ((),), where, 1.0, given[0],
                                       f"the output's gradient is {given[0]!r}: backward must start from 1"))
        return
    message = f"{len(wrong)} of {len(given)} elements of the gradient of {names[j]} are wrong"
    result.findings.append(_blamed(program, names, "gradient", j, culprits, where, nested(mids, shape),
                                   nested(given, shape), message))


def _op_of(program: TensorProgram, j: int) -> str:
    n_in = len(program.inputs)
    return program.nodes[j - n_in].op if j >= n_in else ""


def _exact(program: TensorProgram, data: list[list[float]], result: Checked) -> None:
    """The certified exact gradient of every input, at the program's inputs (the oracle's answer)."""
    scalar, where = lower(program, data)
    nodes = plan(scalar)
    for bits in PRECISIONS:
        try:
            ex = exact(scalar, nodes, bits)
        except UndefinedAt as error:
            result.notes.append(f"the exact gradient is undefined here: {error.reason}")
            return
        with workprec(bits):
            done = not ex.unsure and all(tight(ex.adjoints[s], TIGHT_BITS, _FLOOR)
                                         for row in where[: len(program.inputs)] for s in row
                                         if isinstance(s, int))
        if done:
            break
    grads = []
    for i, inp in enumerate(program.inputs):
        flat = [to_float(ex.adjoints[s]) if isinstance(s, int) else 0.0 for s in where[i]]
        grads.append(nested(flat, inp.shape))
    result.exact_grads = grads
