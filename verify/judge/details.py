"""What a report shows beside its verdict: kink and difference notes, printed formulas, per-node rows.

None of it decides a verdict; each is computed from the certified values
(``oracle.exact``) the judge already holds, the formulas and rows only on demand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..oracle.ball import text
from ..oracle.calculus import formula
from ..oracle.exact import Exact, Node, partials_at
from ..oracle.fd import Difference
from ..oracle.formula import formulas, value_at
from ..program import Const, Program
from ..report import NodeRow


def kink_notes(program: Program, nodes: list[Node], ex: Exact, names: Sequence[str]) -> list[str]:
    """A note for each node that sits exactly on its kink: any one-sided derivative is accepted there."""
    notes = []
    for s in ex.kinks:
        node = nodes[s - len(program.inputs)]
        (point, (left, right)), *_ = node.calc.sides.items()
        notes.append(f"{names[s]} = {node.calc.row.name}(...) sits exactly on its kink at {point}: any "
                     f"derivative between the one-sided ones [{min(left, right)!r}, {max(left, right)!r}] "
                     "is accepted, including the engine's convention")
    return notes


def lazy(make: Callable[[], dict[int, str]]) -> Callable[[], dict[int, str]]:
    """``make`` called once, on first use."""
    made: list[dict[int, str]] = []

    def get() -> dict[int, str]:
        if not made:
            made.append(make())
        return made[0]

    return get


def shown_formulas(program: Program, slots: list[int], ex: Exact) -> dict[int, str]:
    """The printed formula of each input, only where it evaluates to the certified gradient."""
    if ex.kinks:
        return {}
    shown = {}
    for s, (written_form, expr) in formulas(program, slots).items():
        value = value_at(expr, program, ex.bits)
        if value is not None and value.overlaps(ex.adjoints[s]):
            shown[s] = written_form
    return shown


def node_rows(
    program: Program, nodes: list[Node], names: Sequence[str],
    data: Sequence[float | None], grad: Sequence[float | None], ex: Exact,
) -> list[NodeRow]:
    """Every node's row: the engine's value and gradient beside the exact ones and each local derivative."""
    rows = []
    for s, (name, _) in enumerate(program.inputs):
        rows.append(NodeRow(s, name, "", (), data[s], grad[s], text(ex.values[s], 30),
                            text(ex.adjoints[s], 30), ()))
    for node in nodes:
        s = node.slot
        step = program.steps[s - len(program.inputs)]
        args = tuple(repr(a.value) if isinstance(a, Const) else names[a] for a in step.args)
        fixed = tuple((i, a.value) for i, a in enumerate(step.args) if isinstance(a, Const))
        ps = partials_at(ex, node)
        local = tuple(
            (formula(step.op, fixed, i, list(args)), text(p, 30)) for i, p in enumerate(ps) if p is not None
        )
        rows.append(NodeRow(s, names[s], step.op, args, data[s], grad[s], text(ex.values[s], 30),
                            text(ex.adjoints[s], 30), local))
    return rows


def difference_notes(diffs: list[Difference], per_input: bool) -> list[str]:
    """Why a difference was skipped, where it disagrees, and (along random directions) how many agreed."""
    notes = []
    for d in diffs:
        if d.why:
            notes.append(d.why)
        elif not d.agrees:
            notes.append("oracle fault: the finite difference disagrees with the exact gradient"
                         f" (fd {d.shown()}, exact {d.shown_exact()})")
    if not per_input:
        agreeing = sum(1 for d in diffs if d.fd is not None and d.agrees)
        notes.append(f"finite differences checked along {len(diffs)} random directions, {agreeing} agreed")
    return notes
