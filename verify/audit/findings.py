"""What the audit found, as data: a ``Finding`` per distinct bug, each with its own minimal program.

Renderers only format these fields, and no decision of the audit reads a
finding's message: it is for people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from micrograd.ops import OPS

from ..program import Const, Program, Step
from .engine.protocol import EngineError
from .engine.terms import KINDS, LAYOUTS, Kind, Layout, Phase, Stage, Where

__all__ = ["KINDS", "LAYOUTS", "Finding", "Kind", "Layout", "layout_of", "source_lines", "stopped_kind"]

if TYPE_CHECKING:
    from ..judge.fragility import Fragility
    from ..report import Report

def stopped_kind(failure: str) -> Kind:
    """The finding for a worker that stopped answering, from the sandbox's word for why."""
    if failure == "hang":
        return "hang"
    if failure == "memory":
        return "memory"
    if failure == "tampered":
        return "tampered"
    return "died"


def layout_of(step: Step) -> Layout:
    """The layout of one step: "f(x)", "x o y", "x o c", "c o x" or "x o x"."""
    row = OPS[step.op]
    if row.arity == 1:
        return "f(x)"
    left, right = step.args
    if isinstance(left, Const):
        return "c o x"
    if isinstance(right, Const):
        return "x o c"
    return "x o x" if left == right else "x o y"


@dataclass
class Finding:
    """One distinct bug: its kind, the step and op to blame, and a minimal program that shows it."""

    kind: Kind
    op: str
    """The op to blame (an op-table name); "" when no single op is at fault (traversal, an
    engine-wide accumulation bug, a hang of the whole graph)."""
    layout: Where
    program: Program
    """The minimal program that shows it."""
    message: str
    """One sentence: the step, the operand, expected and actual."""
    phase: Phase = "random"
    culprit: int | None = None
    """The slot of the blamed step in ``program``."""
    operand: int | None = None
    """Which operand of the blamed step got the wrong gradient (0 or 1)."""
    node: str = ""
    """The name of the slot whose number is wrong."""
    expected: str = ""
    actual: str = ""
    evidence: list[str] = field(default_factory=list)
    """How the blame was proved: isolation and substitution runs, one line each."""
    confirmed: bool = False
    """Isolation proved the blame (the op alone fails, or replacing it fixes the graph)."""
    error: EngineError | None = None
    """For a crash: the engine's exception."""
    stage: Stage | Literal[""] = ""
    """For a crash: where the run stopped ("leaf", "forward" or "backward": where the engine raised)."""
    report: Report | None = None
    """The judge's report on the minimal program."""
    reproduced: tuple[int, int] | None = None
    """(k, n): the minimal program failed the same way in k of n runs."""
    reproduced_in: str = ""
    """Where those runs were: fresh interpreters running the printed snippet, or the worker."""
    layouts: list[Where] = field(default_factory=list)
    """Every layout it showed in (the minimal program is the smallest)."""
    found_seconds: float = 0.0
    """When it was first seen, from the start of the audit."""
    shrink_seconds: float = 0.0
    shrink_attempts: int = 0
    shrunk: bool = True
    """False when the program could not be made smaller (a hang, a deadline, a deep chain)."""
    original_steps: int = 0
    """Steps of the program that first showed it."""
    statements: tuple[str, ...] = ()
    """When the program cannot say it (``c += x``): the statements to print after the inputs, the last
    value ``y`` being the output (see ``render.snippet``)."""
    built_as: str = ""
    """How the engine builds this op from its others, proved bit for bit ("x * y**-1"; "" if not)."""
    follows_from: str = ""
    """The op whose finding this one follows from (the engine builds this op from it); "" for a root."""
    fragility: Fragility | None = None
    """The accepted textbook formula that does the same at the same operands (``fragile.classify``):
    then the finding is a fragility, not a fault."""
    snippet: str = ""
    """The minimal program as a script for the audited engine, as the text report prints it
    (``print(finding.snippet)``); filled in when the ``AuditResult`` is made."""

    @property
    def category(self) -> Literal["fault", "fragility"]:
        """"fragility" when a textbook formula explains it, else "fault"."""
        return "fault" if self.fragility is None else "fragility"

    @property
    def key(self) -> tuple[str, str]:
        """What makes two findings the same bug: the kind and the op (a fragility apart from a fault)."""
        return (self.kind if self.fragility is None else f"fragile {self.kind}", self.op)

    @property
    def steps(self) -> int:
        """The minimal program's length: its steps, or the statements it is shown as when it has its own."""
        return len(self.statements) if self.statements else len(self.program.steps)


CHAIN_SHOWN = 20
"""A program with more steps than this that is one repeated step is printed as a loop."""


def source_lines(program: Program, leaf: str) -> list[str]:
    """The program as Python lines for engine class ``leaf``; a long chain of one repeated step as a loop."""
    loop = _as_loop(program, leaf)
    if loop is not None:
        return loop
    return program.source(leaf=leaf).splitlines()


def _as_loop(program: Program, leaf: str) -> list[str] | None:
    steps = program.steps
    if len(steps) <= CHAIN_SHOWN:
        return None
    n = len(program.inputs)
    first = steps[0]
    # Each step's operands: a constant, the step before ("prev"), or a fixed input.
    pattern: list[Const | int | None] = [a if isinstance(a, Const) else (None if a == 0 else a)
                                         for a in first.args]
    for k, step in enumerate(steps):
        if step.op != first.op:
            return None
        expected = [(0 if k == 0 else n + k - 1) if a is None else a for a in pattern]
        if list(step.args) != expected:
            return None
    names = [name for name, _ in program.inputs]
    lines = [f"{name} = {leaf}({value!r})" for name, value in program.inputs]
    shown = [repr(a.value) if isinstance(a, Const) else ("y" if a is None else names[a]) for a in pattern]
    lines += [f"y = {names[0]}", f"for _ in range({len(steps)}):", f"    y = {OPS[first.op].write(*shown)}"]
    return lines


# ---- wording: how a finding names steps, operands and numbers ----

_ROLES = {"**": ("base", "exponent"), "/": ("numerator", "denominator")}


def role(op: str, index: int) -> str:
    """How to name operand ``index`` of ``op``: "its exponent y", "its left operand x"."""
    from ..program import notation

    try:
        word = notation(OPS[op]).word
    except ValueError:
        word = ""
    if OPS[op].arity == 1:
        return "its operand"
    roles = _ROLES.get(word, ("left operand", "right operand"))
    return f"its {roles[index]}"


def written(program: Program, slot: int | None = None) -> str:
    """"v1 = x ** y at x = 2.0, y = 3.0": a step of ``program`` (default the last) with its input values."""
    names = program.names()
    slot = program.size - 1 if slot is None else slot
    step = program.steps[slot - len(program.inputs)]
    shown = [repr(a.value) if isinstance(a, Const) else names[a] for a in step.args]
    text = f"{names[slot]} = {OPS[step.op].write(*shown)}"
    at = [f"{name} = {value!r}" for name, value in program.inputs
          if any(not isinstance(a, Const) and names[a] == name for a in step.args)]
    return f"{text} at {', '.join(at)}" if at else text


def exact_grad(report: Report | None, slot: int) -> str:
    """The exact gradient of ``slot`` as the nearest float (the certified digits stay in the report)."""
    if report is None:
        return "unknown"
    for row in report.inputs:
        if row.slot == slot:
            return _short(row.exact)
    for node in report.nodes:
        if node.slot == slot:
            return _short(node.exact_grad)
    return "unknown"


def exact_data(report: Report | None, slot: int) -> str:
    """The exact value of ``slot`` as the nearest float ("" when the report has none)."""
    for node in [] if report is None else report.nodes:
        if node.slot == slot and node.exact_data:
            return _short(node.exact_data)
    return ""


def _short(exact: str) -> str:
    """A certified decimal as the float it rounds to; any other text ("0 (|x| < 1e-300)", a span) as it is."""
    try:
        return repr(float(exact))
    except ValueError:
        return exact


def number_text(x: float | None) -> str:
    if x is None:
        return "None"
    if not math.isfinite(x):
        return repr(x)
    return repr(x) if x != int(x) or abs(x) >= 1e16 else (repr(float(x)) if x else "0")
