"""Several ``backward()`` calls: gradients accumulate across calls, exactly as the partials add up.

micrograd's ``backward()`` seeds the output's grad with 1 and *adds* (``+=``) into every node it
reaches, never zeroing: a learner resets grads by hand between steps. So after
``f.backward(); y.backward()`` a leaf holds df/dx + dy/dx, exactly the gradient of ``f + y``.
That much every accumulating engine agrees on. What an *inner* node shared by both calls passes
on the second time is not: karpathy's closures pass on the node's own ``.grad``, which still holds
f's part, so f's part reaches the leaves again below it; an engine that keeps each call's adjoints
apart (PyTorch, this project's micrograd) passes on only y's. The worker runs the programs of
``engine.probes.ACCUMULATE`` as written and reads the leaf's ``.grad``; it is judged, by the usual
judge, against exact gradients of plain programs:

- ``y`` a second output of the same leaf, built after ``f.backward()`` or before it: exactly
  the gradient of ``f + y`` (no inner node is shared, so there is one right answer);
- ``y`` built on top of ``f``, or sharing an inner node ``u`` with it, after ``f.backward()``:
  the gradient of ``f + y`` (each call's adjoints apart) or of ``f + f + y`` (karpathy's: the
  shared node is one step above the leaf, so f's part flows down once more); either passes, and
  nothing else does;
- ``probes.training_loop``: build, ``p.grad = 0`` on the parameters, ``backward()``,
  ``p.data -= 0.1 * p.grad``, rebuild; from the second iteration on, each iteration's grads
  must be the exact partials at the values the parameters hold then (the first is an ordinary
  program, judged by the battery). This catches state kept across graphs: a tape or a
  topological order kept on the class, a visited set never cleared, grads written with ``=``.

A program is judged only where ``f + y`` itself, run as one ``backward()``, passes, and only
if mul and add have no finding and no engine-wide one is known: a wrong rule, or ``=`` for ``+=``
in an op, is the battery's finding, not a second one here. Failures are one finding of the engine, kind
``accumulation``, with the shortest failing program.
"""

from __future__ import annotations

import inspect
import math
import textwrap
import time
from collections.abc import Callable
from typing import Any

from ..program import Const, Program, Step
from ..report import Report
from .engine.answers import AccumulateAnswer
from .engine.probes import ACCUMULATE, LOOP_STEPS
from .engine.terms import Layout
from .findings import Finding, exact_grad, number_text
from .ledger import Ledger
from .reproduce import RUNS, TIMEOUT, finding_snippet, reproduces

_X = (("x", 0.43),)


def _mul(a: int, c: float) -> Step:
    return Step("mul", (a, Const(c)))


def _add(a: int, b: int) -> Step:
    return Step("add", (a, b))


SUMS: tuple[tuple[Program, ...], ...] = (
    (Program(_X, (_mul(0, 3.7), _mul(0, 2.5), _add(1, 2))),),
    (Program(_X, (_mul(0, 3.7), _mul(0, 2.5), _add(1, 2))),),
    (Program(_X, (_mul(0, 3.7), _mul(0, 3.7), _mul(2, 2.5), _add(1, 3))),
     Program(_X, (_mul(0, 3.7), _mul(0, 3.7), _mul(2, 2.5), _add(2, 3), _add(1, 4)))),
    (Program(_X, (_mul(0, 3.7), _mul(1, 1.5), _mul(0, 3.7), _mul(3, 2.5), _add(2, 4))),
     Program(_X, (_mul(0, 3.7), _mul(1, 1.5), _mul(0, 3.7), _mul(3, 1.5), _mul(3, 2.5), _add(4, 5),
                  _add(2, 6)))),
)
"""Per program of ``probes.ACCUMULATE``: plain programs whose exact input gradients are the accepted
answers. Each backward() call is a copy of its own graph on the same leaf, so the judge allows the
rounding each call does by itself, then the ``+=`` between them. The first: each call's partials
summed (``f + y``); the second, where an inner node is shared: karpathy's, whose shared node passes
on its leftover part from the first call too (``f + (f + y)``)."""
NEEDED: tuple[tuple[str, Layout], ...] = (("mul", "x o c"), ("add", "x o y"), ("mul", "x o y"))
"""The ops and layouts these programs are built from."""
ENGINE_WIDE = ("lost-contribution", "traversal", "seed", "unreadable")
"""Findings that every program with a shared node or a backward() shows: these programs are not
run after one, nor after any finding in mul or add."""


def loop_program(w: float, b: float) -> Program:
    """One iteration of ``probes.training_loop`` at w, b: ``y = w * 1.7 + b; loss = y * w``."""
    return Program((("w", w), ("b", b)), (Step("mul", (0, Const(1.7))), Step("add", (2, 1)),
                                          Step("mul", (3, 0))))


LOOP_BODY = ("y = w * 1.7 + b", "loss = y * w", "w.grad = 0", "b.grad = 0", "loss.backward()",
             "w.data -= 0.1 * w.grad", "b.data -= 0.1 * b.grad")
"""``probes.training_loop``'s body as a learner writes it (a test runs both and compares)."""


def loop_statements(iterations: int) -> tuple[str, ...]:
    """The loop run ``iterations`` times, then the next iteration built up to its backward()."""
    return (f"for _ in range({iterations}):", *(f"    {line}" for line in LOOP_BODY),
            "t = w * 1.7 + b", "w.grad = 0", "b.grad = 0", "y = t * w")


def statements(probe: Callable[[type], object]) -> tuple[str, ...]:
    """A worker probe's body as a learner writes it, after its inputs, ``V`` spelled ``Value``."""
    body = textwrap.dedent("\n".join(inspect.getsource(probe).splitlines()[1:])).splitlines()
    return tuple(line.replace("V(", "Value(") for line in body
                 if not line.startswith(("return ", "x = V(")))


class Accumulation:
    """The programs with several backward() calls: the worker runs them, the judge checks the leaves."""

    def run(self, ledger: Ledger) -> None:
        if any(op not in ledger.chosen or not ledger.survey.present(op, layout) for op, layout in NEEDED):
            return
        if any(f.op in ("mul", "add") or f.kind in ENGINE_WIDE for f in ledger.result.findings):
            return  # that bug shows here too: it is already a finding
        answer = ledger.fixed_probe("accumulate", AccumulateAnswer)
        if answer is None:
            return
        ledger.progress("several backward() calls ...")
        for k, got in enumerate(answer.runs[: len(ACCUMULATE)]):
            ledger.check_time()
            if got is not None and self.judge_two(ledger, k, got):
                return
        if len(answer.runs) > len(ACCUMULATE):
            self.judge_loop(ledger, answer.runs[len(ACCUMULATE)])

    @staticmethod
    def judge_two(ledger: Ledger, k: int, got: tuple[float | None, ...]) -> bool:
        """Judge program ``k`` of ``ACCUMULATE``; True if it is a finding (then it is recorded)."""
        accepted = SUMS[k]
        alone = ledger.lab.check(accepted[0])
        if alone.verdict != "pass":
            return False  # f + y in one backward() is wrong by itself: the battery's finding
        reports = [_judged(ledger, program, got) for program in accepted]
        if any(r is None or r.verdict != "fail" for r in reports):
            return False
        expected = [exact_grad(r, 0) for r in reports]
        message = (f"after two backward() calls x.grad is {number_text(got[0])}, not "
                   f"{' or '.join(expected)}: {_cause(got[0], alone.outcome.grad[0])}")
        ledger.record(_finding(ledger, accepted[0], message, statements(ACCUMULATE[k]), expected[0], got,
                               reports[0]))
        return True

    @staticmethod
    def judge_loop(ledger: Ledger, seen: tuple[float | None, ...] | None) -> None:
        if seen is None or len(seen) != 4 * LOOP_STEPS or seen[0] is None or seen[1] is None:
            return
        first = loop_program(seen[0], seen[1])
        if ledger.lab.check(first).verdict != "pass":
            return  # one iteration alone is wrong: the battery's finding
        for i in range(1, LOOP_STEPS):
            ledger.check_time()
            w, b, gw, gb = seen[4 * i:4 * i + 4]
            if w is None or b is None or not (math.isfinite(w) and math.isfinite(b)):
                return
            program = loop_program(w, b)
            report = ledger.lab.judge(program, [w, b, None, None, None], [gw, gb, None, None, None])
            if report is None or report.verdict != "fail":
                continue
            if ledger.lab.check(program).verdict != "pass":
                return  # the same graph built fresh is wrong too: not a matter of earlier calls
            message = (f"in a training loop (build, p.grad = 0, backward(), p.data -= 0.1 * p.grad), "
                       f"iteration {i + 1} gives w.grad = {number_text(gw)}, b.grad = {number_text(gb)}, "
                       f"not {exact_grad(report, 0)}, {exact_grad(report, 1)} (the exact partials at "
                       f"w = {w!r}, b = {b!r}, which the same graph built fresh gives): the engine keeps "
                       "something of the earlier iterations' graphs (a tape, a topological order or "
                       "a visited set kept across calls)")
            ledger.record(_finding(ledger, first, message, loop_statements(i), exact_grad(report, 0),
                                   (gw, gb), report))
            return


def _judged(ledger: Ledger, program: Program, got: tuple[float | None, ...]) -> Report | None:
    """The judge's report on the leaf grads ``got`` as the gradients of ``program``."""
    n = len(program.inputs)
    data: list[float | None] = [value for _, value in program.inputs] + [None] * len(program.steps)
    grad: list[float | None] = [*got[:n], *[None] * (program.size - n)]
    return ledger.lab.judge(program, data, grad)


def _cause(got: float | None, summed: Any) -> str:
    """Which way the sum went wrong, in words (the verdict was the judge's)."""
    if got is not None and isinstance(summed, float) and math.isfinite(got) and abs(got) < abs(summed):
        return ("part of it is lost: a grad written with `=`, grads reset by backward() itself, or a node "
                "an earlier backward() reached skipped (a tape or a visited set kept across calls); "
                "micrograd adds with `+=` and never zeroes, so that learners reset grads between steps")
    return ("an earlier backward()'s part is added again (a tape or a topological order kept across "
            "calls)")


def _finding(ledger: Ledger, program: Program, message: str, shown: tuple[str, ...], expected: str,
             got: tuple[float | None, ...], report: Report | None) -> Finding:
    finding = Finding("accumulation", "", "graph", program, message, phase="battery", confirmed=True,
                      shrunk=False, statements=shown, expected=expected, actual=number_text(got[0]),
                      report=report, found_seconds=ledger.seconds())
    lab = ledger.lab
    if lab.engine.plan.how != "object" and not lab.out_of_time():  # a class in memory has no file to load
        timeout = TIMEOUT if lab.deadline is None else min(TIMEOUT, max(1.0, lab.deadline - time.monotonic()))
        seen = reproduces(finding_snippet(lab.engine.spec, finding, lab.engine.ready), got, runs=RUNS,
                          timeout=timeout)
        finding.reproduced = (seen.hits, seen.runs)
        finding.reproduced_in = "fresh interpreters running the program as printed"
    return finding
