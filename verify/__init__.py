"""Verify a micrograd graph's gradients against exact and high-precision witnesses.

``check(output)`` checks the graph against exact derivatives (SymPy's,
evaluated in certified ball arithmetic with python-flint) and a finite
difference, and returns a ``Report``; ``check_run`` does the same for what any engine computed on a
``Program``; ``assert_gradients`` raises ``AssertionError`` unless all is well;
``audit(Value)`` audits a whole engine class (see ``verify.audit``); ``audit_many(specs)`` a
batch of them, a class's submissions (see ``verify.batch``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any


def _import_our_micrograd() -> None:
    # The op table must be the micrograd installed beside this package, even
    # when the current folder (first on sys.path under `python -m`) holds a
    # learner's own micrograd/ package: that one is audited, never imported.
    if "micrograd" in sys.modules:
        return
    home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, home)
    try:
        import micrograd  # noqa: F401
    finally:
        sys.path.remove(home)


_import_our_micrograd()

from . import audit  # noqa: E402  (callable: verify.audit(Value); light, it loads the auditor on call)
from .report import Fault, InputRow, NodeRow, Report  # noqa: E402

if TYPE_CHECKING:
    from micrograd.engine import Value

    from .program import Program

__all__ = ["Fault", "InputRow", "NodeRow", "Report", "assert_gradients", "audit", "audit_many", "check",
           "check_run"]


def check(
    output: Value,
    *,
    inputs: Iterable[Value] | Mapping[str, Value] | None = None,
    max_nodes: int | None = None,
) -> Report:
    """Verify ``output``'s graph: forward values and the gradient of every input leaf.

    Call it after ``output.backward()``. ``inputs`` picks the leaves to report on
    (a mapping also names them); by default all leaves, named x0, x1, ...
    A graph over ``max_nodes`` nodes is refused (``ValueError``); one over 250,000
    gets a ``SizeWarning`` with the expected time and memory.
    """
    from .graph import to_program
    from .judge.cost import announce
    from .judge.verdict import no_gc_pauses

    if inputs is not None and not isinstance(inputs, Mapping):
        inputs = list(inputs)  # an iterator (model.parameters() of a generator) is read once
    with no_gc_pauses():
        program, values = to_program(output, inputs)
    announce(program.size, max_nodes)
    if output.grad == 0.0:
        raise ValueError("the output's gradient is 0: call output.backward() before verify.check")
    if inputs is None:
        slots = None
    else:
        chosen = list(inputs.values() if isinstance(inputs, Mapping) else inputs)
        wanted = {id(v) for v in chosen}  # the inputs are leaves: the program's first slots
        slot_of = {id(v): i for i, v in enumerate(values[: len(program.inputs)]) if id(v) in wanted}
        slots = [slot_of[id(v)] for v in chosen]
    return check_run(program, [v.data for v in values], [v.grad for v in values], inputs=slots)


def check_run(
    program: Program,
    data: Sequence[float | None],
    grad: Sequence[float | None],
    *,
    inputs: Sequence[int] | None = None,
) -> Report:
    """Verify what an engine computed for ``program``: slot i's ``data[i]`` and ``grad[i]``.

    ``data``/``grad`` are each slot's ``.data``/``.grad`` after one ``backward()``
    from the last slot (None where the engine gave none); ``inputs`` are the slots
    to report on, by default every program input.
    """
    from .judge.verdict import check_run as run

    return run(program, data, grad, inputs=inputs)


def assert_gradients(
    output: Value,
    *,
    inputs: Iterable[Value] | Mapping[str, Value] | None = None,
    max_nodes: int | None = None,
) -> Report:
    """``check(output)``, raising ``AssertionError`` with the rendered report unless it passes."""
    report = check(output, inputs=inputs, max_nodes=max_nodes)
    if not report.ok:
        raise AssertionError(report.render())
    return report


_LAZY = ("expressions", "points")
"""Hypothesis strategies, loaded on first use so that `import verify` does not import hypothesis."""


def __getattr__(name: str) -> Any:
    if name == "audit_many":  # loaded on first use: `import verify` stays light
        from .batch.api import audit_many

        return audit_many
    if name in _LAZY:
        from . import strategies

        return getattr(strategies, name)
    raise AttributeError(f"module 'verify' has no attribute {name!r}")
