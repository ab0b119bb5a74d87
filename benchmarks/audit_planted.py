"""How fast the audit finds each planted bug, how small it shrinks it, and the cost of a clean audit.

Run: PYTHONPATH=. python benchmarks/audit_planted.py [SEEDS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from verify.audit.api import audit

ENGINES = Path(__file__).resolve().parent.parent / "tests" / "engines"
BUGS = ("Overwrites", "BreadthFirst", "SignOfNegatives", "SaturatedTanh", "ImpreciseLog", "WrongOperand")


def main() -> None:
    seeds = range(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
    print(f"{'engine':<16} {'found':>6} {'to first fault (median, max)':>30} "
          f"{'whole audit (median)':>21} {'shrunk steps (median, max)':>27}  blamed")
    for bug in BUGS:
        first, whole, sizes, blamed, found = [], [], [], set(), 0
        for seed in seeds:
            started = time.monotonic()
            result = audit(f"{ENGINES / 'planted.py'}:{bug}", max_examples=300, seed=seed)
            whole.append(time.monotonic() - started)
            finding = result.campaign.finding
            if finding is None:
                continue
            found += 1
            first.append(result.campaign.first_fault_seconds or 0.0)
            sizes.append(len(finding.program.steps))
            blamed.add(finding.op or "?")
        print(f"{bug:<16} {found:>3}/{len(seeds):<2} "
              f"{statistics.median(first):>20.2f} s {max(first):>6.2f} s {statistics.median(whole):>19.2f} s "
              f"{statistics.median(sizes):>21} {max(sizes):>5}  {','.join(sorted(blamed))}")
    for spec in ("micrograd.engine:Value", f"{ENGINES / 'reference.py'}:Value"):
        started = time.monotonic()
        result = audit(spec, max_examples=300)
        print(f"clean audit of {spec}: exit {result.exit_code}, {result.campaign.examples} programs, "
              f"{time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
