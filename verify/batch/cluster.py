"""Run jobs on a Dask distributed cluster (``dask scheduler`` + ``dask worker``), with Dask's own resilience.

``run_dask(fn, items, address)`` submits one task per item through a ``distributed.Client`` and
yields ``(index, result)`` as each finishes. A worker that dies is Dask's business: the scheduler
hands its tasks to another worker, and a task whose function raises is retried (``retries``).
Dask is imported only here, only when a scheduler is asked for; without it the error says how to
install it. Workers need the verifier installed (the same version) and the engines' files at the
same paths as here (a shared folder).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

INSTALL = "pip install 'micrograd-verified[cluster]'"


class ClusterError(RuntimeError):
    """Dask is missing, or the scheduler cannot be reached."""


def client(address: str, *, timeout: float = 20.0) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address``; else ``ClusterError``."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(f"--scheduler needs Dask's distributed scheduler: {INSTALL}") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {error}") from None


def threads(connected: Any) -> int:
    """How many tasks the cluster runs at once (its workers' threads); at least 1."""
    return max(1, int(sum(connected.nthreads().values())))


def run_dask(fn: Callable[[T], R], items: Sequence[T], connected: Any, *, retries: int = 2,
             names: Sequence[str] | None = None) -> Iterator[tuple[int, R]]:
    """``(index, fn(items[index]))`` in the order the cluster finishes them.

    ``names`` makes the tasks' keys readable on the dashboard (each is made unique here).
    """
    from distributed import as_completed

    batch = uuid.uuid4().hex[:8]
    futures = [connected.submit(fn, item, pure=False, retries=retries,
                                key=f"{names[i] if names else 'job'}-{batch}-{i}")
               for i, item in enumerate(items)]
    index = {future.key: i for i, future in enumerate(futures)}
    try:
        for future in as_completed(futures, loop=connected.loop):  # type: ignore[no-untyped-call]
            yield index[future.key], future.result()
    finally:
        for future in futures:
            future.cancel()
