"""One front for both runners: jobs side by side here (``jobs``), or on a Dask cluster (``scheduler``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
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

            return run_dask(fn, items, self._client, names=names)
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
