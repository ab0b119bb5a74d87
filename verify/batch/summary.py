"""The class summary: a row per engine, and per op and bug kind how many engines have it.

Read only from each engine's record (``AuditResult.to_dict()`` and the exit code), never from
message text. Written as text, ``summary.csv`` (a row per engine), ``summary.jsonl`` (an object
per engine with its findings) and, by ``index``, ``index.html``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

KIND_WORDS = {
    "wrong-rule": "wrong local derivative",
    "lost-contribution": "lost contribution when a node is reused",
    "traversal": "backward visits the graph in a wrong order",
    "crash": "raises where the function and its derivative are finite",
    "forward": "wrong value in the forward pass",
    "unreadable": ".grad that is not a real number",
    "non-finite": "nan or inf where a correct engine is finite",
    "seed": "the output's own gradient is not 1",
    "hang": "does not answer in time",
    "died": "the engine's process died",
    "memory": "more memory than the audit allows",
    "tampered": "changes the auditing code",
    "gradient": "a wrong gradient no single step explains",
}
"""How the summary words each kind of finding (a kind not listed is shown by its name)."""

CSV_COLUMNS = ("label", "spec", "verdict", "exit_code", "faults", "fragilities", "limits", "root_cause_ops",
               "kinds", "seconds", "reused", "error", "report")


def fragilities(audit: dict[str, Any] | None) -> list[str]:
    """The audit's fragilities: failures an accepted textbook formula for the op shows at the same
    point (not faults; they exit 1 only with ``--strict``), as "kind in op"."""
    return [f"{f['kind']} in {f['op']}" if f.get("op") else str(f["kind"])
            for f in (audit or {}).get("fragilities", [])]


def limits(audit: dict[str, Any] | None) -> list[str]:
    """What the audit reports as a limit, not a fault: a depth limit (backward fails on deep
    graphs, a RecursionError), and an audit cut short by its deadline (a slow engine)."""
    if audit is None:
        return []
    found = []
    depth = audit.get("depth") or {}
    if depth.get("failure"):
        found.append(f"depth limit: backward works to {depth.get('works_to')} steps")
    if audit.get("deadline_hit"):
        found.append(f"cut short by the deadline ({audit.get('deadline')} s)")
    return found


def row(record: dict[str, Any]) -> dict[str, Any]:
    """The summary's object for one engine (a line of ``summary.jsonl``)."""
    audit = record.get("audit")
    findings = [{k: v for k, v in f.items() if k != "report"} for f in (audit or {}).get("findings", [])]
    return {
        "label": record["label"], "spec": record["spec"], "verdict": record["verdict"],
        "exit_code": record["exit_code"], "faults": len(findings), "fragilities": fragilities(audit),
        "limits": limits(audit),
        "root_cause_ops": sorted({f["op"] for f in findings if f.get("op")}),
        "kinds": sorted({f["kind"] for f in findings}), "seconds": record.get("seconds", 0.0),
        "reused": record.get("reused", False), "error": record.get("error"), "report": record.get("report"),
        "worker": record.get("worker"), "key": record.get("key"), "findings": findings,
    }


@dataclass
class Group:
    """One op and kind of bug, the engines that have it, and the shortest program that shows it."""

    op: str
    kind: str
    labels: list[str]
    example_label: str
    example: str

    def words(self, total: int) -> str:
        where = f"in {self.op}" if self.op else "in the engine as a whole"
        return f"{len(self.labels)} of {total}: {KIND_WORDS.get(self.kind, self.kind)}, {where}"


def program_of(finding: dict[str, Any]) -> str:
    """The finding's minimal program on one line, without the lines that import the engine."""
    lines = [line for line in str(finding.get("snippet", "")).splitlines() if line.strip()]
    while lines and lines[0].startswith(("import ", "from ")):
        lines.pop(0)
    return "; ".join(lines)


def groups(rows: list[dict[str, Any]]) -> list[Group]:
    """Per (op, kind): the engines with such a finding, most common first."""
    found: dict[tuple[str, str], Group] = {}
    best: dict[tuple[str, str], int] = {}
    for r in rows:
        for f in r["findings"]:
            key = (f.get("op") or "", f["kind"])
            group = found.setdefault(key, Group(key[0], key[1], [], "", ""))
            if r["label"] not in group.labels:
                group.labels.append(r["label"])
            steps = int(f.get("steps") or 0)
            if key not in best or steps < best[key]:
                best[key] = steps
                group.example_label, group.example = r["label"], program_of(f)
    return sorted(found.values(), key=lambda g: (-len(g.labels), g.op or "~", g.kind))


def render(rows: list[dict[str, Any]], head: str) -> str:
    """The summary as text: ``head``, a table of the engines, then the bugs by op and kind."""
    lines = [head, ""]
    columns = [("engine", [r["label"] for r in rows]), ("verdict", [r["verdict"] for r in rows]),
               ("faults", [str(r["faults"]) for r in rows]),
               ("fragile", [str(len(r["fragilities"])) for r in rows]),
               ("root cause", [",".join(r["root_cause_ops"]) or "-" for r in rows]),
               ("seconds", [f"{r['seconds']:.1f} s" + (" (earlier run)" if r["reused"] else "")
                            for r in rows])]
    widths = [max(len(name), *(len(v) for v in values)) for name, values in columns]
    right = {"faults", "fragile"}

    def cell(text: str, width: int, name: str) -> str:
        return text.rjust(width) if name in right else text.ljust(width)

    pairs = list(zip(columns, widths, strict=True))
    lines.append("  ".join(cell(name, w, name) for (name, _), w in pairs).rstrip())
    for i in range(len(rows)):
        lines.append("  ".join(cell(values[i], w, name)
                               for (name, values), w in zip(columns, widths, strict=True)).rstrip())
    total = len(rows)
    found = groups(rows)
    if found:
        lines += ["", "by op and kind of bug (how many engines have it; the shortest program that shows it):"]
        for group in found:
            lines.append(f"  {group.words(total)}")
            lines.append(f"      {group.example_label}: {group.example}")
    not_audited = [r for r in rows if r["verdict"] in ("unusable", "error")]
    if not_audited:
        lines += ["", f"not audited or not vouched for ({len(not_audited)} of {total}):"]
        lines += [f"  {r['label']}: {r['error']}" for r in not_audited]
    fragile = [r for r in rows if r["fragilities"]]
    if fragile:
        lines += ["", "fragile (a textbook formula for the op does the same there: not a fault):"]
        lines += [f"  {r['label']}: {'; '.join(r['fragilities'])}" for r in fragile]
    limited = [r for r in rows if r["limits"]]
    if limited:
        lines += ["", "limits (behaviour, not a fault):"]
        lines += [f"  {r['label']}: {'; '.join(r['limits'])}" for r in limited]
    return "\n".join(lines) + "\n"


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow([r["label"], r["spec"], r["verdict"], r["exit_code"], r["faults"],
                         len(r["fragilities"]), "; ".join(r["limits"]),
                         " ".join(r["root_cause_ops"]), " ".join(r["kinds"]), f"{r['seconds']:.3f}",
                         int(bool(r["reused"])), r["error"] or "", r["report"] or ""])
    return out.getvalue()


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
