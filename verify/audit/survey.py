"""Survey an engine before auditing it: which ops it has in which layouts, and how backward() behaves.

The audit tests what is there: an op or a layout the engine lacks (no
``tanh``, no number on the left) is "not tested" and the audit goes on with
the rest. Only an engine that cannot make a leaf, combine two leaves or run
``backward()`` is unusable. An op that exists but raises, or hangs, is kept:
the battery shows it as a finding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from micrograd.ops import OPS

from .engine.answers import BackwardAnswer, LeafAnswer, OpAnswer, ProbeRaised
from .engine.probes import probed_layouts
from .engine.protocol import EngineError
from .engine.sandbox import EngineFailed, EngineProcess, UnusableEngine
from .engine.terms import FailureKind, Layout

PROBE_TIMEOUT = 1.0
"""Seconds one op's forward may take at the probe point before it counts as hung."""
JOINS = ("add", "mul", "sub", "div")
"""Binary ops, any of which combines two leaves: an engine needs one to be usable."""


@dataclass(frozen=True)
class Status:
    """One op in one layout: "works", "crashes" (present, raised at the probe point), "hangs" or "absent"."""

    state: str
    reason: str = ""
    error: EngineError | None = None

    @property
    def present(self) -> bool:
        return self.state in ("works", "crashes", "hangs")


@dataclass(frozen=True, kw_only=True)
class BackwardProblem:
    """backward() after ``x <op> y`` raised ``error``, or gave no answer (``failed``, ``message``)."""

    op: str
    error: EngineError | None = None
    failed: FailureKind | None = None
    message: str = ""


@dataclass
class Survey:
    """What the probes found."""

    status: dict[str, dict[Layout, Status]] = field(default_factory=dict)
    """op -> layout -> what the probe found (x o x is x o y's)."""
    notes: dict[str, str] = field(default_factory=dict)
    """op -> a remark (e.g. a wrong-looking value at the probe point)."""
    twice: dict[str, Any] = field(default_factory=dict)
    backward_grads: dict[str, str | None] = field(default_factory=dict)
    """After x o y and backward(), each leaf's .grad that is not a real number, and what it is."""
    join: str = ""
    """The binary op backward() was probed with."""
    backward_problem: BackwardProblem | None = None
    """When backward() hung or raised after every way of combining two leaves: the first way's."""

    def state(self, op: str, layout: Layout) -> Status:
        if layout == "x o x":
            layout = "x o y"
        return self.status.get(op, {}).get(layout, Status("absent", "not probed"))

    def present(self, op: str, layout: Layout) -> bool:
        return self.state(op, layout).present

    def works(self, op: str, layout: Layout) -> bool:
        return self.state(op, layout).state == "works"

    def layouts(self, op: str) -> list[Layout]:
        """The layouts of ``op`` the engine has (x o x wherever x o y is)."""
        found = [layout for layout in probed_layouts(op) if self.present(op, layout)]
        if "x o y" in found and OPS[op].arity == 2:
            found.append("x o x")
        return found

    def drawable_ops(self) -> list[str]:
        """Ops present in some layout."""
        return [op for op in self.status if self.layouts(op)]

    def why_not(self, op: str) -> str:
        """Why an op is not tested (its first layout's reason)."""
        statuses = self.status.get(op, {})
        for status in statuses.values():
            if not status.present:
                return status.reason
        return "absent"

    def twice_behaviour(self) -> str:
        first, second = self.twice.get("first"), self.twice.get("second")
        if first is None or second is None:
            return f"backward() twice: {self.twice.get('error', 'not measured')}"
        shown = f"x.grad {first:g} after one call, {second:g} after two"
        if second == 2 * first:
            return f"backward() twice accumulates: {shown} (exactly doubled)"
        if second == first:
            return f"backward() twice is idempotent: {shown}"
        return f"backward() twice gives neither 2x nor 1x: {shown} (intermediate grads are not reset?)"


def survey(engine: EngineProcess) -> Survey:
    """Probe ``engine``; raise ``UnusableEngine`` if it cannot make a leaf, combine two or run backward()."""
    leaf = engine.probe("leaf")
    if isinstance(leaf, ProbeRaised):
        raise UnusableEngine(f"{engine.class_name}(1.5) fails: {leaf.text}")
    assert isinstance(leaf, LeafAnswer)
    if leaf.problems:
        raise UnusableEngine("; ".join(leaf.problems))
    result = Survey()
    for op in OPS:
        _probe_op(engine, op, result)
    joins = [op for op in JOINS if result.works(op, "x o y")]
    if not joins:
        tried = "; ".join(f"{OPS[op].write('x', 'y')}: {result.state(op, 'x o y').reason or 'crashes'}"
                          for op in JOINS)
        raise UnusableEngine(f"cannot combine two leaves ({tried})")
    backward_seconds = _probe_backward(engine, joins, result)
    try:
        twice = engine.probe("twice", timeout=max(PROBE_TIMEOUT, 3 * backward_seconds + 1))
    except EngineFailed as failure:
        result.twice = {"error": str(failure)}
    else:
        result.twice = {"error": twice.text} if isinstance(twice, ProbeRaised) else twice.to_wire()
    return result


def _probe_op(engine: EngineProcess, op: str, result: Survey) -> None:
    """``op`` in each layout it is probed in; a layout after one that hangs is skipped."""
    result.status[op] = {}
    hung = False
    for layout in probed_layouts(op):
        if hung:
            result.status[op][layout] = Status("hangs", "skipped: another layout hangs")
            continue
        try:
            answer = engine.probe("op", (op, layout), timeout=PROBE_TIMEOUT)
        except EngineFailed as failure:
            if failure.kind == "deadline":
                raise
            state = "hangs" if failure.kind == "hang" else "crashes"
            result.status[op][layout] = Status(state, str(failure))
            hung = hung or state == "hangs"
            continue
        if isinstance(answer, ProbeRaised):
            result.status[op][layout] = Status("crashes", answer.text, answer.error)
            continue
        assert isinstance(answer, OpAnswer)
        result.status[op][layout] = Status(answer.status, answer.reason, answer.error)
        if answer.status == "works" and answer.reason:
            result.notes[op] = answer.reason


def _probe_backward(engine: EngineProcess, joins: list[str], result: Survey) -> float:
    """backward() after each way of combining two leaves, until one works; its seconds."""
    problems: list[BackwardProblem] = []
    backward_seconds = 0.0
    for op in joins:
        started = time.monotonic()
        try:
            answer = engine.probe("backward", op)
            backward_seconds = time.monotonic() - started
        except EngineFailed as failure:
            if failure.kind == "deadline":
                raise
            problems.append(BackwardProblem(op=op, failed=failure.kind, message=str(failure)))
            continue
        if isinstance(answer, ProbeRaised):
            raise UnusableEngine(f"backward() fails: {answer.text}")
        assert isinstance(answer, BackwardAnswer)
        if not answer.ok and answer.signature:
            raise UnusableEngine(f"backward() cannot be called with no arguments: {_text(answer.error)}")
        if answer.ok:
            result.join = op
            result.backward_grads = {k: v for k, v in answer.grads.items() if v}
            break
        problems.append(BackwardProblem(op=op, error=answer.error))
    if not result.join:  # backward() fails whichever way two leaves are combined: the engine's own
        result.join = joins[0]
        result.backward_problem = problems[0]
    return backward_seconds


def _text(error: EngineError | None) -> str:
    """``Type: message`` of an exception, as the survey quotes it."""
    return "" if error is None else ProbeRaised(error).text
