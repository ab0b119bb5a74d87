"""What a check costs (``judge.cost``) at each edge: the estimate's units switch at 120 s and 1,000 MB,
max_nodes refuses one node past it (and anything not a positive integer), and the warning starts one
node past WARN_NODES."""

from __future__ import annotations

import os
import sys
import warnings

import pytest

from verify.judge.cost import (
    BYTES_PER_NODE,
    SECONDS_PER_NODE,
    WARN_NODES,
    SizeWarning,
    TooLarge,
    announce,
    estimate,
)


def test_the_estimate_is_per_node_in_seconds_then_minutes_and_mb_then_gb() -> None:
    assert (SECONDS_PER_NODE, BYTES_PER_NODE) == (4e-5, 900)
    assert estimate(1000) == "about 0 s and 1 MB of memory"
    assert estimate(250_000) == "about 10 s and 225 MB of memory"
    assert estimate(1_111_111) == "about 44 s and 1,000 MB of memory"  # 999.9999 MB
    assert estimate(1_111_112) == "about 44 s and 1.0 GB of memory"
    assert estimate(2_999_975) == "about 120 s and 2.7 GB of memory"  # 119.999 s
    assert estimate(3_000_000) == "about 2 min and 2.7 GB of memory"
    assert estimate(30_000_000) == "about 20 min and 27.0 GB of memory"


def test_max_nodes_refuses_one_node_past_it_and_says_what_a_check_would_take() -> None:
    announce(10, 10)
    announce(10, None)
    announce(1, 1)  # the smallest max_nodes
    with pytest.raises(TooLarge) as raised:
        announce(1_000_001, 1_000_000)
    said = "the graph has 1,000,001 nodes, more than max_nodes=1,000,000; a check would take about 40 s"
    assert str(raised.value) == said + " and 900 MB of memory"


@pytest.mark.parametrize("bad", [True, 0, -5, 1.0, "10"])
def test_max_nodes_that_is_not_a_positive_integer_is_refused(bad: object) -> None:
    with pytest.raises(TypeError) as raised:
        announce(1, bad)  # type: ignore[arg-type]
    assert str(raised.value) == f"max_nodes must be a positive integer or None, not {bad!r}"


def test_the_warning_starts_one_node_past_warn_nodes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        announce(WARN_NODES, None)
    with pytest.warns(SizeWarning) as caught:
        announce(WARN_NODES + 1, None)
    assert [str(w.message) for w in caught] == [
        "verify.check: the graph has 250,001 nodes; expect about 10 s and 225 MB of memory (pass "
        "max_nodes=... to refuse graphs this big)"]


def test_minutes_and_gb_are_a_sixtieth_and_a_thousandth() -> None:
    # 150,000,000 nodes: 6,000 s and 135,000 MB, where a 61st or a 1001st would read 98 min and 134.9 GB
    assert "about 100 min and 135.0 GB" in estimate(150_000_000)


def test_the_warning_points_at_the_line_that_called_verify_check(monkeypatch: pytest.MonkeyPatch) -> None:
    import verify
    from micrograd import Value
    from verify.judge import cost

    monkeypatch.setattr(cost, "WARN_NODES", 1)  # x and x * 2 are a "big" graph
    x = Value(0.5)
    y = x * 2.0
    y.backward()
    with pytest.warns(SizeWarning) as caught:
        here = sys._getframe().f_lineno
        verify.check(y)
    assert "the graph has 2 nodes" in str(caught[0].message)
    if "MUTANT_UNDER_TEST" in os.environ:  # mutmut's trampolines add frames between the two
        return
    assert [(w.filename, w.lineno) for w in caught] == [(__file__, here + 1)]
