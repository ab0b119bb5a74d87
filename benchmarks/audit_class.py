"""A class at once: about 40 zoo engines audited with --jobs 2, against the sum of single audits.

Run: PYTHONPATH=. python benchmarks/audit_class.py [--count 40] [--jobs 2] [--max-examples 300]

Engines are the first ``--count`` of tests/engines/zoo/manifest.py, leaving out those that sleep
or hang on purpose (families "hang" and "hostile": their time is the audit's time limits, not
its work). First each is audited alone, one after the other, by ``python -m verify audit --json``
(the sum of those wall times is the baseline); then all of them in one ``python -m verify audit
--jobs N --out DIR`` batch. Prints per engine the verdict and findings alone and in the batch and
whether they are identical (every field but timings), then the wall time against the target
(batch <= 0.6 x the sum of single audits), and whether the summary groups each planted bug under
the op and kind the manifest names.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
sys.path.insert(0, str(ZOO))
manifest: Any = importlib.import_module("manifest")

from verify.batch.summary import groups  # noqa: E402

SLEEPERS = ("hang", "hostile")
TIMING = ("seconds", "shrink_seconds", "found_seconds", "worker")
TARGET = 0.6


def untimed(data: Any) -> Any:
    """``data`` without the fields that measure time (or name the process that ran it)."""
    if isinstance(data, dict):
        return {k: untimed(v) for k, v in data.items() if k not in TIMING}
    return [untimed(v) for v in data] if isinstance(data, list) else data


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify", "audit", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)


def cpu() -> float:
    """CPU seconds of every finished process this one started (and theirs: each waits for its own)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def findings(result: dict[str, Any] | None) -> str:
    if not result:
        return "-"
    return ",".join(f"{f['kind']}:{f['op'] or '*'}" for f in result["findings"]) or "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--max-examples", type=int, default=300)
    args = parser.parse_args()
    entries = [e for e in manifest.ENTRIES if e.family not in SLEEPERS][: args.count]
    examples = ["--max-examples", str(args.max_examples)]

    alone: dict[str, tuple[int, dict[str, Any] | None, float]] = {}
    cpu_before = cpu()
    print(f"{len(entries)} engines, {args.max_examples} random programs each; single audits first "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)", flush=True)
    for entry in entries:
        started = time.monotonic()
        done = audit("--engine", str(ZOO / entry.spec), "--json", "-q", *examples)  # the batch's spec
        seconds = time.monotonic() - started
        result = json.loads(done.stdout) if done.stdout.strip() else None
        alone[entry.spec] = (done.returncode, result, seconds)
    single = sum(s for _, _, s in alone.values())
    cpu_single = cpu() - cpu_before

    print(f"then the batch (load average {os.getloadavg()[0]:.1f})", flush=True)
    with tempfile.TemporaryDirectory(prefix="audit-class-") as folder:
        roster = Path(folder) / "roster.txt"
        roster.write_text("".join(f"{ZOO / e.spec} {e.spec}\n" for e in entries))
        started = time.monotonic()
        done = audit("--engines", str(roster), "--jobs", str(args.jobs), "--out", f"{folder}/out", "-q",
                     *examples)
        wall = time.monotonic() - started
        cpu_batch = cpu() - cpu_before - cpu_single
        lines = Path(f"{folder}/out/summary.jsonl").read_text().splitlines()
        rows = {r["label"]: r for r in map(json.loads, lines)}
        stored = {label: json.loads((Path(folder) / "out" / r["report"]).with_name("record.json").read_text())
                  if r.get("report") else None for label, r in rows.items()}

    same = 0
    print(f"\n{'engine':<44} {'exit':>4} {'findings alone':<36} {'batch':>5} {'same':>4} {'alone':>7} "
          f"{'batch':>7}")
    for entry in entries:
        code, result, seconds = alone[entry.spec]
        row, record = rows[entry.spec], stored[entry.spec]
        batch_audit = None if record is None else record["audit"]
        identical = row["exit_code"] == code and untimed(batch_audit) == untimed(result)
        same += identical
        print(f"{entry.spec:<44} {code:>4} {findings(result)[:36]:<36} {row['exit_code']:>5} "
              f"{'yes' if identical else 'NO':>4} {seconds:>6.1f}s {row['seconds']:>6.1f}s")

    grouped = {(g.op, g.kind): set(g.labels) for g in groups(list(rows.values()))}
    planted = [e for e in entries if e.expected_exit == 1 and e.culprit and e.kind != "hostile"]
    right = sum(any(e.spec in grouped.get((op, e.kind), set()) for op in e.culprit) for e in planted)
    ratio = wall / single
    print(f"\nsum of single audits {single:.0f} s; batch with --jobs {args.jobs}: {wall:.0f} s wall = "
          f"{ratio:.2f} x (target <= {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})")
    print(f"CPU time of all their processes: single audits {cpu_single:.0f} s, batch {cpu_batch:.0f} s "
          f"({cpu_batch / cpu_single:.2f} x); wall / CPU: single {single / cpu_single:.2f}, "
          f"batch {wall / cpu_batch:.2f} (above 1: the processes waited for a core)")
    print(f"verdicts and findings identical to the single audits: {same} of {len(entries)}")
    print(f"planted bugs with a culprit op grouped under that op and the manifest's kind: "
          f"{right} of {len(planted)}")
    print(f"batch exit code {done.returncode}; machine load average at the end {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
