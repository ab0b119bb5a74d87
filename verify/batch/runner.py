"""One front for both runners: jobs side by side here (``jobs``), or on a Dask cluster (``scheduler``)."""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from types import ModuleType, TracebackType
from typing import Any, TypeVar

from .local import run_local

T = TypeVar("T")
R = TypeVar("R")


class Runner:
    """``Runner(jobs=2)`` or ``Runner(scheduler="tcp://host:8786")``; ``map`` yields ``(index, result)``.

    ``processes=True`` runs local jobs in processes (for work done in Python itself); an audit
    starts its own process, so threads suffice. Use it as a context manager: the Dask client is
    closed at the end.
    """

    def __init__(self, *, jobs: int = 1, scheduler: str | None = None, processes: bool = False) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, not {jobs}")
        self.jobs, self.scheduler, self.processes = jobs, scheduler, processes
        self._client: Any = None
        if scheduler is not None:
            from .cluster import client

            self._client = client(scheduler)

    @property
    def slots(self) -> int:
        """How many jobs run at once."""
        if self._client is not None:
            from .cluster import threads

            return threads(self._client)
        return self.jobs

    def where(self) -> str:
        """Where the jobs run, in words."""
        if self._client is not None:
            return f"on the Dask cluster at {self.scheduler} ({self.slots} threads)"
        return f"{self.jobs} at a time on this machine"

    def map(self, fn: Callable[[T], R], items: Sequence[T], *,
            names: Sequence[str] | None = None) -> Iterator[tuple[int, R]]:
        if self._client is not None:
            from .cluster import run_dask

            return run_dask(_by_reference(fn), items, self._client, names=names)
        return run_local(fn, items, jobs=self.jobs, processes=self.processes)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


_SCRIPTS: dict[str, ModuleType] = {}


def _by_reference(fn: Callable[[T], R]) -> Callable[[T], R]:
    """``fn``, or for a function of the script being run (``__main__``) a call that loads that script on the
    worker by its path: pickled by value, its globals (SymPy objects among them) would have to be
    unpickled by the scheduler too."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(fn, "__module__", None) != "__main__" or path is None:
        return fn
    return functools.partial(call_in_script, path, fn.__name__)


def call_in_script(path: str, name: str, item: Any) -> Any:
    """``name(item)`` from the script at ``path``, loaded once per process as a module (its main guard
    keeps its command line from running)."""
    module = _SCRIPTS.get(path)
    if module is None:
        spec = importlib.util.spec_from_file_location(
            "batch_script_" + hashlib.sha256(path.encode()).hexdigest()[:12], path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _SCRIPTS[path] = module
    return getattr(module, name)(item)
