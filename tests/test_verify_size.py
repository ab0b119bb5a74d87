"""verify.check states its cost: a big graph gets a warning with the expected time and memory, and a
graph over the caller's ``max_nodes`` is refused before any exact value is computed."""

from __future__ import annotations

import time
import tracemalloc
import warnings

import pytest

import verify
from micrograd import Value
from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP
from verify.judge import cost


def _chain(nodes: int) -> tuple[Value, Value]:
    x = Value(0.5)
    y = x
    for _ in range(nodes // 2):
        y = y * 0.5 + 1.0
    y.backward()
    return y, x


def test_a_graph_over_max_nodes_is_refused_at_once() -> None:
    y, x = _chain(2_000)
    started = time.monotonic()
    with pytest.raises(ValueError, match=r"2,001 nodes, more than max_nodes=1,000; a check would take about"):
        verify.check(y, inputs={"x": x}, max_nodes=1_000)
    assert time.monotonic() - started < 5
    with pytest.raises(ValueError, match="max_nodes"):
        verify.assert_gradients(y, inputs={"x": x}, max_nodes=1_000)
    assert verify.check(y, inputs={"x": x}, max_nodes=2_001).ok


@pytest.mark.parametrize("bad", [0, -5, 2.5, True, "100"])
def test_max_nodes_must_be_a_positive_integer(bad: object) -> None:
    y, x = _chain(10)
    with pytest.raises(TypeError, match="max_nodes"):
        verify.check(y, inputs={"x": x}, max_nodes=bad)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def big() -> tuple[Value, Value]:
    """A 300,001-node chain, its output's gradient reset: check refuses it ("call backward() first")
    just after the size is known, so these tests do not pay for the check."""
    y, x = _chain(300_000)
    y.grad = 0.0
    return y, x


@pytest.fixture(scope="module")
def mlp() -> tuple[Value, list[Value]]:
    """The README's full-batch max-margin loss of MLP(2, [16, 16, 1]): 65,414 nodes, its gradient reset."""
    model = MLP(2, [16, 16, 1])
    xs, ys = make_moons(100)
    loss, _ = max_margin_loss(model, xs, ys)
    loss.backward()
    loss.grad = 0.0
    return loss, model.parameters()


def _warned(output: Value, inputs: object) -> bool:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match="backward"):
            verify.check(output, inputs=inputs)  # type: ignore[arg-type]
    return any(issubclass(w.category, cost.SizeWarning) for w in seen)


def test_a_graph_over_the_documented_size_warns_with_time_and_memory(big: tuple[Value, Value]) -> None:
    y, x = big
    expected = r"300,001 nodes; expect about \d+ s and [\d,]+ MB of memory"
    with pytest.warns(cost.SizeWarning, match=expected), pytest.raises(ValueError, match="backward"):
        verify.check(y, inputs={"x": x})


@pytest.mark.parametrize("scale", [1.0, 10.0, 0.1])
def test_the_warning_threshold_holds_both_ways(
    scale: float, big: tuple[Value, Value], mlp: tuple[Value, list[Value]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loosened 10x, the 300,001-node chain gets no warning; tightened 10x, the 65,414-node MLP loss does."""
    monkeypatch.setattr(cost, "WARN_NODES", int(cost.WARN_NODES * scale))
    assert _warned(big[0], {"x": big[1]}) == (scale <= 1.0)
    assert _warned(*mlp) == (scale < 1.0)


def test_the_estimate_grows_with_the_graph() -> None:
    seconds, megabytes = 10**6 * cost.SECONDS_PER_NODE, 10**6 * cost.BYTES_PER_NODE / 1e6
    assert cost.estimate(10**6) == f"about {seconds:.0f} s and {megabytes:,.0f} MB of memory"
    gigabytes = 10**7 * cost.BYTES_PER_NODE / 1e9
    assert cost.estimate(10**7) == f"about {seconds / 6:.0f} min and {gigabytes:.1f} GB of memory"


def test_the_documented_memory_per_node_holds_both_ways() -> None:
    """A 60,001-node chain's check, traced: at most ``BYTES_PER_NODE`` a node (a check that kept a
    tuple per slot for each interval list, or the names of every slot, would not fit), and more than a
    tenth of it (the figure is not padded 10x). A small check first: what the first check of a process
    loads once (the ops' derivatives) is not a cost per node."""
    small, leaf = _chain(10)
    verify.check(small, inputs={"x": leaf})
    y, x = _chain(60_000)
    tracemalloc.start()
    try:
        verify.check(y, inputs={"x": x})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_node = peak / 60_001
    assert cost.BYTES_PER_NODE / 10 < per_node <= cost.BYTES_PER_NODE, per_node


def test_slot_names_are_the_programs_names() -> None:
    """The names a check reads one by one are ``Program.names()``, inputs named like steps included."""
    from verify.program import Program, Step

    for inputs in (["x"], ["v1", "v3", "x"], ["v0", "v01", "v2"], ["v2", "v1"], ["a", "v10"]):
        program = Program(tuple((n, 1.0) for n in inputs), tuple(Step("neg", (0,)) for _ in range(12)))
        names = program.slot_names()
        assert list(names) == program.names() and len(names) == program.size
        assert names[-1] == program.names()[-1] and names[2:5] == program.names()[2:5]
