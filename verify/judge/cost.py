"""What a check costs: a graph over ``WARN_NODES`` gets a warning with the expected time and memory, and
a ``max_nodes`` the caller gives is a refusal before any exact value is computed.

The figures are per node of the program, measured with ``/usr/bin/time -v`` on chains of 300,000 to
1,000,000 nodes on 2 shared cores: about ``SECONDS_PER_NODE`` and ``BYTES_PER_NODE`` on top of the
engine's own graph (balls of every value, adjoint and partial; each node's allowance; the program).
"""

from __future__ import annotations

import warnings

WARN_NODES = 250_000
"""A check of a graph this size takes seconds and hundreds of MB: beyond it, a warning says how much."""
SECONDS_PER_NODE = 4e-5
"""Measured: 65,414 nodes in 2.2 to 2.5 s, 300,000 in 12 s; a busy machine takes several times that
(1,000,000 nodes in 167 s with 13 processes on 2 cores)."""
BYTES_PER_NODE = 900
"""Measured peak resident memory of a check, beyond the graph itself: 0.87 KB a node at 300,000 nodes,
0.76 KB at 1,000,001 (915 MB in all, of which the interpreter and the engine's graph are 158 MB).
Per node the check keeps the program's step, the exact value and adjoint as balls, the planned node
and flat arrays of interval ends; what is alike across nodes (constants, their partials, a passed
node's allowance) is shared."""


class SizeWarning(UserWarning):
    """A check of a graph this big takes a while and much memory (the message says how much)."""


class TooLarge(ValueError):
    """The graph has more nodes than the caller's ``max_nodes``."""


def estimate(nodes: int) -> str:
    """The expected time and memory of a check of ``nodes`` nodes, for reading."""
    seconds = nodes * SECONDS_PER_NODE
    megabytes = nodes * BYTES_PER_NODE / 1e6
    time = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    memory = f"{megabytes:,.0f} MB" if megabytes < 1000 else f"{megabytes / 1000:.1f} GB"
    return f"about {time} and {memory} of memory"


def announce(nodes: int, max_nodes: int | None) -> None:
    """Refuse a graph over ``max_nodes`` (``TooLarge``); warn about one over ``WARN_NODES``."""
    if max_nodes is not None:
        if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
            raise TypeError(f"max_nodes must be a positive integer or None, not {max_nodes!r}")
        if nodes > max_nodes:
            raise TooLarge(f"the graph has {nodes:,} nodes, more than max_nodes={max_nodes:,}; a check would "
                           f"take {estimate(nodes)}")
    if nodes > WARN_NODES:
        warnings.warn(f"verify.check: the graph has {nodes:,} nodes; expect {estimate(nodes)} "
                      "(pass max_nodes=... to refuse graphs this big)", SizeWarning, stacklevel=3)
