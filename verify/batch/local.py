"""Run jobs side by side on this machine: threads for jobs that start their own process, else processes.

``run_local(fn, items, jobs=N)`` yields ``(index, fn(items[index]))`` as each finishes. An audit
starts a process of its own (``one.audit_in_process``), so its pool is threads; a job that computes
in Python itself (the soundness campaign's) asks for ``processes=True``. On Ctrl-C the jobs not
started are dropped, and those running end with the signal their processes got from the terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def run_local(fn: Callable[[T], R], items: Sequence[T], *, jobs: int,
              processes: bool = False) -> Iterator[tuple[int, R]]:
    """``(index, fn(items[index]))`` in the order the jobs finish, at most ``jobs`` at a time."""
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if not items:
        return
    pool: Executor = ProcessPoolExecutor(jobs) if processes else ThreadPoolExecutor(jobs)
    try:
        pending: dict[Future[R], int] = {pool.submit(fn, item): i for i, item in enumerate(items)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=pending.__getitem__):
                yield pending.pop(future), future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
