"""A depth limit or a death: a clean RecursionError on a deep graph is a limit the report states; a
worker process that dies on one (a segfault from recursion in C, a kill) is a crash finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..program import Program
from .findings import Finding

if TYPE_CHECKING:
    from .ledger import Ledger


def died_on_depth(ledger: Ledger, program: Program, good: int, why: str) -> Finding:
    """The finding for an engine whose process died on the chain ``program``, ``good`` steps being
    the deepest that worked."""
    depth = len(program.steps)
    message = (f"the engine's process died on a chain of {depth:,} steps ({why.removeprefix('crash: ')}); "
               f"a chain of {good:,} steps works: a deep graph must give a RecursionError or work, never "
               "kill the process")
    return Finding("died", "", "graph", program, message, phase="shapes", confirmed=True, shrunk=False,
                   found_seconds=ledger.seconds(),
                   evidence=[f"chain of {d:,}: {w}" for d, w in ledger.result.chains])
