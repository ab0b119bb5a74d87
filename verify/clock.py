"""A wall-clock limit on work in this process: SIGALRM, repeated until the work has stopped.

A signal handler's exception can land in a gc callback or a ``__del__``,
where Python prints and drops it; a one-shot alarm would then never stop the
work. So the alarm repeats every ``REPEAT`` seconds after the first, and the
limit disarms it before it lets go.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

REPEAT = 0.05
"""Seconds between repeats of an expiry that was swallowed."""


@contextmanager
def time_limit(seconds: float, error: type[Exception], message: str = "") -> Iterator[bool]:
    """Raise ``error(message)`` in this block after ``seconds``; yields whether a clock runs.

    SIGALRM exists on POSIX and works in the main thread only, and one timer
    is left alone when another is already running: then there is no limit.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield False
        return
    if signal.getitimer(signal.ITIMER_REAL)[0]:
        yield False
        return

    def expire(*_: object) -> None:
        raise error(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield True
    finally:
        while True:  # an expiry may still be pending here (signal.signal runs it first): retry both
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except error:
                continue
