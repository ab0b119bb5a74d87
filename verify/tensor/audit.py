"""``audit_tensor``: survey an engine, run the battery in a worker, judge each run, shrink what fails.

The front door (``python -m verify audit --engine x.py:Tensor``) can call
``audit_tensor(spec)`` and print ``result.render()`` or ``result.to_json()``;
``result.exit_code`` is 0 (no fault), 1 (a fault) or 2 is raised as
``EngineUnusable`` (the engine cannot be loaded or driven).
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import shapes as sh
from .battery import TEMPLATES, Template, runnable
from .check import Finding, check
from .ops import Dialect
from .program import TensorProgram, evaluate, suffix
from .randomized import random_templates
from .run import Run
from .runner import EngineUnusable, ask, dialect_of
from .snippet import snippet

__all__ = ["EngineUnusable", "TensorAudit", "Failure", "audit_tensor", "wants_tensor_audit"]

TENSOR_SIGNS = frozenset({"sum", "mean", "reshape", "view", "permute", "transpose", "T", "__matmul__"})
"""Any of these on the class says it holds arrays: the tensor audit is the one for it."""


@dataclass
class Failure:
    """One finding on the smallest program that still shows it."""

    finding: Finding
    template: str
    program: TensorProgram
    snippet: str

    @property
    def steps(self) -> int:
        """The ops before the battery's ``(y * w)`` (and ``.sum()`` when y is not 0-d): the bug's program."""
        return len(self.program.nodes) - (2 if self.program.nodes[-1].op == "sum" else 1)

    @property
    def largest_dim(self) -> int:
        return max((d for s in self.program.shapes for d in s), default=1)

    def to_json(self) -> dict[str, Any]:
        return {**self.finding.to_json(), "template": self.template, "steps": self.steps,
                "largest_dim": self.largest_dim,
                "program": self.program.to_wire(), "snippet": self.snippet}


@dataclass
class TensorAudit:
    engine: str
    dialect: Dialect
    ops: list[str]
    programs: int = 0
    failures: list[Failure] = field(default_factory=list)
    fragilities: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        """fail (a wrong rule), fragile (no wrong rule, but a storage that loses digits), or pass."""
        return "fail" if self.failures else "fragile" if self.fragilities else "pass"

    @property
    def exit_code(self) -> int:
        return 1 if self.failures else 0

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "kind": "tensor", "dialect": self.dialect, "ops": self.ops,
                "verdict": self.verdict, "programs": self.programs, "seconds": round(self.seconds, 2),
                "findings": [f.to_json() for f in self.failures], "fragilities": self.fragilities}

    def render(self) -> str:
        from .render import render

        return render(self)

    def _repr_html_(self) -> str:
        """How a notebook shows it."""
        from .html import render_html

        return render_html(self)


def wants_tensor_audit(spec: Any, *, deadline: float = 60.0) -> bool:
    """Whether ``spec`` (``"engine.py:Tensor"`` or a class) is for this audit rather than the scalar
    one: a factory (minitorch's ``tensor``), a class with ``.derivative`` (minitorch's Scalar), or a
    class with a tensor method (``sum``, ``reshape``, ``@``, ...). One survey in a worker; the front
    door can route on it. ``EngineUnusable`` if it cannot be loaded."""
    path, name = _where(spec)
    survey = ask(path, name, [], None, deadline=deadline).survey
    have = set(survey.get("have", []))
    return bool(survey.get("factory") or survey.get("derivative") or TENSOR_SIGNS & have)


def _where(spec: Any) -> tuple[str, str]:
    """(file, class name) from ``"path.py:Class"`` or a class defined at the top of a file."""
    if isinstance(spec, str):
        path, sep, name = spec.rpartition(":")
        if not sep or not path or not name.isidentifier():
            raise EngineUnusable(f"{spec!r}: give the engine as FILE.py:CLASS")
        if not os.path.isfile(path):
            raise EngineUnusable(f"{path}: no such file")
        return path, name
    if inspect.isclass(spec):
        try:
            found = inspect.getsourcefile(spec)
        except TypeError:
            found = None
        if found is None or not os.path.isfile(found) or spec.__qualname__ != spec.__name__:
            raise EngineUnusable(f"{spec.__name__} is not a class defined at the top of a file: "
                                 "put it in one and give FILE.py:CLASS")
        return found, spec.__name__
    raise EngineUnusable(f"cannot audit {spec!r}: give a class or FILE.py:CLASS")


RANDOM_PROGRAMS = 30
"""Random chains run after the battery, by default."""


def audit_tensor(spec: Any, *, seed: int = 0, deadline: float = 60.0, dialect: Dialect | None = None,
                 shrink: bool = True, only: str | None = None, random: int = RANDOM_PROGRAMS) -> TensorAudit:
    """Audit a tensor engine: every battery program its dialect and ops allow, then ``random``
    random chains, judged op by op.

    ``spec`` is ``"engine.py:Tensor"`` or the class itself; ``only`` keeps the
    templates whose name contains it.
    """
    started = time.monotonic()
    path, name = _where(spec)
    survey = ask(path, name, [], None, deadline=deadline).survey
    chosen: Dialect = dialect or dialect_of(survey)
    have = set(survey.get("have", []))
    candidates = [*TEMPLATES, *random_templates(seed, random)]
    templates = [t for t in candidates if runnable(t, have, chosen) and (only is None or only in t.name)]
    if chosen == "scalar":
        templates = [t for t in templates if _scalar_only(t)]
    if not templates:
        raise EngineUnusable(f"{path}:{name}: none of the battery's programs can be written in the "
                             f"{chosen} dialect with the ops it has ({sorted(have)})")
    ops = sorted({n.op for t in templates for n in t.program(t.sizes[0], seed).nodes})
    result = TensorAudit(f"{path}:{name}", chosen, ops)

    def left() -> float:
        return max(1.0, deadline - (time.monotonic() - started))

    programs = [t.program(t.sizes[0], seed) for t in templates]
    answer = ask(path, name, programs, chosen, deadline=left())
    result.programs = len(programs)
    failing: list[Case] = []
    for t, program, run in zip(templates, programs, answer.runs, strict=True):
        got = check(program, run)
        result.fragilities += [f.message for f in got.findings if f.kind == "fragility"][:1]
        if got.faults:
            failing.append((t, program, _blame_crash(got.faults[0], t, program), run))
    result.fragilities = sorted(set(result.fragilities))
    result.failures = _smallest(path, name, chosen, failing, seed, shrink, left)
    result.seconds = time.monotonic() - started
    return result


def _scalar_only(t: Template) -> bool:
    return t.sizes[-1] == () or all(s == () for s in t.program(t.sizes[0], 0).shapes)


def _blame_crash(f: Finding, t: Template, program: TensorProgram) -> Finding:
    """A crash in backward names no node: blame the op the program was made to test."""
    if f.kind != "crash" or f.op:
        return f
    n_in = len(program.inputs)
    node = next((j for j, n in enumerate(program.nodes, n_in) if n.op == t.target), -1)
    if node < 0:
        return dataclasses.replace(f, op=t.target)
    row = program.nodes[node - n_in]
    operands = program.operands(row, program.shapes)
    shapes = tuple(s for s in operands if not isinstance(s, float))
    return dataclasses.replace(f, op=t.target, node=node, pattern=row.row.pattern(operands, row.kwargs),
                               shapes=shapes)


def _key(f: Finding) -> str:
    return f.op


def _rank(failure: Failure) -> tuple[int, int, int]:
    """Smaller is better: a wrong number before a crash (it says more), then the smaller program."""
    return (failure.finding.kind == "crash", *_size(failure.program))


Case = tuple[Template, TensorProgram, Finding, Run]
"""A failing run: the template, the program, the finding, what the engine computed."""


def _smallest(path: str, name: str, dialect: Dialect, failing: list[Case], seed: int,
              shrink: bool, left: Callable[[], float]) -> list[Failure]:
    """For each op found, the smallest program that still shows it, over every template and size
    that failed that way."""
    cases = list(failing)
    if shrink and failing:
        tries = [(t, f, t.program(d, seed)) for t, _, f, _ in failing for d in t.sizes[1:]]
        if tries:
            answer = ask(path, name, [p for _, _, p in tries], dialect, deadline=left())
            for (t, f, program), run in zip(tries, answer.runs, strict=True):
                got = check(program, run).faults
                if got:
                    g = _blame_crash(got[0], t, program)
                    if _key(g) == _key(f):
                        cases.append((t, program, g, run))
    cases = _cut(path, name, dialect, cases, left)
    best: dict[str, Failure] = {}
    for t, program, f, _ in cases:
        here = Failure(f, t.name, program, snippet(program, dialect, name, path))
        old = best.get(_key(f))
        if old is None or _rank(here) < _rank(old):
            best[_key(f)] = here
    named = [f for f in best.values() if f.finding.op]
    return sorted(named or list(best.values()), key=_rank)  # an op named makes the unnamed redundant


def _cut(path: str, name: str, dialect: Dialect, cases: list[Case], left: Callable[[], float]) -> list[Case]:
    """Name the op where no single op could be blamed: the engine keeps gradients on leaves only (a
    wrong one could come from any op between), or a random program crashed in backward. Each op's
    suffix of the program (the op and all after it, what it reads made leaves holding the engine's
    values, or the reference forward's where a crash left none) is run; the last op whose suffix
    fails, all later suffixes passing, is the one whose rule is wrong, and its suffix is the
    smaller program."""
    vague = [i for i, (_, _, f, _) in enumerate(cases)
             if not f.op and f.kind in ("gradient", "grad-shape", "crash")]
    if not vague:
        return cases
    jobs: list[tuple[int, int, TensorProgram]] = []
    for i in vague:
        _, program, _, run = cases[i]
        complete = len(run.data) == len(program.shapes) and all(d is not None for d in run.data)
        # a crash in backward leaves no values: the reference forward's stand in for them
        values = [d or [] for d in run.data] if complete else evaluate(program)
        for k in range(len(program.inputs), len(program.shapes)):
            jobs.append((i, k, suffix(program, k, values)))
    answer = ask(path, name, [p for _, _, p in jobs], dialect, deadline=left())
    verdicts: dict[int, list[tuple[int, TensorProgram, Finding | None, Run]]] = {}
    for (i, k, program), run in zip(jobs, answer.runs, strict=True):
        faults = check(program, run).faults
        verdicts.setdefault(i, []).append((k, program, faults[0] if faults else None, run))
    out = list(cases)
    for i, found in verdicts.items():
        t = cases[i][0]
        for _, program, f, run in sorted(found, key=lambda x: x[0], reverse=True):
            if f is None:
                continue  # this op and every later one are right here
            first = len(program.inputs)
            node = program.nodes[0]
            operands = program.operands(node, program.shapes)
            what = "raised" if f.kind == "crash" else "passed back a wrong gradient"
            named = dataclasses.replace(
                f, op=node.op, node=first, pattern=node.row.pattern(operands, node.kwargs),
                shapes=tuple(s for s in operands if not isinstance(s, float)),
                message=f"{node.op} {what} (every op after it passes with the same numbers): "
                        + f.message.split("; ")[0])
            out[i] = (t, program, named, run)
            break
    return out


def _size(program: TensorProgram) -> tuple[int, int]:
    return (len(program.nodes), sum(sh.size(s) for s in program.shapes))
