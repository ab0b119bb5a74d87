"""The batch's progress: one line redrawn in place on a terminal, a line per finished engine elsewhere."""

from __future__ import annotations

import time
from typing import TextIO


def duration(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"


class Progress:
    """Counts of a batch of ``total`` engines, ``slots`` audited at a time, drawn on ``stream``."""

    def __init__(self, total: int, slots: int, stream: TextIO | None, *, tty: bool) -> None:
        self.total, self.slots, self.stream, self.tty = total, slots, stream, tty
        self.done = self.faults = self.failed = self.reused = 0
        self.started = time.monotonic()

    @property
    def running(self) -> int:
        return min(self.slots, self.total - self.done)

    def eta(self) -> str:
        """Time left, from the pace of the audits run so far (results reused do not count)."""
        ran = self.done - self.reused
        if ran == 0:
            return "ETA unknown"
        left = (time.monotonic() - self.started) / ran * (self.total - self.done)
        return f"ETA {duration(left)}"

    def line(self) -> str:
        return (f"{self.done}/{self.total} done ({self.faults} with faults, {self.failed} not audited), "
                f"{self.running} running, {self.eta()}")

    def finished(self, label: str, verdict: str, seconds: float, *, reused: bool = False) -> None:
        """Count one engine's result and show it."""
        self.done += 1
        self.reused += reused
        self.faults += verdict == "fail"
        self.failed += verdict in ("error", "unusable")
        if self.stream is None:
            return
        if self.tty:
            self.stream.write("\r\033[K" + self.line())
        else:
            how = "from an earlier run" if reused else f"{seconds:.1f} s"
            self.stream.write(f"[{self.done}/{self.total}] {label}: {verdict} ({how}); {self.line()}\n")
        self.stream.flush()

    def start(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write(self.line())
            self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()
