"""Audit any micrograd-style engine class: survey it, run a campaign, keep the evidence.

``audit("path/to/engine.py:Value")`` is what ``python -m verify audit`` runs.
The engine lives in a worker process (``engine.sandbox``); its numbers are
judged in this process (``verify.judge``, against exact values in certified
ball arithmetic).

Exit codes (``AuditResult.exit_code``): 0 no fault found (fragilities alone, failures an accepted
textbook formula shows at the same point, are 0 unless ``strict``), 1 a fault found, 2 the
verifier itself failed (raised or timed out) on some program: a bug in verify,
which is never blamed on the engine, but the audit cannot vouch for those
programs, so 2 wins over 0 and 1. A depth limit (RecursionError on deep
graphs) and the backward-twice behaviour (one output's backward() called again: engines
differ there, karpathy's passes inner nodes' leftover grads on) are reported as behaviour
and do not change the exit code (backward() on two outputs is judged: ``accumulate``); nor
does hitting the deadline (the report says so and what was done). Usage errors (``spec.UsageError``: a
malformed spec, ``ops`` naming an op the engine lacks) and engines that cannot
be driven through the protocol at all (``sandbox.UnusableEngine``: the class
cannot be loaded, ``Cls(1.5)`` raises or lacks ``.data``/``.grad``, there is
no ``backward()`` or it needs arguments) raise; the CLI turns both into exit
code 2.
"""

from __future__ import annotations

import math
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_MEMORY, DEFAULT_SEED, DEFAULT_TIMEOUT
from .campaign import run_campaign
from .engine.protocol import EngineOutput, Ready
from .engine.sandbox import EngineFailed, EngineProcess, UnusableEngine
from .engine.spec import EngineSpec, UsageError
from .findings import Finding
from .ledger import Campaign, Progress
from .survey import Survey, survey


@dataclass(kw_only=True)
class AuditResult:
    spec: EngineSpec
    class_name: str
    seed: int
    max_examples: int
    ops: list[str] | None
    survey: Survey
    campaign: Campaign
    timeout: float = DEFAULT_TIMEOUT
    deadline: float | None = DEFAULT_DEADLINE
    memory: int | None = DEFAULT_MEMORY
    ready: Ready | None = None
    """What the worker said on loading the engine: ``ready.file`` is whose engine was audited."""
    engine_output: EngineOutput = field(default_factory=EngineOutput)
    """What the engine printed during the audit (bounded); show it only labelled (``labelled()``)."""
    seconds: float = 0.0
    """The whole audit, from the start of the survey."""
    strict: bool = False
    """Fragilities count as findings for the exit code (``--strict``)."""

    def __post_init__(self) -> None:
        from .render import snippet

        for finding in self.campaign.findings:
            finding.snippet = snippet(self, finding)

    @property
    def ok(self) -> bool:
        """No fault found (and, with ``strict``, no fragility), and the verifier never failed: as
        ``Report.ok`` is for one check, ``exit_code == 0``."""
        return self.exit_code == 0

    @property
    def findings(self) -> list[Finding]:
        """Every distinct fault found (a value or gradient no correct float64 computation of the op
        explains), each with its own minimal program; fragilities are apart (``fragilities``)."""
        return [f for f in self.campaign.findings if f.fragility is None]

    @property
    def faults(self) -> list[Finding]:
        """The same as ``findings``: the bugs no correct float64 computation of the op explains."""
        return self.findings

    @property
    def fragilities(self) -> list[Finding]:
        """What an accepted textbook formula for the op also does at the same point in float64: a
        crash, an inf or nan, or a gradient that lost its digits; each names the formula."""
        return [f for f in self.campaign.findings if f.fragility is not None]

    @property
    def verdict(self) -> str:
        """"pass" (no fault; fragilities may be listed), "fail" (a fault, or with ``strict`` a
        fragility), or "error" (the verifier failed on some program)."""
        return {0: "pass", 1: "fail"}.get(self.exit_code, "error")

    def summary(self) -> str:
        """One line: the verdict and what it rests on."""
        campaign = self.campaign
        ran = (f"{sum(campaign.battery.values()) + sum(campaign.shapes.values())} battery programs and "
               f"{campaign.examples} random programs in {self.seconds:.1f} s")
        cut = "; cut short by the deadline" if campaign.deadline_hit else ""
        parts = [] if self.faults else ["no fault found"]
        for one, many, group in (("finding", "findings", self.faults),
                                 ("fragility", "fragilities", self.fragilities)):
            if group:
                shown = ", ".join(f"{f.kind}" + (f" in {f.op}" if f.op else "") for f in group)
                parts.append(f"{len(group)} {one if len(group) == 1 else many} ({shown})")
        head, *rest = parts
        return f"{head} in {ran}{cut}" + "".join(f"; {part}" for part in rest)

    def render(self) -> str:
        """The audit as text, as ``python -m verify audit`` prints it."""
        from .render import render

        return render(self)

    def to_dict(self) -> dict[str, Any]:
        """The audit as JSON-ready data, as ``python -m verify audit --json`` prints it."""
        from .render import to_dict

        return to_dict(self)

    def raise_for_findings(self) -> None:
        """Raise ``AuditFailed`` (an ``AssertionError``) with the whole text unless the audit passed."""
        if self.exit_code != 0:
            raise AuditFailed(self.render())

    def _repr_html_(self) -> str:
        """How a notebook shows the audit: the verdict, every finding, the coverage table."""
        from .html import render_html

        return render_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows the audit in a terminal: the text."""
        printer.text(self.render())

    def __repr__(self) -> str:
        return f"<AuditResult of {self.spec.text}: {self.verdict}, {self.summary()}>"

    @property
    def deadline_hit(self) -> bool:
        return self.campaign.deadline_hit

    @property
    def engine_file(self) -> str:
        """The resolved file the audited class is defined in ("" if unknown)."""
        return "" if self.ready is None else self.ready.file

    @property
    def exit_code(self) -> int:
        """0 no fault, 1 one or more faults (or, with ``strict``, fragilities), 2 the verifier
        failed on some program.

        The audit's deadline passing is not a fault of the engine (a slow engine is reported as
        slow): a campaign cut short by it without a fault is 0.
        """
        if self.campaign.verifier_failures:
            return 2
        return 1 if self.faults or (self.strict and self.fragilities) else 0

    def verifier_failure(self) -> str | None:
        """What to say when the verifier failed on some program; None when it never did."""
        n = self.campaign.verifier_failures
        if not n:
            return None
        programs = f"{n} program{'' if n == 1 else 's'}"
        return f"the verifier failed on {programs}, this is a bug in verify, please report it"

    def reproduce(self) -> str:
        """The command (or, for a class in memory, the call) that repeats this audit exactly."""
        if self.spec.obj is not None:
            return self._call()
        words = ["python", "-m", "verify", "audit", "--engine", self.spec.text, "--seed", str(self.seed),
                 "--max-examples", str(self.max_examples)]
        if self.strict:
            words.append("--strict")
        if self.ops is not None:
            words += ["--ops", ",".join(self.ops)]
        if self.timeout != DEFAULT_TIMEOUT:
            words += ["--timeout", f"{self.timeout:g}"]
        if self.deadline != DEFAULT_DEADLINE and self.deadline is not None:
            words += ["--deadline", f"{self.deadline:g}"]
        if self.memory != DEFAULT_MEMORY:
            words += ["--memory", "none" if self.memory is None else f"{self.memory // (1 << 20)}M"]
        return shlex.join(words)

    def _call(self) -> str:
        options = [f"seed={self.seed}", f"max_examples={self.max_examples}"]
        if self.strict:
            options.append("strict=True")
        if self.ops is not None:
            options.append(f"ops={self.ops!r}")
        if self.timeout != DEFAULT_TIMEOUT:
            options.append(f"timeout={self.timeout:g}")
        if self.deadline != DEFAULT_DEADLINE:
            options.append(f"deadline={self.deadline!r}")
        if self.memory != DEFAULT_MEMORY:
            options.append(f"memory={self.memory!r}")
        return f"verify.audit({self.class_name}, {', '.join(options)})"


class AuditFailed(AssertionError):
    """``AuditResult.raise_for_findings``: the audit found a fault (or the verifier failed)."""


def audit(
    spec: str | type | EngineSpec,
    *,
    max_examples: int = DEFAULT_EXAMPLES,
    seed: int = DEFAULT_SEED,
    ops: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float | None = DEFAULT_DEADLINE,
    memory: int | None = DEFAULT_MEMORY,
    progress: Progress | None = None,
    strict: bool = False,
    isolate: bool = False,
) -> AuditResult:
    """Survey the engine class ``spec`` names, then audit it: battery, shapes, ``max_examples`` programs.

    ``spec`` is ``"path/to/engine.py:Value"``, ``"notebook.ipynb:Value"``, ``"package.module:Value"``
    or the class itself (one defined in a notebook cell or a REPL too: its worker is forked from
    this process).

    ``timeout`` bounds each program, ``deadline`` the whole audit (seconds; None for none: the
    sandbox cuts any request that would run past it, ``engine.remaining()`` says what is left),
    ``memory`` the engine's worker process (bytes of address space; None for no limit).
    ``strict`` makes fragilities (failures a textbook formula for the op shows at the same point)
    fail the audit like faults. ``isolate`` runs the worker confined (read-only, no network, a
    private /tmp; ``engine.confine``) or refuses with ``UnusableEngine`` where it cannot be.

    Raises ``spec.UsageError`` for a malformed spec or ``ops`` naming an op the engine lacks,
    and ``sandbox.UnusableEngine`` when the class cannot be loaded or driven through the
    protocol (``Cls(x)``, ``.data``, ``.grad``, ``.backward()`` with no arguments, ``x + y``, ...).
    """
    if deadline is not None and not (isinstance(deadline, (int, float)) and deadline > 0
                                     and math.isfinite(deadline)):
        raise UsageError(f"deadline={deadline!r}: must be a positive number of seconds")
    say = progress or (lambda _: None)
    started = time.monotonic()
    ends = None if deadline is None else started + deadline
    if not isinstance(spec, (str, EngineSpec)):
        spec = EngineSpec.of_class(spec)  # UsageError unless it is a class
    with EngineProcess(spec, timeout, deadline=deadline, memory=memory, isolate=isolate) as engine:
        say(f"surveying {engine.spec.text} ({engine.engine_file}) ...")
        try:
            found = survey(engine)
        except EngineFailed as failure:
            raise UnusableEngine(f"{engine.spec.text}: the survey's {failure.request or 'first'} probe"
                                 f" failed: {failure}") from None
        if ops is not None:
            _check_ops(ops, found)
        campaign = run_campaign(
            engine, found, max_examples=max_examples, seed_value=seed, ops=ops, progress=say,
            started=started, deadline=ends,
        )
        return AuditResult(
            spec=engine.spec, class_name=engine.class_name, seed=seed, max_examples=max_examples,
            ops=None if ops is None else list(ops), survey=found, campaign=campaign, timeout=timeout,
            deadline=deadline, memory=memory, ready=engine.ready, engine_output=engine.output,
            seconds=time.monotonic() - started, strict=strict,
        )


def _check_ops(ops: Sequence[str], found: Survey) -> None:
    """``UsageError`` unless every op asked for is one the engine has (and the table knows)."""
    from micrograd.ops import OPS

    unknown = [op for op in ops if op not in OPS]
    if unknown:
        raise UsageError(f"--ops: unknown {_ops(unknown)} {', '.join(unknown)}; known: {', '.join(OPS)}")
    lacking = [op for op in ops if op not in found.drawable_ops()]
    if lacking:
        reasons = "; ".join(f"{op}: {found.why_not(op)}" for op in lacking)
        raise UsageError(f"--ops names {_ops(lacking)} the engine lacks ({reasons})")


def _ops(names: Sequence[str]) -> str:
    return "op" if len(names) == 1 else "ops"
