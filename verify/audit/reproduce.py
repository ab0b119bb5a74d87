"""A finding as a script that runs as printed, and a check that it reproduces.

``program_snippet`` writes a program as Python for the audited engine: the
lines that load the engine (``engine_import``, from the same ``LoadPlan``
the worker used, so the snippet gets the same module the audit ran), the
program's steps, ``backward()`` and a ``print`` of every input's gradient.
How the engine is loaded:

- a file with a module name: ``import sys; sys.path.insert(0, FOLDER)`` and
  ``from MODULE import Class``;
- a file in a package: the folder above the package on ``sys.path`` and
  ``from package.module import Class``, so relative imports and a learner's
  own ``micrograd`` package (first on the path) work;
- a file whose name is no module name (``005_x-y_revgrad.py``): loaded by
  path with ``importlib``;
- a module spec: ``from package.module import Class``, with the folder it was
  found in put first when that is the folder the audit ran in (or below it);
- a notebook: ``verify.audit.engine.notebook.load_class(PATH, "Class")``.

``reproduces`` runs a snippet in fresh interpreters (``python -c``, from the
folder the audit ran in, each in its own session, with a time limit) and
counts the runs whose printed gradients are the ones the audit saw; an
engine that is right only some of the time (a ``set`` ordered by ``id``)
shows as "3 of 5 runs". Each run is launched as the audit's worker was: in a
PID namespace of its own (the engine cannot signal the audit), or confined by
``--isolate``.
"""

from __future__ import annotations

import contextlib
import math
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..program import Program
from .engine.namespace import spawn_prefix
from .engine.process import Drain, kill_tree
from .engine.protocol import HOME, Captured, Ready
from .engine.spec import EngineSpec
from .findings import Finding, source_lines
from .trial import HANG_PROBE, Lab

REPRODUCE_RUNS = 10
"""Runs in the worker to see a finding fail again (and to catch its failing answer first)."""
RUNS = 5
"""Fresh interpreters a snippet is run in to see whether it reproduces."""
TIMEOUT = 20.0
"""Seconds each run may take."""


def engine_import(spec: EngineSpec, ready: Ready | None = None, cwd: str | None = None) -> list[str]:
    """Lines that bind the engine's class to its own name in a fresh interpreter.

    ``ready`` is what the worker reported (for a module spec: where the module was found);
    ``cwd`` the folder the audit ran in (default: the current one).
    """
    plan, name = spec.plan(), spec.name
    if plan.how == "module":
        lines = []
        root = import_folder(ready.module_file, plan.module) if ready is not None else ""
        here = os.path.realpath(cwd or os.getcwd())
        if root and (root == here or root.startswith(here.rstrip(os.sep) + os.sep)):
            lines.append(f"import sys; sys.path.insert(0, {root!r})")
        return [*lines, f"from {plan.module} import {name}"]
    if plan.how == "import":
        head = (f"import sys; sys.path[:0] = [{plan.root!r}, {plan.folder!r}]" if plan.folder
                else f"import sys; sys.path.insert(0, {plan.root!r})")
        return [head, f"from {plan.module} import {name}"]
    if plan.how == "object":  # a class in memory: the snippet runs where it is defined
        return [f"# {name}: the class you audited, as defined in your notebook, REPL or script"]
    if plan.how == "notebook":
        return ["from verify.audit.engine.notebook import load_class",
                f"{name} = load_class({plan.path!r}, {name!r})"]
    lines = ["import importlib.util, sys", f"sys.path.insert(0, {plan.root!r})"]
    if plan.how == "package-path":
        init = os.path.join(plan.package_dir, "__init__.py")
        lines += [
            f"_spec = importlib.util.spec_from_file_location({plan.package!r}, {init!r},"
            f" submodule_search_locations=[{plan.package_dir!r}])",
            "_package = importlib.util.module_from_spec(_spec); sys.modules[_spec.name] = _package",
            "_spec.loader.exec_module(_package)",
        ]
    lines += [
        f"_spec = importlib.util.spec_from_file_location({plan.module!r}, {plan.path!r})",
        "_module = importlib.util.module_from_spec(_spec); sys.modules[_spec.name] = _module",
        "_spec.loader.exec_module(_module)",
        f"{name} = _module.{name}",
    ]
    return lines


def import_folder(module_file: str, module: str) -> str:
    """The folder ``module`` was imported from, given its file (``a/b/c.py`` for ``b.c`` -> ``a``)."""
    if not module_file:
        return ""
    path = Path(module_file)
    depth = module.count(".") + (1 if path.name == "__init__.py" else 0)
    return str(path.parents[depth])


def program_snippet(spec: EngineSpec, program: Program, ready: Ready | None = None,
                    cwd: str | None = None) -> str:
    """``program`` as a script for the audited engine: load it, build, backward, print the input grads."""
    names = program.names()
    inputs = ", ".join(f"{n}.grad" for n, _ in program.inputs)
    lines = source_lines(program, spec.name)  # a long chain of one step is shown as a loop
    out = names[-1] if lines[-1].startswith(f"{names[-1]} =") else "y"
    body = [*lines, f"{out}.backward()", f"print({inputs})"]
    return "\n".join([*engine_import(spec, ready, cwd), *body])


# ---- reproducing ----

Expected = float | str | None
"""One printed gradient: a float (compared exactly, nan equal to nan), a str (what print showed
for an unreadable value), or None (not compared)."""


@dataclass(frozen=True)
class Reproduction:
    """How many of ``runs`` fresh runs of a snippet showed what the audit saw."""

    hits: int
    runs: int
    outputs: tuple[str, ...]
    """Per run: its last printed line, or why it did not count (an exception, a timeout)."""

    def __iter__(self) -> Iterator[int]:
        """``hits, runs = reproduces(...)``."""
        yield self.hits
        yield self.runs

    @property
    def always(self) -> bool:
        return self.runs > 0 and self.hits == self.runs

    @property
    def summary(self) -> str:
        """``reproduces: yes``, ``reproduces: 3 of 5 runs (the engine is nondeterministic)`` or ``... no``."""
        if self.always:
            return "reproduces: yes" + (f" ({self.runs} of {self.runs} runs)" if self.runs > 1 else "")
        if self.hits:
            return f"reproduces: {self.hits} of {self.runs} runs (the engine is nondeterministic)"
        first = next((o for o in self.outputs if o), "")
        return "reproduces: no" + (f" ({first})" if first else "")


def matches(line: str, expected: Sequence[Expected]) -> bool:
    """Whether a printed line (``print(x.grad, y.grad)``) shows the ``expected`` gradients."""
    tokens = line.split()
    if len(tokens) != len(expected):
        return False
    for token, want in zip(tokens, expected, strict=True):
        if want is None:
            continue
        if isinstance(want, str):
            if token != want:
                return False
            continue
        try:
            got = float(token)
        except ValueError:
            return False
        if not (got == want or (math.isnan(got) and math.isnan(want))):
            return False
    return True


RELAY = ("import sys\n"
         "_before = set(sys.modules)\n"
         "sys.path.insert(0, {home!r})\n"
         "from verify.audit.engine.namespace import relay\n"
         "relay()\n"
         "sys.path.remove({home!r})\n"
         "[sys.modules.pop(_name) for _name in set(sys.modules) - _before]\n"
         "del _before, relay\n")
"""Put before a snippet run in a PID namespace, as the worker starts: there the interpreter is process 1,
which ignores the signals an engine may send itself, so the snippet runs in a child of it. What it
imported is forgotten again: a learner's own ``micrograd`` package must be the one the snippet gets."""


def reproduces(snippet: str, expected: Sequence[Expected] = (), *, raises: str | None = None,
               hangs: bool = False, runs: int = RUNS, cwd: str | Path | None = None,
               timeout: float = TIMEOUT, launcher: Sequence[str] | None = None) -> Reproduction:
    """Run ``snippet`` ``runs`` times in fresh interpreters from ``cwd``; count those showing the finding.

    A run reproduces when its last printed line shows ``expected`` (one entry per input
    gradient, see ``Expected``); with ``raises`` (an exception type's name) when it ends in
    that exception instead; with ``hangs`` when it is still running after ``timeout`` s.
    The runs go at once, each in a session of its own, under ``launcher`` (the audit
    worker's: ``EngineProcess.launcher``; by default a PID namespace where the OS gives one),
    and everything a run started is killed when it ends.
    """
    folder = str(cwd) if cwd is not None else os.getcwd()
    env = dict(os.environ, MPLBACKEND="Agg")
    prefix = list(spawn_prefix() if launcher is None else launcher)
    code = RELAY.format(home=HOME) + snippet if prefix else snippet
    started = []
    for _ in range(runs):
        process = subprocess.Popen([*prefix, sys.executable, "-c", code], cwd=folder, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   start_new_session=True)
        assert process.stdout is not None and process.stderr is not None
        out, err = Captured(), Captured()
        lock = threading.Lock()
        drains = [Drain(process.stdout.fileno(), out, lock), Drain(process.stderr.fileno(), err, lock)]
        for drain in drains:
            drain.start()
        started.append((process, out, err, drains))
    ends = time.monotonic() + timeout
    hits, outputs = 0, []
    for process, out, err, drains in started:
        timed_out = False
        try:
            process.wait(max(0.0, ends - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
        kill_tree(process.pid, reaped=process.returncode is not None)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)
        for drain in drains:
            drain.join(2)
        for stream in (process.stdout, process.stderr):
            if stream is not None and all(not d.is_alive() for d in drains):
                stream.close()
        line = _last_line(out)
        if timed_out:
            hit, said = hangs, f"still running after {timeout:g} s"
        elif raises is not None:
            last = err.last_line()
            hit = process.returncode != 0 and (last == raises or last.startswith(raises + ":"))
            said = last or f"exit code {process.returncode}"
        elif process.returncode != 0:
            hit, said = False, err.last_line() or f"exit code {process.returncode}"
        else:
            hit, said = not hangs and matches(line, expected), line
        hits += hit
        outputs.append(said)
    return Reproduction(hits, runs, tuple(outputs))


def _last_line(captured: Captured) -> str:
    text = (captured.tail or captured.head).decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


# ---- the finding, again ----

def finding_snippet(spec: EngineSpec, finding: Finding, ready: Ready | None = None) -> str:
    """``program_snippet`` of the finding's program; a finding with its own ``statements``
    (``y += x``, two backward() calls) prints them in place of the program's steps."""
    text = program_snippet(spec, finding.program, ready)
    if not finding.statements:
        return text
    lines = text.splitlines()
    names = [name for name, _ in finding.program.inputs]
    first = next(i for i, line in enumerate(lines) if line.startswith(f"{names[0]} = "))
    inputs = lines[first:first + len(names)]
    grads = ", ".join(f"{name}.grad" for name in names)
    return "\n".join([*lines[:first], *inputs, *finding.statements, "y.backward()", f"print({grads})"])


def reproduce_snippet(lab: Lab, finding: Finding, snippet: str) -> tuple[int, int] | None:
    """How often ``snippet`` (the finding as printed) shows what the engine did, in fresh interpreters.

    The engine's own failing answer on the program is what the snippet must print (its input
    gradients, or the same exception); None when there is nothing to compare (a hang, or the
    worker no longer fails).
    """
    failing = None
    for _ in range(REPRODUCE_RUNS):  # its failing answer: a nondeterministic engine fails only sometimes
        a = lab.check(finding.program)
        if a.failed:
            failing = a.outcome
            break
    if failing is None:
        return None
    outcome = failing
    n = len(finding.program.inputs)
    if outcome.stage in ("leaf", "forward", "backward") and outcome.error is not None:
        expected: list[float | str | None] = []
        raises: str | None = outcome.error.type
    elif outcome.stage == "done":
        expected = [None if s in outcome.unreadable else outcome.grad[s] for s in range(n)]
        raises = None
    else:
        return None
    timeout = TIMEOUT
    if lab.deadline is not None:
        timeout = min(timeout, max(1.0, lab.deadline - time.monotonic()))
    launcher = lab.engine.launcher(os.getcwd())
    seen = reproduces(snippet, expected, raises=raises, runs=RUNS, timeout=timeout, launcher=launcher)
    return seen.hits, seen.runs


def reproduce(lab: Lab, finding: Finding, runs: int = REPRODUCE_RUNS) -> tuple[int, int]:
    """How often the finding's program fails the same way in the worker, out of ``runs``."""
    hits = 0
    for _ in range(runs):
        b = lab.check(finding.program, HANG_PROBE if finding.kind in ("hang", "died") else None)
        if b.failed:
            hits += 1
        if finding.kind in ("hang", "died"):
            return (hits, 1)
    return hits, runs
