"""Audit any micrograd-style engine class: survey it, run the campaign, keep the evidence.

``audit("path/to/engine.py:Value")`` is what ``python -m verify audit`` runs.
The engine lives in a worker process (``sandbox``); SymPy and mpmath
judge its numbers in this process (``verify.judge``).

Exit codes (``Audit.exit_code``): 0 no finding, 1 one or more findings, 2 the
verifier itself failed (raised or timed out) on some program: a bug in verify,
which is never blamed on the engine, but the audit cannot vouch for those
programs, so 2 wins over 0 and 1. A depth limit (RecursionError on deep
graphs) and the backward-twice behaviour are reported as behaviour and do not
change the exit code; nor does hitting the deadline (the report says so and
what was done). Usage errors and unusable engines raise (the CLI turns them
into exit code 2 as well).
"""

from __future__ import annotations

import math
import shlex
import time
from collections.abc import Sequence
from dataclasses import dataclass

from . import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_SEED, DEFAULT_TIMEOUT
from .campaign import Campaign, Progress, run_campaign
from .findings import Finding
from .sandbox import EngineProcess
from .spec import EngineSpec, UsageError
from .survey import Survey, survey


@dataclass
class Audit:
    spec: EngineSpec
    class_name: str
    seed: int
    max_examples: int
    ops: list[str] | None
    survey: Survey
    campaign: Campaign
    timeout: float = DEFAULT_TIMEOUT
    deadline: float | None = DEFAULT_DEADLINE
    seconds: float = 0.0
    """The whole audit, from the start of the survey."""

    @property
    def findings(self) -> list[Finding]:
        """Every distinct bug found, each with its own minimal program."""
        return self.campaign.findings

    @property
    def deadline_hit(self) -> bool:
        return self.campaign.deadline_hit

    @property
    def exit_code(self) -> int:
        if self.campaign.verifier_failures:
            return 2
        return 1 if self.campaign.findings else 0

    def verifier_failure(self) -> str | None:
        """What to say when the verifier failed on some program; None when it never did."""
        n = self.campaign.verifier_failures
        if not n:
            return None
        programs = f"{n} program{'' if n == 1 else 's'}"
        return f"the verifier failed on {programs}, this is a bug in verify, please report it"

    def reproduce(self) -> str:
        """The command that repeats this audit exactly."""
        words = ["python", "-m", "verify", "audit", "--engine", self.spec.text, "--seed", str(self.seed),
                 "--max-examples", str(self.max_examples)]
        if self.ops is not None:
            words += ["--ops", ",".join(self.ops)]
        if self.timeout != DEFAULT_TIMEOUT:
            words += ["--timeout", f"{self.timeout:g}"]
        if self.deadline != DEFAULT_DEADLINE and self.deadline is not None:
            words += ["--deadline", f"{self.deadline:g}"]
        return shlex.join(words)


def audit(
    spec: str,
    *,
    max_examples: int = DEFAULT_EXAMPLES,
    seed: int = DEFAULT_SEED,
    ops: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float | None = DEFAULT_DEADLINE,
    progress: Progress | None = None,
) -> Audit:
    """Survey the engine class ``spec`` names, then audit it: battery, shapes, ``max_examples`` programs.

    ``deadline`` is the seconds the whole audit may take (None: no limit); when it is hit
    the audit stops cleanly and ``Audit.deadline_hit`` says so.

    Raises ``spec.UsageError`` for a malformed spec or deadline and
    ``sandbox.UnusableEngine`` when the class cannot be loaded, cannot make a
    leaf, combine two leaves or run ``backward()``.
    """
    if deadline is not None and not (isinstance(deadline, (int, float)) and deadline > 0
                                     and math.isfinite(deadline)):
        raise UsageError(f"deadline={deadline!r}: must be a positive number of seconds")
    say = progress or (lambda _: None)
    started = time.monotonic()
    ends = None if deadline is None else started + deadline
    with EngineProcess(spec, timeout) as engine:
        say(f"surveying {spec} ...")
        found = survey(engine)
        campaign = run_campaign(
            engine, found, max_examples=max_examples, seed_value=seed, ops=ops, progress=say,
            started=started, deadline=ends,
        )
        return Audit(engine.spec, engine.class_name, seed, max_examples,
                     None if ops is None else list(ops), found, campaign, timeout, deadline,
                     time.monotonic() - started)
