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
from .check import Finding, check, storage_note
from .ops import Dialect
from .program import TensorProgram, evaluate, suffix
from .randomized import random_templates
from .run import Run
from .runner import DEADLINE, MEMORY, PROGRAM_SECONDS, Answer, EngineUnusable, ask, dialect_of
from .snippet import snippet

__all__ = ["EngineUnusable", "Failure", "TensorAudit", "TensorAuditFailed", "audit_tensor",
           "is_tensor_engine", "wants_tensor_audit"]

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


class TensorAuditFailed(AssertionError):
    """``TensorAudit.raise_for_findings``: the audit found a wrong rule (or, strict, a fragility)."""


@dataclass
class TensorAudit:
    """A tensor engine's audit, with the scalar ``AuditResult``'s face: ``verdict``, ``exit_code``,
    ``ok``, ``findings`` (= ``faults``), ``fragilities``, ``render()``, ``to_dict()``,
    ``raise_for_findings()`` and the notebook's ``_repr_html_``."""

    engine: str
    dialect: Dialect
    ops: list[str]
    programs: int = 0
    failures: list[Failure] = field(default_factory=list)
    fragilities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    strict: bool = False
    """Fragilities (digits lost to a narrow storage) exit 1 like faults (``--strict``)."""

    @property
    def verdict(self) -> str:
        """fail (a wrong rule, or with ``strict`` a fragility), fragile (no wrong rule, but a storage
        that loses digits), or pass."""
        if self.failures or (self.strict and self.fragilities):
            return "fail"
        return "fragile" if self.fragilities else "pass"

    @property
    def exit_code(self) -> int:
        """0 no wrong rule (fragilities alone too, unless ``strict``), 1 a finding."""
        return 1 if self.verdict == "fail" else 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def findings(self) -> list[Failure]:
        """Every distinct wrong rule found, each on the smallest program that still shows it."""
        return self.failures

    @property
    def faults(self) -> list[Failure]:
        return self.failures

    def summary(self) -> str:
        """One line: the verdict and what it rests on."""
        parts = [f"{len(self.failures)} finding{'' if len(self.failures) == 1 else 's'} ("
                 + ", ".join(f"{f.finding.kind} in {f.finding.op or '?'}" for f in self.failures) + ")"
                 if self.failures else "no wrong rule found"]
        parts += [f"fragility: {note}" for note in self.fragilities]
        return f"{parts[0]} in {self.programs} programs in {self.seconds:.1f} s" + "".join(
            f"; {p}" for p in parts[1:])

    def to_json(self) -> dict[str, Any]:
        return {"engine": self.engine, "kind": "tensor", "dialect": self.dialect, "ops": self.ops,
                "verdict": self.verdict, "exit_code": self.exit_code, "strict": self.strict,
                "programs": self.programs, "seconds": round(self.seconds, 2),
                "findings": [f.to_json() for f in self.failures], "fragilities": self.fragilities}

    def to_dict(self) -> dict[str, Any]:
        """The same as ``to_json``: the name the scalar ``AuditResult`` gives it."""
        return self.to_json()

    def render(self) -> str:
        from .render import render

        return render(self)

    def raise_for_findings(self) -> None:
        """Raise ``AuditFailed`` (an ``AssertionError``) with the whole text unless the audit passed."""
        if self.exit_code != 0:
            raise TensorAuditFailed(self.render())

    def _repr_html_(self) -> str:
        """How a notebook shows it."""
        from .html import render_html

        return render_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows it in a terminal: the text."""
        printer.text(self.render())

    def __repr__(self) -> str:
        return f"<TensorAudit of {self.engine}: {self.verdict}, {self.summary()}>"


@dataclass(frozen=True)
class Target:
    """The engine audited: a file's class, or (``obj``) one in memory, named by its module."""

    path: str
    """The file it is loaded from, or for one in memory the module it was defined in."""
    name: str
    obj: Any = None
    """The class (or factory) itself when the worker is forked from this process."""
    limit: float = PROGRAM_SECONDS
    """Seconds one program may run before it counts as hanging."""
    memory: int | None = MEMORY
    """Bytes of address space the worker may use (None: no limit)."""
    isolate: bool = False
    """Run the worker confined: read-only, no network, a private /tmp (``audit.engine.confine``)."""

    @property
    def label(self) -> str:
        return f"{self.path}:{self.name}"

    def ask(self, programs: list[TensorProgram], dialect: Dialect | None, deadline: float) -> Answer:
        return ask(self.path, self.name, programs, dialect, deadline=deadline, limit=self.limit, obj=self.obj,
                   memory=self.memory, isolate=self.isolate)

    def snippet(self, program: TensorProgram, dialect: Dialect) -> str:
        module = None if self.obj is None else self.path
        if self.obj is not None and self.obj.__qualname__ != self.name:
            module = "__main__"  # a class made in a function: nothing can import it either
        return snippet(program, dialect, self.name, self.path, module=module)


def wants_tensor_audit(spec: Any, *, deadline: float = DEADLINE) -> bool:
    """Whether ``spec`` (``"engine.py:Tensor"``, a class or a factory) is for this audit rather than
    the scalar one: a factory (minitorch's ``tensor``), a class with ``.derivative`` (minitorch's
    Scalar), or a class with a tensor method (``sum``, ``reshape``, ``@``, ...). One survey in a
    worker; the front door can route on it. ``EngineUnusable`` if it cannot be loaded."""
    survey = where(spec).ask([], None, deadline).survey
    have = set(survey.get("have", []))
    return bool(survey.get("factory") or survey.get("derivative") or TENSOR_SIGNS & have)


def is_tensor_engine(spec: Any) -> bool:
    """Whether the front door (``python -m verify audit``, ``verify.audit``) should route ``spec`` here:
    a ``FILE.py:CLASS``, or a class or factory in memory, that one short survey says is a tensor
    engine (``wants_tensor_audit``). Anything else, or an engine that cannot even be surveyed, is the
    scalar audit's, which says why in its own words."""
    if isinstance(spec, str):
        path, _, name = spec.rpartition(":")
        if not path.endswith(".py") or not name.isidentifier():
            return False
    elif not (inspect.isclass(spec) or inspect.isfunction(spec)):
        return False
    try:
        return wants_tensor_audit(spec)
    except EngineUnusable:
        return False


def where(spec: Any) -> Target:
    """The engine ``spec`` names: ``"path.py:Class"``, or a class (or factory function) in memory,
    whose worker is forked from this process (a class defined in a notebook cell has no file)."""
    if isinstance(spec, str):
        path, sep, name = spec.rpartition(":")
        if not sep or not path or not name.isidentifier():
            raise EngineUnusable(f"{spec!r}: give the engine as FILE.py:CLASS")
        if not os.path.isfile(path):
            raise EngineUnusable(f"{path}: no such file")
        return Target(path, name)
    if inspect.isclass(spec) or inspect.isfunction(spec):
        if hasattr(os, "fork"):
            return Target(spec.__module__, spec.__name__, spec)
        try:
            found = inspect.getsourcefile(spec)
        except TypeError:
            found = None
        if found is None or not os.path.isfile(found) or spec.__qualname__ != spec.__name__:
            raise EngineUnusable(f"{spec.__name__} is defined in memory and this system cannot fork a "
                                 "worker for it: put it in a file and give FILE.py:CLASS")
        return Target(found, spec.__name__)
    raise EngineUnusable(f"cannot audit {spec!r}: give a class or FILE.py:CLASS")


RANDOM_PROGRAMS = 30
"""Random chains run after the battery, by default."""


def audit_tensor(spec: Any, *, seed: int = 0, deadline: float = DEADLINE, dialect: Dialect | None = None,
                 shrink: bool = True, only: str | None = None, random: int = RANDOM_PROGRAMS,
                 strict: bool = False, limit: float = PROGRAM_SECONDS,
                 memory: int | None = MEMORY, isolate: bool = False) -> TensorAudit:
    """Audit a tensor engine: every battery program its dialect and ops allow, then ``random``
    random chains, judged op by op.

    ``spec`` is ``"engine.py:Tensor"`` or the class itself (one defined in a
    notebook cell or a REPL too: its worker is forked from this process);
    ``only`` keeps the templates whose name contains it; ``strict`` makes a
    fragility exit 1; ``limit`` bounds each program (seconds), ``memory`` the
    worker's address space (bytes; None for no limit); ``isolate`` confines the
    worker (read-only, no network, a private /tmp) or refuses (``EngineUnusable``).
    """
    started = time.monotonic()
    target = dataclasses.replace(where(spec), limit=limit, memory=memory, isolate=isolate)
    survey = target.ask([], None, deadline).survey
    chosen: Dialect = dialect or dialect_of(survey)
    have = set(survey.get("have", []))
    candidates = [*TEMPLATES, *random_templates(seed, random)]
    templates = [t for t in candidates if runnable(t, have, chosen) and (only is None or only in t.name)]
    if chosen == "scalar":
        templates = [t for t in templates if _scalar_only(t)]
    if not templates:
        raise EngineUnusable(f"{target.label}: none of the battery's programs can be written in the "
                             f"{chosen} dialect with the ops it has ({sorted(have)})")
    ops = sorted({n.op for t in templates for n in t.program(t.sizes[0], seed).nodes})
    result = TensorAudit(target.label, chosen, ops, strict=strict)

    def left() -> float:
        return max(1.0, deadline - (time.monotonic() - started))

    programs = [t.program(t.sizes[0], seed) for t in templates]
    answer = target.ask(programs, chosen, left())
    result.programs = len(programs)
    failing: list[Case] = []
    kept: dict[str, list[float | None]] = {}
    for t, program, run in zip(templates, programs, answer.runs, strict=True):
        got = check(program, run)
        if got.storage:
            kept.setdefault(got.storage, []).append(got.digits)
        if got.faults:
            failing.append((t, program, _blame_crash(got.faults[0], t, program), run))
    # one note per narrow storage: the fewest digits any program kept
    result.fragilities = [storage_note(storage, _fewest(digits)) for storage, digits in sorted(kept.items())]
    result.failures = _smallest(target, chosen, failing, seed, shrink, left)
    result.seconds = time.monotonic() - started
    return result


def _fewest(digits: list[float | None]) -> float | None:
    known = [d for d in digits if d is not None]
    return min(known) if known else None


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


def _smallest(target: Target, dialect: Dialect, failing: list[Case], seed: int,
              shrink: bool, left: Callable[[], float]) -> list[Failure]:
    """For each op found, the smallest program that still shows it, over every template and size
    that failed that way."""
    cases = list(failing)
    if shrink and failing:
        tries = [(t, f, t.program(d, seed)) for t, _, f, _ in failing for d in t.sizes[1:]]
        if tries:
            answer = target.ask([p for _, _, p in tries], dialect, left())
            for (t, f, program), run in zip(tries, answer.runs, strict=True):
                got = check(program, run).faults
                if got:
                    g = _blame_crash(got[0], t, program)
                    if _key(g) == _key(f):
                        cases.append((t, program, g, run))
    cases = _cut(target, dialect, cases, left)
    best: dict[str, Failure] = {}
    for t, program, f, _ in cases:
        here = Failure(f, t.name, program, target.snippet(program, dialect))
        old = best.get(_key(f))
        if old is None or _rank(here) < _rank(old):
            best[_key(f)] = here
    named = [f for f in best.values() if f.finding.op]
    return sorted(named or list(best.values()), key=_rank)  # an op named makes the unnamed redundant


def _cut(target: Target, dialect: Dialect, cases: list[Case], left: Callable[[], float]) -> list[Case]:
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
    answer = target.ask([p for _, _, p in jobs], dialect, left())
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
