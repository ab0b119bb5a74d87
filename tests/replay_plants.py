"""Replay every planted weakening of ``PLANTS`` (tests/test_guards*.py): each must turn its test red.

    python tests/replay_plants.py [-k SUBSTRING]

Applies one edit at a time to the working tree, runs the named test, restores the file (also on
Ctrl-C). Prints one line per plant; exit 1 if any plant survived or did not apply.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_guards import PLANTS as JUDGE  # noqa: E402
from test_guards_audit import PLANTS as AUDIT  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only plants whose description contains this")
    args = parser.parse_args()
    env = dict(os.environ, PYTHONPATH=str(ROOT), HYPOTHESIS_PROFILE="ci")
    bad = 0
    for plant in [p for p in JUDGE + AUDIT if args.k in p.what]:
        path = ROOT / plant.path
        original = path.read_text()
        if original.count(plant.old) != 1:
            print(f"NOT APPLIED  {plant.what}: the text to replace is not in {plant.path} exactly once")
            bad += 1
            continue
        path.write_text(original.replace(plant.old, plant.new))
        try:
            done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                   plant.test], cwd=ROOT, env=env, capture_output=True, text=True)
        finally:
            path.write_text(original)
        killed = done.returncode == 1
        bad += not killed
        print(f"{'killed' if killed else 'SURVIVED':<11}  {plant.what}  ({plant.test.split('::')[-1]})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
