"""The verdict on one engine run: weigh the three witnesses and the per-node checks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import mpmath  # type: ignore[import-untyped]

from ..oracle.exact import Exact, Node, UndefinedAt, exact, plan
from ..oracle.fd import Difference, differences
from ..oracle.formula import formulas, value_at
from ..oracle.partials import formula
from ..oracle.span import Num, Span, as_span, distance, magnitude
from ..program import Const, Program
from ..report import Fault, InputRow, NodeRow, Report, Verdict
from .local import Local, check_nodes

PRECISIONS = ((40, 60), (100, 140))
"""Digits for the exact witness: computed at both of a pair, trusted where they agree."""
DIGITS = 34
"""Significant digits shown for exact values."""
STABLE = mpmath.mpf(10) ** -32
WIDE = 0.5
"""A check whose allowance exceeds this fraction of the exact value cannot tell right from wrong."""


def check_run(
    program: Program,
    data: Sequence[float | None],
    grad: Sequence[float | None],
    *,
    inputs: Sequence[int] | None = None,
) -> Report:
    """Verify one engine run: ``data[i]``/``grad[i]`` are slot i's value and gradient (None if not given)."""
    if not isinstance(program, Program):
        raise TypeError(f"check_run needs a Program, not {type(program).__name__}")
    size = program.size
    if len(data) != size or len(grad) != size:
        raise ValueError(f"the program has {size} slots but data has {len(data)} and grad {len(grad)}")
    slots = list(range(len(program.inputs))) if inputs is None else list(inputs)
    for s in slots:
        if not (isinstance(s, int) and 0 <= s < size):
            raise ValueError(f"input slot {s!r} is not a slot of the program (0..{size - 1})")
    names = program.names()
    faults: list[Fault] = []
    data = _finite(data, "value", names, faults, "forward")
    grad = _finite(grad, "gradient", names, faults, "gradient")
    nodes = plan(program)
    try:
        low, high = _exact_pair(program, nodes)
    except UndefinedAt as error:
        where = names[error.slot]
        why = f"undefined at {where}: {error.reason}"
        return Report("undefined", data[-1], "", [], [], [], [why], program)

    notes: list[str] = []
    local = check_nodes(program, nodes, data, grad, low.values)
    faults.extend(local.faults)
    notes.extend(local.notes)
    if local.undefined:
        notes.append(f"the engine's own values leave an op's domain: {local.undefined}")
    notes.extend(_kink_notes(program, nodes, low, names))

    diffs, per_input = differences(program, nodes, low.adjoints[: len(program.inputs)])
    for d in diffs:
        if d.why:
            notes.append(d.why)
        elif not d.agrees:
            notes.append("oracle fault: the finite difference disagrees with the exact gradient"
                         f" (fd {mpmath.nstr(d.fd, 20)}, exact {_show(d.exact, 20)})")
    if not per_input:
        agreeing = sum(1 for d in diffs if d.fd is not None and d.agrees)
        notes.append(f"finite differences checked along {len(diffs)} random directions, {agreeing} agreed")

    shown = formulas(program, slots) if not low.kinks else None
    if shown is not None:
        with mpmath.workdps(low.dps):
            for s, (_, expr) in list(shown.items()):
                value = value_at(expr, program, low.dps)
                if value is None:  # not a finite real here (e.g. a kink met inside): do not print it
                    del shown[s]
                    continue
                if distance(value, low.adjoints[s]) > _close(
                    low.adjoints[s]
                ):
                    # The printed formula is for reading; the reverse mode it is compared with is
                    # itself checked by the finite difference. Only without that is it a fault.
                    checked = per_input and s < len(diffs) and diffs[s].fd is not None and diffs[s].agrees
                    kind = "note" if checked else "oracle fault"
                    notes.append(f"{kind}: SymPy evaluates the printed formula for {names[s]} to {value}")

    value = data[-1]
    if value is not None and not faults:
        exact_out = low.values[-1]
        off = float(abs(mpmath.mpf(value) - exact_out) / abs(exact_out)) if exact_out else abs(value)
        if off > 1e-8:
            notes.append(f"the engine's value {value!r} is off from the exact one by {off:.3g} (relative), "
                         "yet every op is right to rounding: the forward is ill-conditioned here")
    rows = [_input_row(s, names, grad, low, high, local, diffs if per_input else None, shown) for s in slots]
    verdict = _verdict(faults, rows, notes, local)
    if verdict == "fail" and not faults:
        for r in rows:
            if r.verdict == "fail":
                faults.append(Fault(r.slot, r.name, "", (), "gradient", r.exact, r.autograd,
                                    f"the gradient of {r.name} is off by more than rounding explains; "
                                    "the engine gave no per-node gradients to blame an op"))
    return Report(verdict, data[-1], _show(low.values[-1], DIGITS), rows, faults,
                  _node_rows(program, nodes, names, data, grad, low), notes, program)


def _exact_pair(program: Program, nodes: list[Node]) -> tuple[Exact, Exact]:
    """The exact witness at two precisions, raised until output value and adjoints agree."""
    for lo, hi in PRECISIONS:
        low, high = exact(program, nodes, lo), exact(program, nodes, hi)
        if _agrees(low.values[-1], high.values[-1]) and all(
            _agrees(a, b) for a, b in zip(low.adjoints, high.adjoints, strict=True)
        ):
            return low, high
    return low, high


def _agrees(a: Num, b: Num) -> bool:
    a, b = as_span(a), as_span(b)
    return bool(abs(a.lo - b.lo) <= _close(a.lo) and abs(a.hi - b.hi) <= _close(a.hi))


def _close(x: Num) -> Any:
    return STABLE * magnitude(x) + mpmath.mpf(10) ** -60


def _finite(
    values: Sequence[float | None], what: str, names: list[str], faults: list[Fault], kind: Any
) -> list[float | None]:
    """The engine's numbers as floats; nan/inf become faults and are then treated as not given."""
    out: list[float | None] = []
    for s, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"slot {s}'s {what} is a {type(v).__name__}, not a float")
        f = float(v)
        if not math.isfinite(f):
            faults.append(Fault(s, names[s], "", (), kind, "a finite number", f,
                                f"the engine's {what} of {names[s]} is {f}"))
            out.append(None)
        else:
            out.append(f)
    return out


def _input_row(
    s: int, names: list[str], grad: Sequence[float | None], low: Exact, high: Exact, local: Local,
    diffs: list[Difference] | None, shown: dict[int, tuple[str, Any]] | None,
) -> InputRow:
    g = grad[s]
    exact_g = low.adjoints[s]
    fd = ""
    fd_ok = True
    if diffs is not None and s < len(diffs):
        d = diffs[s]
        fd = mpmath.nstr(d.fd, 20) if d.fd is not None else ""
        fd_ok = d.agrees
    formula_text = shown[s][0] if shown is not None and s in shown else None
    if g is None:
        return InputRow(names[s], s, None, _show(exact_g, DIGITS), fd, None, None, "inconclusive",
                        formula_text, "the engine gave no gradient")
    err = distance(mpmath.mpf(g), exact_g)
    size = magnitude(exact_g)
    rel = float(err / size) if size else (0.0 if err == 0 else None)
    ulps = 0.0 if err == 0 else (float(err) / math.ulp(float(size)) if size else None)
    # A correct engine is within spread of the ideal adjoint at its own forward values;
    # the ideal itself, computed in floats, is one such engine: hence twice the spread.
    if local.spread:
        ideal = Span(*local.ideal[s])
        bound = 2.02 * local.spread[s] + float(_gap(ideal, exact_g))
    else:
        bound = math.inf
    if not _agrees(exact_g, high.adjoints[s]):
        verdict, note = "inconclusive", "the exact gradient is not stable between precisions"
    elif not fd_ok:
        verdict, note = "inconclusive", "oracle fault: finite difference and exact gradient disagree"
    elif err > bound:
        verdict, note = "fail", f"off by {float(err):.3g}; a correct engine stays within {bound:.3g}"
    elif bound > WIDE * float(size) and err > 0 and (g != 0 or float(size) != 0):
        # (An exact gradient that underflows float64, met by an engine's 0.0, passes.)
        verdict, note = "inconclusive", (f"ill-conditioned: a correct engine may be off by up to {bound:.3g} "
                                         f"here, against an exact value of size {float(size):.3g}")
    else:
        verdict, note = "pass", ""
    return InputRow(names[s], s, g, _show(exact_g, DIGITS), fd, rel, ulps, verdict, formula_text, note)


def _gap(a: Num, b: Num) -> Any:
    a, b = as_span(a), as_span(b)
    return max(abs(a.lo - b.lo), abs(a.hi - b.hi))


def _verdict(faults: list[Fault], rows: list[InputRow], notes: list[str], local: Local) -> Verdict:
    if faults or any(r.verdict == "fail" for r in rows):
        return "fail"
    if any(r.verdict != "pass" for r in rows) or any(n.startswith("oracle fault") for n in notes):
        return "inconclusive"
    if local.undefined:
        return "inconclusive"
    return "pass"


def _kink_notes(program: Program, nodes: list[Node], low: Exact, names: list[str]) -> list[str]:
    notes = []
    for s in low.kinks:
        node = nodes[s - len(program.inputs)]
        sides = node.calc.sides
        (point, (left, right)), = list(sides.items())[:1] if len(sides) == 1 else [(0.0, (0, 0))]
        notes.append(f"{names[s]} = {node.calc.row.name}(...) sits exactly on its kink at {point}: any "
                     f"derivative between the one-sided ones [{mpmath.nstr(min(left, right), 6)}, "
                     f"{mpmath.nstr(max(left, right), 6)}] is accepted, including the engine's convention")
    return notes


def _node_rows(
    program: Program, nodes: list[Node], names: list[str],
    data: Sequence[float | None], grad: Sequence[float | None], low: Exact,
) -> list[NodeRow]:
    rows = []
    with mpmath.workdps(low.dps):
        for s, (name, _) in enumerate(program.inputs):
            rows.append(NodeRow(s, name, "", (), data[s], grad[s], _show(low.values[s], 30),
                                _show(low.adjoints[s], 30), ()))
        for node in nodes:
            s = node.slot
            step = program.steps[s - len(program.inputs)]
            args = tuple(repr(a.value) if isinstance(a, Const) else names[a] for a in step.args)
            fixed = tuple((i, a.value) for i, a in enumerate(step.args) if isinstance(a, Const))
            ps = low.partials.get(s, [])
            local = tuple(
                (formula(step.op, fixed, i, list(args)), _show(p, 30))
                for i, p in enumerate(ps) if p is not None
            )
            rows.append(NodeRow(s, names[s], step.op, args, data[s], grad[s], _show(low.values[s], 30),
                                _show(low.adjoints[s], 30), local))
    return rows


def _show(x: Num, digits: int) -> str:
    if isinstance(x, Span):
        if x.lo == x.hi:
            return str(mpmath.nstr(x.lo, digits))
        return f"[{mpmath.nstr(x.lo, digits)}, {mpmath.nstr(x.hi, digits)}]"
    return str(mpmath.nstr(x, digits))
