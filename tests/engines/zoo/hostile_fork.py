"""An engine that forks when it is imported: the child sleeps 40 s with every inherited descriptor open."""

from __future__ import annotations

import os
import time

from base import Value

CHILD_PID = os.fork()
if CHILD_PID == 0:  # the child: "a background autosave" that never gets going
    time.sleep(40)
    os._exit(0)


class ForksAtImport(Value):
    """base.Value, correct; importing its module forks a child that sleeps 40 s."""
