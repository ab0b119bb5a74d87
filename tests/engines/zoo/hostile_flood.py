"""An engine that writes 300 MiB to stderr when it is imported (a debug dump left on)."""

from __future__ import annotations

import sys

from base import Value

FLOOD_MIB = 300

_line = ("debug: " + "." * 1016 + "\n") * 1024  # 1 MiB
for _ in range(FLOOD_MIB):
    sys.stderr.write(_line)
sys.stderr.flush()


class FloodsStderr(Value):
    """base.Value, correct; importing its module writes 300 MiB to stderr."""
