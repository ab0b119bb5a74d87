"""Augmented assignment: ``c += x`` must mean ``c = c + x``, as micrograd's own example uses it.

Every other program of the audit is built with ``operator.add`` and friends on fresh nodes; an
engine whose ``__iadd__`` (or ``__isub__``, ``__imul__``) changes the node in place passes them all
and gets micrograd's README example wrong. The worker runs each program of
``engine.probes.AUGMENTED`` as written, with ``op=``; here the same program with ``c = c op x`` is
run and judged as usual. Where that plain form passes and the augmented one's output value and
input gradients fail the same judge (a graph visited in another order only rounds differently),
the augmented operator is the bug: one finding per operator.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Callable

from ..program import Const, Program, Step
from .engine.answers import AugmentedAnswer
from .engine.probes import seed_example
from .findings import Finding, number_text
from .ledger import Ledger


def _statements(probe: Callable[[type], object]) -> str:
    """A worker probe's body as a learner writes it: its engine class ``V`` spelled ``Value``."""
    body = inspect.getsource(probe).splitlines()[1:]
    kept = [line for line in body if not line.strip().startswith("return ")]
    return textwrap.dedent("\n".join(kept)).replace("V(", "Value(") + "\n"


SEED_EXAMPLE = _statements(seed_example)
"""micrograd's README example, the fourth program of ``probes.AUGMENTED``."""

_X = (("x", 0.43),)
PLAIN: tuple[tuple[str, str, Program | None], ...] = (
    ("add", "y = x * 3.7; y += x", Program(_X, (Step("mul", (0, Const(3.7))), Step("add", (1, 0))))),
    ("sub", "y = x * 3.7; y -= x", Program(_X, (Step("mul", (0, Const(3.7))), Step("sub", (1, 0))))),
    ("mul", "y = x + 3.7; y *= x", Program(_X, (Step("add", (0, Const(3.7))), Step("mul", (1, 0))))),
    ("add", "micrograd's README example (c += ..., d += ..., g += ...)", None),
)
"""Per program of ``probes.AUGMENTED``: the operator it tests, how it is written, its plain form
(None: parsed from ``SEED_EXAMPLE``)."""


def plain_program(k: int) -> Program:
    program = PLAIN[k][2]
    if program is not None:
        return program
    from ..parse import parse

    return parse(SEED_EXAMPLE).program


class Augmented:
    """The augmented-assignment programs: the worker runs them as written, the plain forms are judged."""

    def run(self, ledger: Ledger) -> None:
        answer = ledger.fixed_probe("augmented", AugmentedAnswer)
        if answer is None:
            return
        seen: set[str] = set()
        for k, got in enumerate(answer.runs[: len(PLAIN)]):
            op, written, _ = PLAIN[k]
            if got is None or op in seen or op not in ledger.chosen:
                continue
            program = plain_program(k)
            a = ledger.lab.check(program)
            if a.verdict != "pass":
                continue  # the plain form is wrong by itself: the battery reports that
            n = len(program.inputs)
            plain = (a.outcome.data[-1], *a.outcome.grad[:n])
            if all(_same(p, q) for p, q in zip(plain, got, strict=False)):
                continue
            # the same graph in another order rounds differently: judge the augmented numbers
            data: list[float | None] = [value for _, value in program.inputs] + [None] * len(program.steps)
            data[-1] = got[0]
            grad: list[float | None] = [*got[1:n + 1], *[None] * len(program.steps)]
            report = ledger.lab.judge(program, data, grad)
            if report is None or report.verdict != "fail":
                continue
            seen.add(op)
            ledger.record(_finding(ledger, op, written, program, plain, got))


def _same(p: float | None, q: float | None) -> bool:
    if p is None or q is None:
        return p is q
    return p == q or (math.isnan(p) and math.isnan(q))


def _finding(ledger: Ledger, op: str, written: str, program: Program, plain: tuple[float | None, ...],
             got: tuple[float | None, ...]) -> Finding:
    names = [name for name, _ in program.inputs]
    what = [f"the output's value is {number_text(got[0])}, not {number_text(plain[0])}"] if not _same(
        plain[0], got[0]) else []
    what += [f"{name}.grad is {number_text(g)}, not {number_text(p)}" for name, p, g
             in zip(names, plain[1:], got[1:], strict=False) if not _same(p, g)]
    symbol = {"add": "+=", "sub": "-=", "mul": "*="}[op]
    message = (f"with augmented assignment ({written}) {'; '.join(what)}: `c {symbol} x` does not mean "
               f"`c = c {symbol[0]} x` (the engine's __i{op}__ changes the node in place); the same "
               "program written with `=` is right")
    statements = (tuple(written.split("; ")) if written.startswith("y = ")
                  else (*SEED_EXAMPLE.splitlines()[2:], "y = g"))
    return Finding("in-place", op, "graph", program, message, phase="battery", confirmed=True, shrunk=False,
                   statements=statements,
                   expected=number_text(plain[1]) if len(plain) > 1 else "",
                   actual=number_text(got[1]) if len(got) > 1 else "",
                   found_seconds=ledger.seconds())
