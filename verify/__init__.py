"""Verify a micrograd graph's gradients against exact and high-precision witnesses.

``check(output)`` mirrors the graph into SymPy and mpmath and returns a
``Report``; ``check_run`` does the same for what any engine computed on a
``Program``; ``assert_gradients`` raises ``AssertionError`` unless all is well.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .report import Fault, InputRow, NodeRow, Report

if TYPE_CHECKING:
    from micrograd.engine import Value

    from .program import Program

__all__ = ["Fault", "InputRow", "NodeRow", "Report", "assert_gradients", "check", "check_run"]


def check(output: Value, *, inputs: Sequence[Value] | Mapping[str, Value] | None = None) -> Report:
    """Verify ``output``'s graph: forward values and the gradient of every input leaf."""
    raise NotImplementedError


def check_run(
    program: Program,
    data: Sequence[float | None],
    grad: Sequence[float | None],
    *,
    inputs: Sequence[int] | None = None,
) -> Report:
    """Verify what an engine computed for ``program``: slot i's ``data[i]`` and ``grad[i]``."""
    raise NotImplementedError


def assert_gradients(output: Value, *, inputs: Sequence[Value] | Mapping[str, Value] | None = None) -> Report:
    """``check(output)``, raising ``AssertionError`` with the rendered report unless it passes."""
    report = check(output, inputs=inputs)
    if not report.ok:
        raise AssertionError(report.render())
    return report


def __getattr__(name: str) -> Any:
    # Hypothesis strategies (verify.expressions, ...) load on first use, so that
    # `import verify` does not import hypothesis.
    if not name.startswith("_"):
        from . import strategies

        if hasattr(strategies, name):
            return getattr(strategies, name)
    raise AttributeError(f"module 'verify' has no attribute {name!r}")
