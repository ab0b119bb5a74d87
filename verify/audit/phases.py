"""The campaign's phases, each an object with ``run(ledger)``, run in order by ``campaign.run_campaign``.

``SurveyFindings`` reports what the survey already showed; ``Battery`` runs
every op in every layout the engine has (the usual points, then the tails);
``SmallGraphs`` puts each op in the two smallest graphs; ``Shapes`` runs the
graph shapes (fan-out, diamonds, a ladder, twins, a long sum); ``Chains``
measures how deep a chain backward gets right. Random programs are
``random_phase.RandomPrograms``. Each phase keeps its own counters in the
``Campaign`` result and its findings in the ``Ledger``.
"""

from __future__ import annotations

from dataclasses import dataclass

from micrograd.ops import OPS

from ..program import Const, Program, Step
from .battery import Case, chain_program, graph_cases, op_cases, shape_cases
from .engine.answers import DepthAnswer, ProbeRaised
from .engine.sandbox import EngineFailed
from .engine.terms import LAYOUTS
from .findings import Finding, layout_of, stopped_kind, written
from .ledger import STOPPED, Done, Ledger
from .limits import died_on_depth
from .trial import Assessment
from .unsupported import layout_cases, unsupported, works_elsewhere

DEPTHS = (1_000, 10_000, 100_000)
"""Chains whose every gradient is checked exactly."""
BISECTIONS = 14
"""Probes spent narrowing down the depth where a chain starts to fail."""
_PROBE = (0.7, 1.3)
"""The survey's probe point (its operands): a program that shows a probe's finding uses it."""


class SurveyFindings:
    """What the survey showed already: an op that hangs, a backward() that fails or gives no numbers."""

    def run(self, ledger: Ledger) -> None:
        survey = ledger.survey
        hung = [(op, layout, s) for op, per in survey.status.items() if op in ledger.chosen
                for layout, s in per.items() if s.state == "hangs" and "skipped" not in s.reason]
        if hung:
            op, layout, status = hung[0]
            others = ", ".join(o for o, _, _ in hung[1:])
            program = probe_program(op, layout)
            message = (f"{written(program)} did not finish within the probe's time limit "
                       f"({status.reason})" + (f"; so did {others}" if others else ""))
            finding = Finding("hang", op, layout, program, message, phase="survey", confirmed=True,
                              shrunk=False, evidence=[f"{o} ({lay}) hangs" for o, lay, _ in hung],
                              found_seconds=ledger.seconds())
            ledger.record(finding)
            for o, _, _ in hung:
                ledger.bad.update((o, lay) for lay in (*LAYOUTS, "hang"))
        problem = survey.backward_problem
        if problem is not None:
            program = _joined(problem.op)
            if problem.error is None:
                kind = stopped_kind(problem.failed or "hang")
                what = "did not finish" if kind == "hang" else "failed"
                finding = Finding(kind, "", "graph", program,
                                  f"backward() after {written(program)} {what} ({problem.message}); "
                                  "so it does whichever op combines the two leaves", phase="survey",
                                  confirmed=True, shrunk=False, found_seconds=ledger.seconds())
            else:
                error = problem.error
                finding = Finding("crash", "", "graph", program,
                                  f"backward() after {written(program)} raised {error.shown()}, "
                                  "whichever op combines the two leaves", phase="survey", confirmed=True,
                                  error=error, stage="backward", found_seconds=ledger.seconds())
            ledger.record(finding)
            ledger.result.stopped = "backward() fails on every program: nothing else can be judged"
            raise Done
        bad = survey.backward_grads
        if bad:
            program = _joined(survey.join)
            shown = ", ".join(f"{k}.grad is {v}" for k, v in bad.items())
            finding = Finding("unreadable", "", "graph", program,
                              f"after {written(program)} and backward(), {shown}: not a real number "
                              "(from here on only the values are judged)",
                              phase="survey", confirmed=True, found_seconds=ledger.seconds())
            ledger.record(finding)
            ledger.lab.values_only = True  # reported once; the values can still be judged


@dataclass(frozen=True)
class Battery:
    """Every op in every layout the engine has: at the usual points (``core``), or in the tails."""

    core: bool

    def run(self, ledger: Ledger) -> None:
        ledger.progress(f"battery ({'the usual points' if self.core else 'the tails'}) ...")
        for op in OPS:
            for layout in ledger.layouts(op):
                cases = op_cases(op, [layout])
                if self.core:
                    status = ledger.survey.state(op, layout)
                    gone = unsupported(ledger.lab, status, layout_cases(cases, layout),
                                       works_elsewhere(ledger.survey, op, layout))
                    if gone is not None:
                        ledger.survey.status[op]["x o y" if layout == "x o x" else layout] = gone
                if not ledger.survey.present(op, layout):
                    continue
                for case in cases:
                    if case.core != self.core:
                        continue
                    ledger.check_time()
                    if (op, "hang") in ledger.bad:
                        break
                    self.run_case(ledger, case)

    def run_case(self, ledger: Ledger, case: Case) -> None:
        a = ledger.lab.check(case.program)
        ledger.result.battery[(case.op, case.layout)] += 1
        ledger.result.battery_verdicts[a.verdict] += 1
        ledger.noted(a)
        if a.verdict in ("hang", "died"):
            ledger.bad.add((case.op, "hang"))  # each further case would cost the time limit again
        if a.failed:
            if _quick_key(ledger, a) in {f.key for f in ledger.result.findings}:
                return  # the same bug again, at another point: nothing new to explain
            finding = ledger.found(a, "battery")
            ledger.record(finding)
            ledger.bad.add((case.op, case.layout))
            if finding.kind in STOPPED:
                ledger.bad.add((case.op, "hang"))
        elif a.verdict == "pass":
            ledger.good[(case.op, case.layout)] += 1


def _quick_key(ledger: Ledger, a: Assessment) -> tuple[str, str]:
    """The key a one-step failure's finding will have, without explaining it (cheap)."""
    step = a.outcome.program.steps[-1]
    if a.verdict != "fail" or a.fault is None:
        return (a.verdict, step.op)
    kind = a.fault.kind
    if kind in ("forward", "non-finite", "seed"):
        return (kind, step.op if kind != "seed" else "")
    if layout_of(step) == "x o x" and (step.op, "x o y") not in ledger.bad:
        return ("lost-contribution", step.op)
    return ("wrong-rule", step.op)


class SmallGraphs:
    """Each op inside the two smallest graphs: its operand reused, and its operand an inner node."""

    def run(self, ledger: Ledger) -> None:
        if ledger.toolkit.join is None:
            return
        ledger.progress("each op in a small graph ...")
        for op in OPS:
            for layout in ledger.layouts(op):
                if layout == "x o x" or (op, layout) in ledger.bad:
                    continue
                for case in graph_cases(op, layout, ledger.toolkit):
                    ledger.check_time()
                    if (op, layout) in ledger.bad:
                        break
                    a = ledger.lab.check(case.program)
                    ledger.result.battery[(op, case.layout)] += 1
                    ledger.result.battery_verdicts[a.verdict] += 1
                    if a.failed:
                        finding = ledger.found(a, "battery")
                        ledger.record(finding)
                        if finding.op == op:
                            ledger.bad.add((op, layout))
                        break


class Shapes:
    """The graph shapes: fan-out, diamonds, a reconvergent ladder, twins, a sum of 1,000 terms."""

    EXPLAINED = 2
    """Failed shapes explained at most (the smallest first): each may take seconds."""

    def run(self, ledger: Ledger) -> None:
        cases = shape_cases(ledger.toolkit)
        if not cases:
            return
        ledger.progress(f"graph shapes ({len(cases)} programs) ...")
        failed: list[tuple[Case, Assessment]] = []
        for case in cases:
            ledger.check_time()
            a = ledger.lab.check(case.program)
            ledger.result.shapes[case.layout] += 1
            ledger.result.shape_verdicts[a.verdict] += 1
            ledger.noted(a, "shapes")
            if a.failed:
                failed.append((case, a))
        # Whether two uses are enough to go wrong tells traversal order from lost contributions.
        ledger.fan_out_two_ok = not any(c.layout.startswith(("diamond", "fan-out 2")) for c, _ in failed)
        explained = 0
        for _, a in sorted(failed, key=lambda f: len(f[0].program.steps)):
            ledger.check_time()
            if _explained_by_known(ledger, a) or explained >= self.EXPLAINED:
                continue
            if any(f.layout == "graph" and not f.op for f in ledger.result.findings) and \
                    _engine_wide_again(ledger, a):
                continue
            explained += 1
            ledger.record(ledger.found(a, "shapes"))


def _explained_by_known(ledger: Ledger, a: Assessment) -> bool:
    return any((s.op, layout_of(s)) in ledger.bad for s in a.outcome.program.steps)


def _engine_wide_again(ledger: Ledger, a: Assessment) -> bool:
    """A graph failure of the kind an engine-wide finding already explains."""
    kinds = {f.kind for f in ledger.result.findings if f.layout == "graph" and not f.op}
    fault = a.fault
    return fault is not None and (fault.kind in ("lost-contribution", "traversal", "wrong-rule")
                                  and bool(kinds & {"lost-contribution", "traversal"}))


class Chains:
    """Chains of 1e3 to 1e5 steps, every gradient exactly 1: how deep backward gets right."""

    def run(self, ledger: Ledger) -> None:
        payload = self._step(ledger)
        if payload is None:
            return
        ledger.progress("deep chains ...")
        depth = ledger.result.depth
        depth.checked = True
        good, bad, why, wrong_at = 0, None, None, None
        for tried in DEPTHS:
            ledger.check_time()
            what, at = self._probe(ledger, tried, payload)
            shown = what if what != "wrong" else f"gradients wrong below depth {at}"
            ledger.result.chains.append((tried, shown))
            if what != "exact":
                bad, why, wrong_at = tried, what, at
                break
            good = tried
        if bad is not None and why is not None and (why == "wrong" or "RecursionError" in why
                                                    or why.startswith("crash:")):
            good, bad, wrong_at = self._bisect(ledger, payload, good, bad, why, wrong_at)
        depth.works_to = good
        if why == "wrong":
            ledger.record(self._finding(ledger, payload, good, bad or 0, wrong_at))
        else:
            depth.failure = None if bad is None else f"{why} at depth {bad}"
            if why is not None and why.startswith("crash:"):  # the process died: not a clean limit
                ledger.record(died_on_depth(ledger, chain_program(bad or 0, *payload), good, why))

    @staticmethod
    def _step(ledger: Ledger) -> tuple[str, str, float] | None:
        """The chain's step: an op with a number (the toolkit's edge), or a join with a leaf."""
        edge, join = ledger.toolkit.edge, ledger.toolkit.join
        if edge is not None and edge[0] in ("add", "sub", "mul"):
            return (edge[0], edge[1], 1.0)
        if join is not None and join[0] in ("add", "sub"):
            return (join[0], "x o y", 0.0)
        if join is not None and join[0] == "mul":
            return ("mul", "x o y", 1.0)
        return None

    @staticmethod
    def _probe(ledger: Ledger, depth: int, payload: tuple[str, str, float]) -> tuple[str, int | None]:
        """"exact", "wrong" (with the depth the gradients stop at), or the failure."""
        try:
            answer = ledger.engine.probe("depth", (depth, *payload))
        except EngineFailed as failure:
            return f"{failure.kind}: {failure}", None
        if isinstance(answer, ProbeRaised):
            return f"{answer.error.type}: {answer.error.message}", None
        assert isinstance(answer, DepthAnswer)
        if not answer.ok:
            return f"{answer.error} in {answer.stage}", None
        if answer.first_wrong is not None:
            return "wrong", answer.first_wrong
        return "exact", None

    def _bisect(self, ledger: Ledger, payload: tuple[str, str, float], good: int, bad: int, why: str,
                wrong_at: int | None) -> tuple[int, int, int | None]:
        """Narrow (good, bad] down to where the chain starts to fail the same way."""
        lo = max(good, 100 if why != "wrong" else 1)
        if good == 0 and why != "wrong":
            what, _ = self._probe(ledger, 100, payload)
            if what == "exact":
                good = lo = 100
        for _ in range(BISECTIONS):
            if bad - lo <= 1:
                break
            middle = (lo + bad) // 2
            what, at = self._probe(ledger, middle, payload)
            if what == "exact":
                lo = good = middle
            elif (what == "wrong") == (why == "wrong"):
                bad, wrong_at = middle, at if what == "wrong" else wrong_at
            else:
                break
        return good, bad, wrong_at

    @staticmethod
    def _finding(ledger: Ledger, payload: tuple[str, str, float], good: int, bad: int,
                 wrong_at: int | None) -> Finding:
        program = chain_program(bad, *payload)
        step = program.steps[0]
        text = OPS[step.op].write("y", "z" if payload[1] == "x o y" else repr(payload[2]))
        message = (f"a chain of {bad:,} steps (y = {text}, repeated): every gradient must be exactly 1, "
                   f"but the gradients are wrong from depth {wrong_at:,} down (the chain of {good:,} "
                   "steps is exact): backward silently stops partway (a depth cap, or a truncated pass)")
        return Finding("traversal", "", "graph", program, message, phase="shapes", node="x",
                       expected="1.0", actual="not 1", confirmed=True, shrunk=False,
                       found_seconds=ledger.seconds(),
                       evidence=[f"chain of {d:,}: {w}" for d, w in ledger.result.chains])


def probe_program(op: str, layout: str) -> Program:
    """The program a survey probe ran: ``op`` in ``layout`` at the probe point."""
    row = OPS[op]
    x, y = _PROBE
    if row.arity == 1:
        return Program((("x", x),), (Step(op, (0,)),))
    right = {"powi": 3.0, "powc": 0.5}.get(op, y)
    if layout == "x o y":
        return Program((("x", x), ("y", right)), (Step(op, (0, 1)),))
    if layout == "x o c":
        return Program((("x", x),), (Step(op, (0, Const(right))),))
    return Program((("x", right),), (Step(op, (Const(x), 0)),))


def _joined(op: str) -> Program:
    """x <op> y at the probe point: the program backward() was probed with."""
    return Program((("x", _PROBE[0]), ("y", _PROBE[1])), (Step(op, (0, 1)),))
