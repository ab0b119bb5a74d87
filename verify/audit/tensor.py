"""``verify.audit(Tensor)``: a tensor engine goes to the tensor audit (``verify.tensor``), as at the CLI.

The scalar audit's options that mean the same there are passed on (``seed``,
``deadline``, ``strict``, ``memory``, ``isolate``, ``timeout`` per program,
``progress``); the tensor
audit's own (``dialect``, ``only``, ``random``, ``shrink``) are accepted
too. One that has no meaning for a tensor engine is a ``UsageError``,
never silently dropped.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from . import DEFAULT_DEADLINE
from .engine.spec import UsageError

if TYPE_CHECKING:
    from ..tensor.audit import TensorAudit

PASSED_ON = ("seed", "deadline", "strict", "memory", "isolate", "dialect", "only", "random", "shrink")
"""Options the tensor audit takes under the same name."""


def wants(engine: Any, kind: str) -> bool:
    """Whether ``verify.audit(engine, kind=kind)`` is a tensor audit (``kind`` "auto" asks the engine)."""
    if kind not in ("auto", "scalar", "tensor"):
        raise UsageError(f"kind={kind!r}: expected 'auto', 'scalar' or 'tensor'")
    if kind != "auto":
        return kind == "tensor"
    from ..tensor.audit import is_tensor_engine

    return is_tensor_engine(engine)


def audit_tensor_engine(engine: Any, options: dict[str, Any]) -> TensorAudit:
    """The tensor audit of ``engine`` with ``verify.audit``'s ``options``; ``UsageError`` for one
    that means nothing for a tensor engine."""
    from ..tensor.audit import audit_tensor
    from ..tensor.runner import PROGRAM_SECONDS

    given = dict(options)
    progress = given.pop("progress", None)
    timeout = given.pop("timeout", PROGRAM_SECONDS)
    unknown = sorted(k for k in given if k not in PASSED_ON)
    if unknown:
        raise UsageError(f"verify.audit of a tensor engine takes no {', '.join(unknown)} (it takes "
                         f"{', '.join(('timeout', 'progress', *PASSED_ON))})")
    deadline = given.pop("deadline", DEFAULT_DEADLINE)  # as the CLI: one budget for either kind
    for name, value in (("deadline", deadline), ("timeout", timeout)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise UsageError(f"{name}={value!r}: a tensor audit needs a positive number of seconds")
    if progress is not None:
        progress(f"auditing {getattr(engine, '__name__', engine)} as a tensor engine ...")
    return audit_tensor(engine, deadline=float(deadline), limit=float(timeout), **given)
