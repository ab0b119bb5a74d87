"""Audit any micrograd-style engine class: survey it, run a campaign, keep the evidence.

``audit("path/to/engine.py:Value")`` is what ``python -m verify audit`` runs.
The engine lives in a worker process (``sandbox``); SymPy and mpmath
judge its numbers in this process (``verify.judge``).

Exit codes (``Audit.exit_code``): 0 no fault found, 1 a fault found, 2 the
verifier itself failed (raised or timed out) on some program: a bug in verify,
which is never blamed on the engine, but the audit cannot vouch for those
programs, so 2 wins over 0 and 1. A depth limit (RecursionError on deep
graphs) and the backward-twice behaviour are reported as findings of their
own and do not change the exit code; usage errors and unusable engines raise
(the CLI turns them into exit code 2 as well).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from . import DEFAULT_EXAMPLES, DEFAULT_SEED, DEFAULT_TIMEOUT
from .campaign import Campaign, Progress, run_campaign
from .sandbox import EngineProcess
from .spec import EngineSpec
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

    @property
    def exit_code(self) -> int:
        if self.campaign.verifier_failures:
            return 2
        return 0 if self.campaign.finding is None else 1

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
        return shlex.join(words)


def audit(
    spec: str,
    *,
    max_examples: int = DEFAULT_EXAMPLES,
    seed: int = DEFAULT_SEED,
    ops: Sequence[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Audit:
    """Survey the engine class ``spec`` names, then audit it on ``max_examples`` programs.

    Raises ``spec.UsageError`` for a malformed spec and
    ``sandbox.UnusableEngine`` when the class cannot be loaded or lacks
    the bare protocol (``Cls(x)``, ``.data``, ``.grad``, ``x + y``, ``x + 1.0``, ``x - 1.0``).
    """
    say = progress or (lambda _: None)
    with EngineProcess(spec, timeout) as engine:
        say(f"surveying {spec} ...")
        found = survey(engine)
        say(f"running {max_examples} programs (seed {seed}) ...")
        campaign = run_campaign(
            engine, found, max_examples=max_examples, seed_value=seed, ops=ops, progress=say
        )
        return Audit(engine.spec, engine.class_name, seed, max_examples,
                     None if ops is None else list(ops), found, campaign, timeout)
