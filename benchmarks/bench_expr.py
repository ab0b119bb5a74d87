"""Wall time of `python -m verify expr --file examples/seed.py`, interpreter start included.

Target: <= 1.5 s. Also times the pieces (bare interpreter, `import sympy`, a
refused input that never loads SymPy) to show where the time goes.

    python benchmarks/bench_expr.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.5


def wall(args: list[str], runs: int) -> tuple[float, float, int]:
    """Median and max wall seconds over ``runs`` runs, and the last exit code."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    code = 0
    for _ in range(runs):
        start = time.perf_counter()
        code = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                              check=False).returncode
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    cases = [
        ("python -c pass", ["-c", "pass"]),
        ("python -c 'import sympy'", ["-c", "import sympy"]),
        ("python -c 'import mpmath'", ["-c", "import mpmath"]),
        ("verify expr: refused input (no SymPy)", ["-m", "verify", "expr", "tahn(x)", "--at", "x=1"]),
        ("verify expr a*b + b**3", ["-m", "verify", "expr", "a*b + b**3", "--at", "a=-4", "b=2"]),
        ("verify expr --file examples/seed.py", ["-m", "verify", "expr", "--file", "examples/seed.py"]),
    ]
    print(f"{runs} runs each, median / max wall seconds")
    median = 0.0
    for name, args in cases:
        median, worst, code = wall(args, runs)
        print(f"  {name:<42} {median:6.3f} / {worst:6.3f}   exit {code}")
    verdict = "within" if median <= TARGET else "OVER"
    print(f"seed audit: {verdict} the {TARGET} s target")


if __name__ == "__main__":
    main()
