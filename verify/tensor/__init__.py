"""Audit tensor engines exactly: tensor programs lowered to scalar ones, judged op by op.

``audit_tensor("engine.py:Tensor")`` (or the class itself) returns a
``TensorAudit`` with ``render()``, ``to_json()`` and ``exit_code``;
``python -m verify.tensor SPEC`` is the same from a shell. Importing this
package loads neither numpy nor SymPy: the audit loads on first call, and
numpy only ever in the worker process, beside the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .audit import TensorAudit

__all__ = ["audit_tensor"]


def audit_tensor(spec: Any, **options: Any) -> TensorAudit:
    """Audit a tensor engine: ``verify.tensor.audit.audit_tensor`` (its options: seed, deadline,
    dialect, shrink, only)."""
    from .audit import audit_tensor as run

    return run(spec, **options)
