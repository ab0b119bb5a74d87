"""Audit any micrograd-style engine class through the micrograd protocol only.

``api.audit`` runs it all: ``spec`` reads ``--engine`` into an ``EngineSpec``
and its ``LoadPlan``; ``sandbox`` keeps the engine in a worker process
(``worker``, which loads it, a notebook through ``notebook``, and runs the
``probe`` requests and programs) and ``protocol`` is what the worker answers;
``survey`` finds what the engine has, ``campaign`` draws programs with
Hypothesis and has the judge check each run, ``coverage`` counts what the
programs exercised, ``snippet`` writes a finding as a script that runs as
printed (and checks that it reproduces), and ``render`` shows the result.
This package imports nothing heavy: the worker process loads only what it
needs, and the CLI reads the defaults below without loading Hypothesis.
"""

DEFAULT_EXAMPLES = 300
"""Programs an audit tries."""
DEFAULT_SEED = 0
"""Seed of the program generator."""
DEFAULT_TIMEOUT = 10.0
"""Seconds per program before the engine counts as hung."""
DEFAULT_DEADLINE = 300.0
"""Seconds the whole audit may take; then it stops cleanly and reports what it did."""
DEFAULT_MEMORY = 2 << 30
"""Bytes of address space the engine's worker process may use (2 GiB)."""
