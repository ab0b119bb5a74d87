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
    error: dict[str, Any] | None = None

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
    leaf = engine.request("leaf")
    if "error" in leaf:
        raise UnusableEngine(f"{engine.class_name}(1.5) fails: {_error(leaf)}")
    if leaf["problems"]:
        raise UnusableEngine("; ".join(leaf["problems"]))
    result = Survey()
    for op in OPS:
        result.status[op] = {}
        hung = False
        for layout in probed_layouts(op):
            if hung:
                result.status[op][layout] = Status("hangs", "skipped: another layout hangs")
                continue
            try:
                answer = engine.request("op", (op, layout), timeout=PROBE_TIMEOUT)
            except EngineFailed as failure:
                if failure.kind == "deadline":
                    raise
                state = "hangs" if failure.kind == "hang" else "crashes"
                result.status[op][layout] = Status(state, str(failure))
                hung = hung or state == "hangs"
                continue
            if "error" in answer and "status" not in answer:
                result.status[op][layout] = Status("crashes", _error(answer), answer.get("error"))
                continue
            result.status[op][layout] = Status(answer["status"], answer["reason"], answer.get("error"))
            if answer["status"] == "works" and answer["reason"]:
                result.notes[op] = answer["reason"]
    joins = [op for op in JOINS if result.works(op, "x o y")]
    if not joins:
        tried = "; ".join(f"{OPS[op].write('x', 'y')}: {result.state(op, 'x o y').reason or 'crashes'}"
                          for op in JOINS)
        raise UnusableEngine(f"cannot combine two leaves ({tried})")
    problems: list[BackwardProblem] = []
    backward_seconds = 0.0
    for op in joins:
        started = time.monotonic()
        try:
            answer = engine.request("backward", op)
            backward_seconds = time.monotonic() - started
        except EngineFailed as failure:
            if failure.kind == "deadline":
                raise
            problems.append(BackwardProblem(op=op, failed=failure.kind, message=str(failure)))
            continue
        if "error" in answer and "ok" not in answer:
            raise UnusableEngine(f"backward() fails: {_error(answer)}")
        if not answer["ok"] and answer.get("signature"):
            raise UnusableEngine(f"backward() cannot be called with no arguments: {_error(answer)}")
        if answer["ok"]:
            result.join = op
            result.backward_grads = {k: v for k, v in answer.get("grads", {}).items() if v}
            break
        problems.append(BackwardProblem(op=op, error=EngineError.from_wire(answer["error"])))
    if not result.join:  # backward() fails whichever way two leaves are combined: the engine's own
        result.join = joins[0]
        result.backward_problem = problems[0]
    try:
        result.twice = engine.request("twice", timeout=max(PROBE_TIMEOUT, 3 * backward_seconds + 1))
    except EngineFailed as failure:
        result.twice = {"error": str(failure)}
    if "error" in result.twice:
        result.twice = {"error": _error(result.twice)}
    return result


def _error(answer: dict[str, Any]) -> str:
    error = answer["error"]
    if isinstance(error, dict):
        return f"{error['type']}: {error['message']}".rstrip(": ")
    return str(error)
