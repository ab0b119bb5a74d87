"""Root causes: an op the engine builds from its other ops is judged as that composition.

Most learner engines write ``x / y`` as ``x * y**-1``, ``x - y`` as ``x + (-y)``, ``-x`` as
``x * -1``, tanh and sigmoid from ``exp``, ``+``, ``-`` and ``/``. Whether an engine does is
tested by behaviour: the finding's one-step program and a composition of the table's ops are run
in the same engine at the same inputs, and when the value and every input gradient are the same
floats bit for bit, the op *is* that composition there. Then:

- a finding in one of the composition's ops explains it: the composite's finding is kept but
  marked as following from that op (the root), and listed after the roots;
- no part has a finding and the composition, judged as the steps it is (each op held to its own
  allowance), passes: the composite's failure was the rounding of correct parts, not a bug, and
  the finding is dropped (a remark says why);
- the composition fails: the op the judge blames in it is the root.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..program import Arg, Const, Program, Step
from .findings import Finding
from .trial import Lab, Outcome

Pairs = list[tuple[str, tuple[Arg | str, ...]]]
"""A composition as (op, operands), where the string "k" names the k-th step's result."""
Build = Callable[[list[Arg]], list[tuple[Pairs, str]]]
"""The operands of the one step (input slots or constants) -> each composition and how it is written."""


def _ops(*pairs: tuple[str, tuple[Arg | str, ...]]) -> Pairs:
    return list(pairs)


def _steps(n: int, pairs: Pairs) -> tuple[Step, ...]:
    """Steps from (op, args) pairs, the k-th step's result being slot n + k."""
    return tuple(Step(op, tuple(n + int(a) if isinstance(a, str) else a for a in args)) for op, args in pairs)


def _div(args: list[Arg]) -> list[tuple[Pairs, str]]:
    x, y = args
    if isinstance(y, Const):
        if y.value == 0:
            return []
        return [(_ops(("mul", (x, Const(y.value**-1)))), "x * (1/c)")]
    return [(_ops(("powi", (y, Const(-1.0))), ("mul", (x, "0"))), "x * y**-1"),
            (_ops(("powi", (y, Const(-1.0))), ("mul", ("0", x))), "y**-1 * x")]


def _sub(args: list[Arg]) -> list[tuple[Pairs, str]]:
    x, y = args
    if isinstance(y, Const):
        return [(_ops(("add", (x, Const(-y.value)))), "x + (-c)")]
    return [(_ops(("neg", (y,)), ("add", (x, "0"))), "x + (-y)"),
            (_ops(("mul", (y, Const(-1.0))), ("add", (x, "0"))), "x + y * -1"),
            (_ops(("neg", (y,)), ("add", ("0", x))), "(-y) + x")]


def _neg(args: list[Arg]) -> list[tuple[Pairs, str]]:
    (x,) = args
    return [(_ops(("mul", (x, Const(-1.0)))), "x * -1"), (_ops(("sub", (Const(0.0), x))), "0 - x")]


def _tanh(args: list[Arg]) -> list[tuple[Pairs, str]]:
    (x,) = args
    return [
        (_ops(("mul", (x, Const(2.0))), ("exp", ("0",)), ("sub", ("1", Const(1.0))),
              ("add", ("1", Const(1.0))), ("div", ("2", "3"))), "(exp(2x) - 1) / (exp(2x) + 1)"),
        (_ops(("mul", (Const(2.0), x)), ("exp", ("0",)), ("sub", ("1", Const(1.0))),
              ("add", ("1", Const(1.0))), ("div", ("2", "3"))), "(exp(2x) - 1) / (exp(2x) + 1)"),
        (_ops(("exp", (x,)), ("neg", (x,)), ("exp", ("1",)), ("sub", ("0", "2")), ("add", ("0", "2")),
              ("div", ("3", "4"))), "(exp(x) - exp(-x)) / (exp(x) + exp(-x))"),
    ]


def _sigmoid(args: list[Arg]) -> list[tuple[Pairs, str]]:
    (x,) = args
    return [
        (_ops(("neg", (x,)), ("exp", ("0",)), ("add", (Const(1.0), "1")), ("div", (Const(1.0), "2"))),
         "1 / (1 + exp(-x))"),
        (_ops(("neg", (x,)), ("exp", ("0",)), ("add", ("1", Const(1.0))), ("div", (Const(1.0), "2"))),
         "1 / (exp(-x) + 1)"),
        (_ops(("exp", (x,)), ("add", (Const(1.0), "0")), ("div", ("0", "1"))), "exp(x) / (1 + exp(x))"),
    ]


COMPOSITES: dict[str, Build] = {
    "div": _div, "sub": _sub, "neg": _neg, "tanh": _tanh, "sigmoid": _sigmoid}
"""The compositions an engine commonly builds each composite-looking op from, in the table's ops."""


def compositions(program: Program) -> list[tuple[Program, str]]:
    """The one-step ``program`` rewritten as each composition of its op, over the same inputs."""
    if len(program.steps) != 1 or program.steps[0].op not in COMPOSITES:
        return []
    step = program.steps[0]
    n = len(program.inputs)
    out = []
    for pairs, written in COMPOSITES[step.op](list(step.args)):
        try:
            out.append((Program(program.inputs, _steps(n, pairs)), written))
        except ValueError:
            continue
    return out


def same_run(a: Outcome, b: Outcome) -> bool:
    """Both runs finished with the same output value and input gradients, bit for bit."""
    if a.stage != "done" or b.stage != "done":
        return False
    n = len(a.program.inputs)
    pairs = [(a.data[-1], b.data[-1]), *zip(a.grad[:n], b.grad[:n], strict=True)]
    return all(_bits(p) == _bits(q) for p, q in pairs)


def _bits(x: float | None) -> str:
    return "None" if x is None else ("nan" if math.isnan(x) else x.hex())


def resolve(lab: Lab, findings: list[Finding]) -> list[str]:
    """Mark each composite finding whose op the engine builds from others (see the module's doc); drop
    those that are only the rounding of correct parts. Returns remarks on what was dropped."""
    remarks: list[str] = []
    for finding in list(findings):
        if finding.op not in COMPOSITES or finding.steps != 1 or finding.follows_from:
            continue
        if lab.out_of_time():
            break
        mine = lab.run(finding.program)
        for composition, written in compositions(finding.program):
            theirs = lab.run(composition)
            if not same_run(mine, theirs):
                continue
            finding.built_as = written
            _judge_as(lab, finding, theirs, composition, written, findings, remarks)
            break
    _order(findings)
    return remarks


def _judge_as(lab: Lab, finding: Finding, theirs: Outcome, composition: Program, written: str,
              findings: list[Finding], remarks: list[str]) -> None:
    """Judge the composite finding as the composition it is: dropped if the composition passes, else
    following from the op the judge blames in it, or from a part with a finding."""
    judged = lab.assess(theirs)
    if judged.verdict == "pass" and finding.fragility is None:
        findings.remove(finding)
        remarks.append(f"{finding.op} is built as {written} in this engine, and judged as that "
                       f"composition (each op to its own allowance) it passes: {finding.message}")
        return
    parts = [s.op for s in composition.steps]
    blamed = judged.fault.op if judged.fault is not None and judged.fault.op in parts else ""
    in_parts = [f for f in findings if f is not finding and f.op in parts
                and (finding.fragility is None or f.fragility is not None)]
    root = next((f for f in in_parts if f.op == blamed), None) or next(
        (f for f in in_parts if f.fragility is None), in_parts[0] if in_parts else None)
    if root is not None:
        finding.follows_from = root.op
        finding.fragility = finding.fragility or root.fragility  # following a fragility: one too
        finding.evidence.append(f"{finding.op} is built as {written} in this engine (the same value and "
                                f"gradients, bit for bit); {root.op} has a finding")
    elif blamed and blamed != finding.op:
        finding.follows_from = blamed
        finding.evidence.append(f"{finding.op} is built as {written} in this engine; in it the judge "
                                f"blames {blamed}")


def root_of(finding: Finding, findings: list[Finding]) -> str:
    """The op at the end of the follows-from chain ("" when the finding is a root)."""
    seen = {finding.op}
    op = finding.follows_from
    while op:
        nxt = next((f.follows_from for f in findings if f.op == op and f.follows_from), "")
        if not nxt or nxt in seen:
            return op
        seen.add(op)
        op = nxt
    return ""


def _order(findings: list[Finding]) -> None:
    """Roots first, in the order found; then what follows from them."""
    findings.sort(key=lambda f: bool(f.follows_from))

