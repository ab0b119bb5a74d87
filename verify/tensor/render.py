"""The tensor audit as text: the engine, its dialect and ops, then each finding in tensor terms."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .audit import TensorAudit


def render(result: TensorAudit) -> str:
    lines = [f"tensor engine {result.engine}  (dialect {result.dialect})",
             f"ops: {' '.join(result.ops)}",
             f"{result.programs} programs in {result.seconds:.1f} s"]
    for note in result.fragilities:
        lines.append(f"fragility: {note}")
    for k, failure in enumerate(result.failures, 1):
        f = failure.finding
        shapes = ", ".join(str(s) for s in f.shapes)
        lines += ["", f"{k}. {f.kind}: {f.op or '(no single op)'}  [{f.pattern}]  shapes {shapes}",
                  f"   {f.message}"]
        if f.wrong:
            lines.append(f"   wrong elements: {', '.join(str(w) for w in f.wrong[:8])}"
                         + (" ..." if len(f.wrong) > 8 else ""))
        if f.kind in ("shape", "grad-shape"):
            lines += [f"   expected shape {tuple(f.expected)}", f"   actual shape   {tuple(f.actual)}"]
        elif f.expected is not None and f.actual is not None:
            exact = " (exact)" if f.tensor < len(failure.program.inputs) and f.kind != "forward" else ""
            lines += [f"   expected {f.expected}{exact}", f"   actual   {f.actual}"]
        lines += ["   reproduce:", *("     " + line for line in failure.snippet.splitlines())]
    lines.append("")
    if result.failures:
        n = len(result.failures)
        lines.append(f"FAIL  {n} finding{'' if n == 1 else 's'}")
    elif result.fragilities and result.strict:
        lines.append(f"FAIL  {result.programs} programs ran; no wrong rule shows, but the engine loses "
                     "digits (above), and --strict counts that as a finding")
    elif result.fragilities:
        lines.append(f"FRAGILE  {result.programs} programs ran; every op's rule is right at the engine's own "
                     "precision, which loses digits (above)")
    else:
        lines.append(f"PASS  every op's value and gradient is one a correct float64 engine computes, "
                     f"on {result.programs} programs")
    return "\n".join(lines)
