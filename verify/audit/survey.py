"""Survey an engine before the campaign: which ops and forms it has, how deep it goes, backward twice.

Only what passes the survey is drawn in the campaign; everything else is
reported as "not tested", never as passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from micrograd.ops import OPS

from .probe import forms_of
from .sandbox import EngineFailed, EngineProcess, UnusableEngine

DEPTHS = (100, 1_000, 10_000, 100_000)
"""Chain depths tried; between the last that works and the first that fails we bisect."""
_BISECTIONS = 7


@dataclass
class Survey:
    """What the probes found."""

    forms: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """op -> form -> None if it works, else why not."""
    notes: dict[str, str] = field(default_factory=dict)
    """op -> a remark (e.g. a wrong-looking value at the probe point)."""
    depth_ok: int = 0
    """The deepest chain that worked."""
    depth_failure: str | None = None
    """How the next depth failed (None: every depth tried worked)."""
    twice: dict[str, Any] = field(default_factory=dict)

    def works(self, op: str, form: str) -> bool:
        return self.forms.get(op, {}).get(form, "absent") is None

    def drawable_ops(self) -> list[str]:
        """Ops the campaign may draw: those with their main form working."""
        return [op for op in self.forms if self.works(op, forms_of(op)[0])]

    def constants_left(self) -> list[str]:
        return [op for op in self.forms if self.works(op, "cv")]

    def constants_right(self) -> list[str]:
        return [op for op in self.forms if self.works(op, "vc")]

    def max_depth(self, wanted: int = 300) -> int:
        """The chain depth the campaign may use: well inside the engine's limit."""
        if self.depth_failure is None:
            return wanted
        return min(wanted, self.depth_ok // 3)

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
    """Probe ``engine``; raise ``UnusableEngine`` if it lacks the bare protocol."""
    leaf = engine.request("leaf")
    if "error" in leaf:
        raise UnusableEngine(f"{engine.class_name}(1.5) fails: {_error(leaf)}")
    if leaf["problems"]:
        raise UnusableEngine("; ".join(leaf["problems"]))
    result = Survey()
    for op in OPS:
        result.forms[op] = {}
        for form in forms_of(op):
            try:
                answer = engine.request("op", (op, form))
            except EngineFailed as failure:
                result.forms[op][form] = str(failure)
                continue
            if "error" in answer:
                result.forms[op][form] = _error(answer)
            elif not answer["ok"]:
                result.forms[op][form] = answer["reason"]
            else:
                result.forms[op][form] = None
                if answer["reason"]:
                    result.notes[op] = answer["reason"]
    for op, form in (("add", "vv"), ("add", "vc"), ("sub", "vc")):
        if op in result.forms and not result.works(op, form):
            raise UnusableEngine(
                f"the bare protocol fails: {_written(op, form)}: {result.forms[op][form]}"
            )
    _measure_depth(engine, result)
    try:
        result.twice = engine.request("twice")
    except EngineFailed as failure:
        result.twice = {"error": str(failure)}
    if "error" in result.twice:
        result.twice = {"error": _error(result.twice)}
    return result


def _measure_depth(engine: EngineProcess, result: Survey) -> None:
    def fails(depth: int) -> str | None:
        try:
            answer = engine.request("depth", depth)
        except EngineFailed as failure:
            return f"{failure.kind}: {failure}"
        if "error" in answer and answer.get("stage") not in ("forward", "backward"):
            return _error(answer)
        if not answer["ok"]:
            return f"{answer['error']} in {answer['stage']}"
        return None

    good, bad, why = 0, None, None
    for depth in DEPTHS:
        why = fails(depth)
        if why is not None:
            bad = depth
            break
        good = depth
    # Bisect only a depth limit: an engine that hangs or breaks would cost a timeout per try.
    if bad is not None and why is not None and "RecursionError" in why:
        for _ in range(_BISECTIONS):
            if bad - good <= 1:
                break
            middle = (good + bad) // 2
            reason = fails(middle)
            if reason is None:
                good = middle
            else:
                bad, why = middle, reason
    result.depth_ok = good
    result.depth_failure = None if bad is None else f"{why} at depth {bad}"


def _error(answer: dict[str, Any]) -> str:
    error = answer["error"]
    if isinstance(error, dict):
        return f"{error['type']}: {error['message']}".rstrip(": ")
    return str(error)


def _written(op: str, form: str) -> str:
    left, right = ("x", "y") if form == "vv" else ("x", "2.0") if form == "vc" else ("2.0", "x")
    return OPS[op].write(left, right) if OPS[op].arity == 2 else OPS[op].write("x")
