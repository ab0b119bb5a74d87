"""Audit any micrograd-style engine class through the micrograd protocol only.

``api.audit`` runs it all: ``engine`` is the boundary with the foreign engine
(``engine.spec`` reads ``--engine`` into an ``EngineSpec`` and its
``LoadPlan``; ``engine.sandbox`` keeps the engine in a worker process that
loads it and answers probes and programs; ``engine.protocol`` is every message);
``survey`` finds what the engine has, ``campaign`` runs the phases (battery,
shapes, chains, random programs drawn with Hypothesis), ``trial`` has the judge
check each run, ``explain`` blames a failure by experiment, ``coverage`` counts what the
programs exercised, ``reproduce`` writes a finding as a script that runs as
printed (and checks that it reproduces), and ``render`` shows the result.
``verify.audit(Value)`` calls ``api.audit`` (the package is callable, see below).
This package imports nothing heavy: the worker process loads only what it
needs, and the CLI reads the defaults below without loading Hypothesis.
"""

from __future__ import annotations

DEFAULT_EXAMPLES = 300
"""Programs an audit tries."""
DEFAULT_SEED = 0
"""Seed of the program generator."""
DEFAULT_TIMEOUT = 10.0
"""Seconds per program before the engine counts as hung."""
DEFAULT_DEADLINE = 300.0
"""Seconds the whole audit may take; then it stops cleanly and reports what it did."""


# ``verify.audit`` is this package, and it is also the function users call: ``verify.audit(Value)``.
# A module cannot be called, so the package's own module object gets a class that can.
import sys as _sys  # noqa: E402
import types as _types  # noqa: E402
from typing import TYPE_CHECKING as _TYPE_CHECKING  # noqa: E402
from typing import Any as _Any  # noqa: E402

from .engine import DEFAULT_MEMORY as DEFAULT_MEMORY  # noqa: E402  (the worker's limit, kept beside it)

if _TYPE_CHECKING:
    from ..tensor.audit import TensorAudit
    from .api import AuditResult


class _CallableAudit(_types.ModuleType):
    def __call__(self, engine: _Any, *, kind: str = "auto", **options: _Any) -> AuditResult | TensorAudit:
        """``verify.audit(cls_or_spec, *, max_examples=300, seed=0, ops=None, deadline=300, ...)``:
        see ``verify.audit.api.audit``. A tensor engine (``kind="auto"``: one short survey says, as
        at the CLI) gets the tensor audit instead (``verify.audit.tensor``), whose result has the
        same face: verdict, exit_code, findings, fragilities, render, _repr_html_."""
        from .tensor import audit_tensor_engine, wants

        if wants(engine, kind):
            return audit_tensor_engine(engine, options)
        from .api import audit

        return audit(engine, **options)


_sys.modules[__name__].__class__ = _CallableAudit
