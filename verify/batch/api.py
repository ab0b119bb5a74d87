"""``audit_many``: audit a batch of engines, each exactly as alone, and summarise the class.

Exit code of a batch (``BatchResult.exit_code``): 0 no engine has a fault; 1 some engine has a
fault and every engine was audited; 2 some engine could not be audited or vouched for (an
unusable engine, a usage error, the verifier failed on some program, an audit stopped before it
answered).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from ..audit import DEFAULT_DEADLINE, DEFAULT_EXAMPLES, DEFAULT_MEMORY, DEFAULT_SEED, DEFAULT_TIMEOUT
from . import specs
from .index import render_index
from .one import audit_in_process
from .progress import Progress
from .runner import Runner
from .store import Store, key, slot, write
from .summary import render, row, to_csv, to_jsonl


@dataclass
class BatchResult:
    """What a batch found: a summary row per engine (in the order given), and how it ran."""

    rows: list[dict[str, Any]]
    options: dict[str, Any]
    seconds: float
    where: str
    out: str | None

    @property
    def exit_code(self) -> int:
        codes = {r["exit_code"] for r in self.rows}
        return 2 if 2 in codes else 1 if 1 in codes else 0

    def head(self) -> str:
        """The summary's first line: how many engines, what was run, the verdicts, the time."""
        n = len(self.rows)
        count = {v: sum(r["verdict"] == v for r in self.rows) for v in ("pass", "fail")}
        other = n - count["pass"] - count["fail"]
        reused = sum(bool(r["reused"]) for r in self.rows)
        return (f"{n} engine{'' if n == 1 else 's'}, seed {self.options['seed']}, "
                f"{self.options['max_examples']} random programs each: {count['pass']} pass, "
                f"{count['fail']} with faults, {other} not audited or not vouched for; "
                f"{reused} from earlier runs; {self.seconds:.0f} s, {self.where}")

    def render(self) -> str:
        """The class summary as text."""
        return render(self.rows, self.head())

    def html(self) -> str:
        return render_index(self.rows, self.head())

    def to_dict(self) -> dict[str, Any]:
        from .summary import groups

        return {"engines": self.rows, "exit_code": self.exit_code, "options": self.options,
                "seconds": round(self.seconds, 3), "where": self.where,
                "groups": [{"op": g.op, "kind": g.kind, "engines": g.labels, "example": g.example,
                            "example_engine": g.example_label} for g in groups(self.rows)]}

    def write(self, folder: str) -> list[str]:
        """``summary.csv``, ``summary.jsonl`` and ``index.html`` in ``folder``; their paths."""
        paths = [os.path.join(folder, name) for name in ("summary.csv", "summary.jsonl", "index.html")]
        from pathlib import Path

        for path, text in zip(paths, (to_csv(self.rows), to_jsonl(self.rows), self.html()), strict=True):
            write(Path(path), text)
        return paths


def audit_many(
    engines: Iterable[str] | Mapping[str, str],
    *,
    jobs: int = 1,
    scheduler: str | None = None,
    out: str | os.PathLike[str] | None = None,
    max_examples: int = DEFAULT_EXAMPLES,
    seed: int = DEFAULT_SEED,
    ops: list[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    deadline: float | None = DEFAULT_DEADLINE,
    memory: int | None = DEFAULT_MEMORY,
    progress: TextIO | None = None,
) -> BatchResult:
    """Audit every engine of ``engines`` as ``verify.audit(spec, ...)`` would alone, ``jobs`` at a time
    here or on the Dask cluster at ``scheduler``; summarise the class.

    ``engines`` holds specs (``"path/engine.py:Value"``; a glob in the path expands) or maps labels
    to specs. With ``out`` each result is stored in that folder and reused by a later batch when the
    engine's files, the verifier, the seed and the options are the same; the summary is written there
    too (``summary.csv``, ``summary.jsonl``, ``index.html``). ``progress`` is a stream for the progress
    line (redrawn in place on a terminal). Ctrl-C stops the batch (``KeyboardInterrupt``); the results
    stored by then stay, and the same call again does only the rest. Raises ``specs.SpecError`` for
    engines that cannot be read and ``cluster.ClusterError`` when Dask is missing or the scheduler
    cannot be reached.
    """
    batch = _batch(engines)
    options = {"max_examples": max_examples, "seed": seed, "ops": None if ops is None else list(ops),
               "timeout": timeout, "deadline": deadline, "memory": memory}
    cwd = os.getcwd()
    store = Store(out) if out is not None else None
    started = time.monotonic()
    rows, jobs_todo, where_todo, plans = _plan(batch, cwd, options, store)
    with Runner(jobs=jobs, scheduler=scheduler) as runner:
        tty = bool(progress is not None and hasattr(progress, "isatty") and progress.isatty())
        shown = Progress(len(batch), runner.slots, progress, tty=tty)
        for r in rows:
            if r is not None:
                shown.finished(r["label"], r["verdict"], r["seconds"], reused=True)
        shown.start()
        try:
            for k, outcome in runner.map(audit_in_process, jobs_todo,
                                         names=[batch[i].label for i in where_todo]):
                i = where_todo[k]
                engine, (name, wanted) = batch[i], plans[i]
                record = dict(outcome["record"], label=engine.label, spec=engine.spec, key=wanted,
                              reused=False)
                if store is not None and outcome["complete"]:
                    record["report"] = f"engines/{name}/report.html"
                    store.save(name, record, outcome["text"], outcome["html"])
                rows[i] = row(record)
                shown.finished(engine.label, record["verdict"], record["seconds"])
        finally:
            shown.close()
        where = runner.where()
    done = [r for r in rows if r is not None]  # all of them: the loop above ends only when every job has
    result = BatchResult(done, options, time.monotonic() - started, where, None if out is None else str(out))
    if store is not None:
        result.write(str(store.folder))
    return result


def _batch(engines: Iterable[str] | Mapping[str, str]) -> list[specs.Engine]:
    """The engines to audit, each spec read (``specs.SpecError`` for one that cannot be)."""
    if isinstance(engines, Mapping):
        batch = [specs.Engine(spec, label) for label, spec in engines.items()]
        for engine in batch:
            specs.split(engine.spec)
        return batch
    given = list(engines)
    if any(not isinstance(e, str) for e in given):
        raise TypeError("audit_many takes specs such as 'path/engine.py:Value' (each engine is audited "
                        "in a process of its own); for a class in memory use verify.audit(cls)")
    return specs.engines(given)


def _plan(batch: list[specs.Engine], cwd: str, options: dict[str, Any], store: Store | None) -> tuple[
        list[dict[str, Any] | None], list[dict[str, Any]], list[int], list[tuple[str, str]]]:
    """Each engine's stored row if it can be reused, else a job: (rows, jobs, their places, (slot, key)s)."""
    rows: list[dict[str, Any] | None] = [None] * len(batch)
    jobs_todo: list[dict[str, Any]] = []
    where_todo: list[int] = []
    plans: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for i, engine in enumerate(batch):
        name, wanted = slot(engine.spec, cwd), key(engine.spec, cwd, options)
        if name in seen:  # ./a.py:V and a.py:V: one engine, which would be audited (and stored) twice
            raise specs.SpecError(f"{engine.spec} and {seen[name]} are the same engine: give it once")
        seen[name] = engine.spec
        plans.append((name, wanted))
        stored = store.load(name, wanted) if store is not None else None
        if stored is not None:
            stored.update(label=engine.label, reused=True)
            rows[i] = row(stored)
        else:
            from .fingerprint import engine_hash

            jobs_todo.append({"spec": engine.spec, "cwd": cwd, "options": options,
                              "engine_hash": engine_hash(engine.spec, cwd)})
            where_todo.append(i)
    return rows, jobs_todo, where_todo, plans
