"""How ``python -m verify expr`` shows a Report: table, summary, blame, and --explain.

Plain ASCII by default; colour and unicode only when asked (on a terminal).
Slots are shown under the user's own names (``Source.labels``): the view takes
what it needs of a parsed input as the ``Source`` protocol, which
``verify.parse.Parsed`` satisfies, so the report does not depend on the parser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from micrograd.ops import OPS

from ..program import Const, Program
from . import number as number_json
from .style import Style

if TYPE_CHECKING:
    from . import NodeRow, Report

MAX_FORMULA = 120  # longer exact derivatives are shown by value only, unless --explain


class Pointer(Protocol):
    """An error that points at a place in the source (``verify.parse.ParseError``)."""

    def render(self) -> str: ...


class Source(Protocol):
    """What the view needs of the input a program was parsed from (``verify.parse.Parsed``)."""

    @property
    def program(self) -> Program: ...
    @property
    def labels(self) -> tuple[str, ...]: ...  # one per slot, the user's names
    @property
    def output(self) -> str: ...  # the output's label
    @property
    def formula(self) -> str | None: ...  # the text, when the input was one formula

    def error_at(self, slot: int, message: str) -> Pointer: ...  # ``message`` at the text that made ``slot``


def number(x: float | None, digits: int = 6) -> str:
    """A float for reading: 6 significant digits, no trailing '.0' noise."""
    if x is None:
        return "-"
    if x == 0:
        return "0"
    return f"{x:.{digits}g}"


def _fixed(x: float | None) -> str:
    """Four decimals, as micrograd's README prints values and gradients (6 digits when far from 1)."""
    if x is None:
        return "-"
    if x and not 1e-4 <= abs(x) < 1e6:
        return number(x)
    return f"{x:.4f}"


def short(text: str, width: int = 34) -> str:
    """An exact decimal string cut to ``width`` characters (it has >= 30 digits), its exponent kept."""
    if len(text) <= width:
        return text
    mantissa, e, exponent = text.partition("e")
    tail = e + exponent
    return mantissa[: width - 3 - len(tail)] + "..." + tail


def expression(parsed: Source, slot: int) -> str:
    """``c_1 + 1`` for a step, ``Value(-4.0)`` for an input."""
    program = parsed.program
    n = len(program.inputs)
    if slot < n:
        return f"Value({program.inputs[slot][1]!r})"
    step = program.steps[slot - n]
    operands = [_constant(a.value) if isinstance(a, Const) else parsed.labels[a] for a in step.args]
    return OPS[step.op].write(*operands)


def _constant(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def render_report(report: Report, parsed: Source, style: Style, *, all_formulas: bool = False) -> str:
    """The default output: forward value, one row per input, blame, notes, summary.

    Exact derivative formulas longer than MAX_FORMULA are shown only with ``all_formulas``.
    """
    out = parsed.output
    head = f"{out} = {parsed.formula}" if parsed.formula else f"{out}, the output of the snippet"
    lines = [style.paint(head, "bold"),
             f"forward   {out} = {_fixed(report.value)}   (float {number(report.value, 17)},"
             f" exact {short(report.exact_value, 40)})",
             "backward  " + "   ".join(f"{r.name}.grad = {_fixed(r.autograd)}" for r in report.inputs), ""]
    lines += _table(report, parsed, style)
    lines += [f"  {r.name}: {r.note}" for r in report.inputs if r.note]
    formulas = [(r.name, r.formula) for r in report.inputs
                if r.formula and (all_formulas or len(r.formula) <= MAX_FORMULA)]
    if formulas:
        lines += ["", "exact derivatives"]
        lines += [f"  {style.d}{out}/{style.d}{name} = {f}" for name, f in formulas]
    if report.faults:
        lines += ["", style.paint("blame", "fail")]
        for fault in report.faults[:3]:
            at = fault.culprit if fault.culprit is not None else fault.slot
            where = parsed.error_at(at, f"{parsed.labels[at]} = {expression(parsed, at)}: {fault.message}")
            lines += ["  " + line for line in where.render().removeprefix("error: ").splitlines()]
            lines.append(f"    expected {short(fault.expected, 40)}, engine gave {number(fault.actual, 17)}")
    if report.notes:
        lines += [""] + [f"note: {note}" for note in report.notes]
    lines += ["", summary(report, parsed, style)]
    return "\n".join(lines)


def _table(report: Report, parsed: Source, style: Style) -> list[str]:
    header = ("input", "value", "autograd", "exact derivative", "finite difference", "rel.error", "ulps",
              "verdict")
    values = dict(parsed.program.inputs)
    rows = [
        (r.name, number(values.get(r.name)), number(r.autograd, 17), short(r.exact, 36), short(r.fd, 24),
         _sci(r.rel_error), number(r.ulps, 3), r.verdict)
        for r in report.inputs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    right = {1, 2, 5, 6}

    def line(row: tuple[str, ...], paint: bool) -> str:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        if paint:
            cells[-1] = style.paint(cells[-1], row[-1])
        return "  ".join(cells).rstrip()

    return [style.paint(line(header, False), "dim")] + [line(row, True) for row in rows]


def _sci(x: float | None) -> str:
    if x is None:
        return "-"
    return "0" if x == 0 else f"{x:.1e}"


def summary(report: Report, parsed: Source, style: Style) -> str:
    """One line: verdict, the forward value, and what agreed."""
    n = len(report.inputs)
    value = f"{parsed.output} = {number(report.value)}"
    ulps = [r.ulps for r in report.inputs if r.ulps is not None and math.isfinite(r.ulps)]
    worst = f" (max {number(max(ulps), 2)} ulp)" if ulps else ""
    lossy = sum(1 for r in report.inputs if r.note)
    if report.verdict == "pass" and lossy:
        what = (f"all {n} gradients are what a correct float64 engine computes here, {lossy} from rules "
                "that lose digits" if n != 1 else
                "the gradient is what a correct float64 engine computes here, from rules that lose digits")
    elif report.verdict == "pass":
        what = f"all {n} gradients agree with the exact derivative{worst}" if n != 1 else \
            f"the gradient agrees with the exact derivative{worst}"
    elif report.verdict == "fail":
        bad = sum(1 for r in report.inputs if r.verdict != "pass")
        blamed = report.faults[0] if report.faults else None
        at = None if blamed is None else (blamed.culprit if blamed.culprit is not None else blamed.slot)
        where = f"; blamed: {parsed.labels[at]} = {expression(parsed, at)}" if at is not None else ""
        what = f"{bad} of {n} gradients wrong{where}" if bad else f"forward value wrong{where}"
    elif report.verdict == "undefined":
        what = "the function or its gradient is undefined at this point"
    else:
        what = "the witnesses could not decide at this point (see the notes)"
    return f"{style.paint(report.verdict.upper(), report.verdict)}  {value}  {what}"


def _rename(formula: str, names: dict[str, str]) -> str:
    """Rewrite whole-word names in a formula (the verifier's v1, v2 -> the user's labels)."""
    if not names:
        return formula
    alternatives = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"\b({alternatives})\b")
    return pattern.sub(lambda m: names[m.group(1)], formula)


@dataclass(frozen=True)
class Contribution:
    """One term of the chain rule: ``operand.grad += local * upstream``, and the running total after it."""

    node: int  # the slot passing its gradient on
    index: int  # which operand of its step
    operand: int  # that operand's slot
    local: float  # d node / d operand, as a float
    upstream: float | None  # the node's own gradient (the engine's)
    adds: float  # local * upstream
    total: float  # the operand's gradient so far, in backward order


def contributions(report: Report) -> dict[int, list[Contribution]]:
    """The backward pass as the chain rule runs it, node by node from the output: what each passes on.

    ``upstream`` is the engine's gradient of the node; ``total`` sums the contributions in this order (a
    reading aid: the engine may sum in another order, and its gradients are the ones judged).
    """
    program = report.program
    n = len(program.inputs)
    totals: dict[int, float] = {}
    out: dict[int, list[Contribution]] = {}
    for node in sorted(report.nodes, key=lambda row: row.slot, reverse=True):
        if node.slot < n:
            continue
        step = program.steps[node.slot - n]
        terms = out.setdefault(node.slot, [])
        for index, (_, exact) in zip(report.operands(node), node.local, strict=False):
            operand = step.args[index]
            assert not isinstance(operand, Const)
            local = _float(exact)
            adds = local * (node.grad if node.grad is not None else math.nan)
            totals[operand] = totals.get(operand, 0.0) + adds
            terms.append(Contribution(node.slot, index, operand, local, node.grad, adds, totals[operand]))
    return out


def expr_document(report: Report, parsed: Source, code: int, *, explain: bool) -> dict[str, Any]:
    """``verify expr --json``: ``Report.to_dict`` under the user's names, with the output and exit code;
    ``explain`` adds each node's expression and the chain rule's terms, and changes nothing else."""
    labels = parsed.labels
    document = report.to_dict()
    document["output"] = parsed.output
    document["exit_code"] = code
    program = parsed.program
    n = len(program.inputs)
    for fault in document["faults"]:
        fault["name"] = labels[fault["slot"]]
    steps = contributions(report) if explain else {}
    for node in document["nodes"]:
        slot = node["slot"]
        node["name"] = labels[slot]
        if slot >= n:
            step = program.steps[slot - n]
            rename = {old: labels[a] for old, a in zip(node["args"], step.args, strict=False)
                      if not isinstance(a, Const)}
            node["args"] = [rename.get(a, a) for a in node["args"]]
            for local in node["local"]:
                local["partial"] = _rename(local["partial"], rename)
        if explain:
            node["expression"] = expression(parsed, slot)
            for local, term in zip(node["local"], steps.get(slot, []), strict=False):
                local.update(value=number_json(term.local), upstream=number_json(term.upstream),
                             adds=number_json(term.adds), total=number_json(term.total))
    return document


def render_explain(report: Report, parsed: Source, style: Style) -> str:
    """The forward pass, then the backward pass node by node: the chain rule at work."""
    labels = parsed.labels
    n = len(parsed.program.inputs)
    nodes = sorted(report.nodes, key=lambda node: node.slot)
    width = max(len(f"{labels[s]} = {expression(parsed, s)}") for s in range(len(labels)))
    lines = [style.paint("forward pass, in topological order", "bold")]
    for node in nodes:
        kind = "input" if node.slot < n else node.op
        text = f"{labels[node.slot]} = {expression(parsed, node.slot)}"
        lines.append(f"  {text.ljust(width)}  = {number(node.data, 10):>12}   {style.paint(kind, 'dim')}")

    out = parsed.output
    lines += ["", style.paint("backward pass, output first", "bold"),
              f"  {out}.grad = 1; then each node passes its gradient to its operands:",
              f"  operand.grad += (local derivative) {style.times} node.grad   (the operand's running total)",
              ""]
    terms = contributions(report)
    for node in reversed(nodes):
        if node.slot < n:
            continue
        lines += _explain_node(node, parsed, style, terms.get(node.slot, []), width)
    lines += ["", style.paint("gradients of the inputs", "bold")]
    for node in nodes[:n]:
        lines.append(f"  {style.d}{out}/{style.d}{labels[node.slot]} = {number(node.grad, 17)}"
                     f"   exact {short(node.exact_grad, 40)}")
    return "\n".join(lines)


def _explain_node(node: NodeRow, parsed: Source, style: Style, terms: list[Contribution],
                  width: int) -> list[str]:
    labels = parsed.labels
    n = len(parsed.program.inputs)
    step = parsed.program.steps[node.slot - n]
    me = labels[node.slot]
    text = f"{me} = {expression(parsed, node.slot)}"
    lines = [f"  {text.ljust(width)}   {me}.grad = {number(node.grad, 10)}"]
    rename = {name: labels[a] for name, a in zip(node.args, step.args, strict=False)
              if not isinstance(a, Const)}
    for term, (formula, _) in zip(terms, node.local, strict=False):
        who = labels[term.operand]
        shown = _rename(formula, rename)
        value = "" if shown == number(term.local) else f" = {number(term.local)}"
        lines.append(
            f"      {style.d}{me}/{style.d}{who} = {shown}{value}"
            f"   {style.arrow} {who}.grad += {number(term.local)} {style.times} {number(term.upstream)}"
            f"   (running total {number(term.total)})"
        )
    return lines


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan
