"""The audit's boundary with the foreign engine: everything that runs beside it or talks to its process.

``spec`` reads what ``--engine`` names and how to load it; ``sandbox`` keeps
the engine in a worker process (``worker``, which loads it, a notebook
through ``notebook``, runs the ``probes`` and programs); ``protocol`` is
every message between them and ``answers`` each probe's typed answer;
``fingerprint`` is the worker's tamper evidence, ``process`` the generic
process control; ``terms`` holds the audit's words. This package
imports ``verify.program``, ``micrograd.ops`` and the standard library only,
never the judge, the oracle, the reports or the strategies: the code next to
a foreign engine stays small and cannot be steered into the verdict
(``tests/test_layering.py`` checks it).
"""

DEFAULT_MEMORY = 2 << 30
"""Bytes of address space the engine's worker process may use (2 GiB)."""
