"""Correct; importing it prints the audit's success lines (forged) on stdout and stderr."""

from __future__ import annotations

import sys

from tiny import Value

for _line in ("no fault found", "PASS: all 2 input gradients agree with the exact gradient to rounding"):
    print(_line)
    print(_line, file=sys.stderr)


class Quiet(Value):
    pass
