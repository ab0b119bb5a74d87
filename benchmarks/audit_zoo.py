"""The audit against the engine zoo: every planted bug found and blamed right, every correct engine passed.

Run: PYTHONPATH=. python benchmarks/audit_zoo.py [--only SUBSTRING ...] [--json PATH] [--no-karpathy]

For each engine of tests/engines/zoo/manifest.py, with the default settings (300 programs,
seed 0): the planted bug, whether it was found, the kind and culprit blamed and whether it is a
fault or a fragility (what a textbook formula for the op also does there), the root it follows
from when the engine builds the op from others, the ops whose findings follow from it, whether that is
right (kind, op and category as the manifest says; traversal and accumulation bugs as such), seconds from
the start to the first fault, the phase that found it, steps in the minimal program, seconds
spent shrinking it, the exit code against the expected one, and the whole audit's seconds.
Then the targets: median time to the first fault, the slowest whole audit of a correct
engine, median and max minimal program, max shrink time; and karpathy's micrograd 0.1.0
(fetched with pip download into a temporary folder) on the ops it has.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
sys.path.insert(0, str(ZOO))
manifest: Any = importlib.import_module("manifest")

from verify.audit.api import audit  # noqa: E402
from verify.audit.composite import root_of  # noqa: E402
from verify.audit.engine.sandbox import UnusableEngine  # noqa: E402

ENGINE_WIDE = ("lost-contribution", "traversal", "unreadable")
"""Kinds whose culprit may be the engine's, not an op's: the manifest lists none for those."""


def judged(entry: Any, result: Any) -> dict[str, Any]:
    """What the audit said about ``entry``, and whether it is right."""
    findings = result.campaign.findings if result is not None else []
    faults = result.findings if result is not None else []
    row: dict[str, Any] = {"spec": entry.spec, "family": entry.family, "expected_kind": entry.kind,
                           "expected_culprit": list(entry.culprit), "expected_exit": entry.expected_exit,
                           "expected_category": entry.category}
    if entry.kind == "none" or (entry.kind == "hostile" and entry.expected_exit == 0):
        # a correct engine may show fragilities (its textbook formulas'), never a fault
        row.update(found=bool(faults), right=not faults,
                   kind=faults[0].kind if faults else "", culprit=faults[0].op if faults else "",
                   category="fault" if faults else "")
        return row
    if entry.kind == "unusable":
        row.update(found=result is None, right=result is None, kind="unusable" if result is None else "",
                   culprit="")
        return row
    wanted = set(entry.culprit)
    best = None
    for f in findings:
        # a hostile engine's bug is in its rules (culprit named) or in what it does (memory, seed)
        kind_ok = f.kind == entry.kind or (entry.kind == "hostile" and (f.kind == "wrong-rule" or not wanted))
        op_ok = (f.op in wanted) if wanted else (f.op == "")
        if kind_ok and op_ok and f.category == entry.category:
            best = f
            break
    if entry.family == "two bugs":
        got = {f.op for f in findings if f.kind == entry.kind}
        right = wanted <= got
        best = next((f for f in findings if f.op in wanted), None)
        row.update(found=bool(findings), right=right, kind=",".join(sorted({f.kind for f in findings})),
                   culprit=",".join(sorted(got)))
    else:
        first = findings[0] if findings else None
        row.update(found=bool(findings), right=best is not None,
                   kind=(best or first).kind if (best or first) else "",
                   culprit=(best or first).op if (best or first) else "")
    shown = best or (findings[0] if findings else None)
    if shown is not None:
        followers = sorted({f.op for f in findings if f.follows_from and root_of(f, findings) == shown.op})
        root = root_of(shown, findings) if shown.follows_from else ""
        row.update(category=shown.category, follows_from=root, followers=",".join(followers))
        row.update(first_fault=result.campaign.first_fault_seconds, phase=shown.phase, steps=shown.steps,
                   shrink=shown.shrink_seconds, layout=shown.layout,
                   reproduced=shown.reproduced, findings=len(findings))
    return row


def run(entry: Any) -> dict[str, Any]:
    started = time.monotonic()
    result = None
    error = ""
    try:
        result = audit(str(ZOO / entry.file) + ":" + entry.cls)
    except UnusableEngine as e:
        error = str(e)
    except Exception as e:  # the audit itself broke: show it, go on with the next engine
        import traceback

        traceback.print_exc()
        error = f"AUDIT ERROR {type(e).__name__}: {e}"
    seconds = time.monotonic() - started
    row = judged(entry, result)
    row["seconds"] = seconds
    row["exit"] = 2 if result is None else result.exit_code
    row["error"] = error
    if error.startswith("AUDIT ERROR"):
        row["right"] = False
        row["exit"] = -1
    row["deadline_hit"] = bool(result is not None and result.deadline_hit)
    return row


def karpathy() -> dict[str, Any] | None:
    import subprocess

    folder = tempfile.mkdtemp(prefix="micrograd-0.1.0-")
    done = subprocess.run([sys.executable, "-m", "pip", "download", "micrograd==0.1.0", "--no-deps",
                           "--quiet", "-d", folder], capture_output=True, text=True, timeout=300, check=False)
    wheels = sorted(Path(folder).glob("micrograd-0.1.0-*.whl"))
    if done.returncode != 0 or not wheels:
        print(f"karpathy's micrograd 0.1.0: could not be fetched ({done.stderr.strip()[-200:]})")
        return None
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(folder)
    started = time.monotonic()
    result = audit(f"{folder}/micrograd/engine.py:Value")
    tested = sorted(op for op in result.survey.drawable_ops())
    return {"exit": result.exit_code, "seconds": time.monotonic() - started, "tested": tested,
            "findings": [(f.kind, f.op) for f in result.findings],
            "fragilities": [(f.kind, f.op) for f in result.fragilities],
            "depth": result.campaign.depth.works_to, "depth_failure": result.campaign.depth.failure}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--json", default="")
    parser.add_argument("--no-karpathy", action="store_true")
    args = parser.parse_args()
    entries = [e for e in manifest.ENTRIES if not args.only or any(s in e.spec for s in args.only)]
    rows = []
    head = (f"{'engine':<44} {'bug':<18} {'found':>5} {'kind':<17} {'category':<10} {'culprit':<12} "
            f"{'follows-from':<12} {'followers':<24} {'right':>5} "
            f"{'first':>6} {'phase':<8} {'steps':>5} {'shrink':>6} {'exit':>4} {'whole':>6}")
    print(head)
    for entry in entries:
        row = run(entry)
        rows.append(row)
        first = row.get("first_fault")
        exit_ok = "" if row["exit"] == entry.expected_exit else f"!{entry.expected_exit}"
        print(f"{entry.spec:<44} {entry.family:<18} {'yes' if row['found'] else 'no':>5} "
              f"{row.get('kind', ''):<17} {row.get('category', '') or '-':<10} "
              f"{row.get('culprit', '') or '-':<12} {row.get('follows_from', '') or '-':<12} "
              f"{row.get('followers', '') or '-':<24} "
              f"{'yes' if row['right'] else 'NO':>5} "
              f"{'' if first is None else f'{first:.1f}':>6} {row.get('phase', ''):<8} "
              f"{row.get('steps', ''):>5} {'' if 'shrink' not in row else format(row['shrink'], '.1f'):>6} "
              f"{row['exit']:>3}{exit_ok:<2}{row['seconds']:>6.1f}"
              + (" deadline" if row["deadline_hit"] else ""), flush=True)
    planted = [r for r in rows if r["expected_kind"] not in ("none", "unusable", "hostile")]
    correct = [r for r in rows if r["expected_kind"] == "none"]
    right = sum(r["right"] for r in planted)
    found = sum(r["found"] for r in planted)
    firsts = [r["first_fault"] for r in planted if r.get("first_fault") is not None]
    steps = [r["steps"] for r in planted if r.get("steps") is not None and r["family"] != "deep graph"]
    shrinks = [r["shrink"] for r in planted if r.get("shrink") is not None]
    print()
    print(f"planted bugs: {found}/{len(planted)} found, {right}/{len(planted)} blamed right")
    print(f"correct engines: {sum(r['right'] for r in correct)}/{len(correct)} passed; slowest whole audit "
          f"{max((r['seconds'] for r in correct if r['family'] == 'correct'), default=0):.1f} s")
    others = [r for r in rows if r["expected_kind"] in ("unusable", "hostile")]
    print(f"unusable and hostile engines: {sum(r['right'] for r in others)}/{len(others)} as expected; "
          f"exit codes as expected: {sum(r['exit'] == r['expected_exit'] for r in rows)}/{len(rows)}")
    if firsts:
        print(f"time to the first fault: median {statistics.median(firsts):.2f} s, max {max(firsts):.1f} s")
    if steps:
        print(f"minimal programs (deep-graph chains aside): median {statistics.median(steps)} steps, "
              f"max {max(steps)}")
    if shrinks:
        print(f"shrinking: median {statistics.median(shrinks):.2f} s, max {max(shrinks):.1f} s per finding")
    if not args.no_karpathy and not args.only:
        k = karpathy()
        if k is not None:
            print(f"karpathy's micrograd 0.1.0: exit {k['exit']}, {k['seconds']:.1f} s, "
                  f"tested {', '.join(k['tested'])}"
                  f"; findings {k['findings'] or 'none'}"
                  f"; fragilities {k['fragilities'] or 'none'}; chains work to depth {k['depth']:,}"
                  + (f" ({k['depth_failure']})" if k["depth_failure"] else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()
