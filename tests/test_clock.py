"""The wall-clock limit stops work even when an expiry is swallowed, and leaves no alarm behind."""

from __future__ import annotations

import contextlib
import signal
import time

import pytest

from verify.clock import time_limit


class Late(Exception):
    pass


def _spin(until: float) -> None:
    while time.monotonic() < until:
        pass


def test_an_expiry_swallowed_like_one_in_a_gc_callback_comes_again() -> None:
    started = time.monotonic()
    with pytest.raises(Late, match="too slow"), time_limit(0.05, Late, "too slow") as timed:
        assert timed
        with contextlib.suppress(Late):  # what Python does to one raised in a gc callback or __del__
            _spin(started + 5)
        _spin(started + 5)
    assert time.monotonic() - started < 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_work_that_ends_in_time_leaves_no_alarm_and_the_old_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5.0, Late) as timed:
        assert timed
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_a_running_timer_is_left_alone() -> None:
    with time_limit(5.0, Late) as outer, time_limit(0.01, Late) as inner:
        assert outer and not inner
        time.sleep(0.05)  # the inner limit did not arm: nothing is raised
