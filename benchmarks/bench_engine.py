"""Engine speed and memory, side by side with karpathy's micrograd 0.1.0.

    PYTHONPATH=. python benchmarks/bench_engine.py [--repeat 5] [--ours-only]

micrograd 0.1.0 is downloaded with pip into a temporary folder at run time
and imported beside ours (see karpathy.py); offline, ours runs alone. Each
case runs forward + backward (and the SGD update for the MLP step) several
times; the best CPU time is reported, the median in brackets. Targets: >= 15x
micrograd on the MLP step, >= 4x on chains, <= 150 bytes per graph node,
a 1,000,000-op chain works.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import karpathy
from cases import seed_expression

from micrograd import Value
from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP

Timing = tuple[float, float]  # best, median seconds


def chain(V: Any, n_ops: int) -> Any:
    """y = y * 0.999 + 0.001 repeated: ``n_ops`` ops in one line, then backward."""
    x = V(0.5)
    y = x
    for _ in range(n_ops // 2):
        y = y * 0.999 + 0.001
    y.backward()
    return x


def training_step(model: Any, X: list[list[float]], y: list[int], learning_rate: float = 0.5) -> float:
    """One full-batch step of micrograd's demo: forward, backward, SGD update."""
    loss, _ = max_margin_loss(model, X, y)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return float(loss.data)


class Logged:
    """``model``, with every score also used outside the loss (as if logged).

    Those uses make backward count the consumers again below the scores.
    """

    def __init__(self, model: Any) -> None:
        self.model = model
        self.logged: list[Any] = []

    def __call__(self, x: Any) -> Any:
        score = self.model(x)
        self.logged.append(score * 1.0)
        return score

    def parameters(self) -> Any:
        return self.model.parameters()

    def zero_grad(self) -> None:
        self.model.zero_grad()


def inner_ops(root: Value) -> int:
    """Ops in our graph of ``root`` (leaves and number operands not counted)."""
    seen = {id(root)}
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += node.op not in ("", "const")
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return count


def timed(fn: Callable[[], object], repeat: int) -> Timing:
    # CPU time of this process: other programs on a busy machine barely move it.
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times)


def show(name: str, ours: Timing, theirs: Timing | None, unit: str, scale: float) -> None:
    def cell(t: Timing) -> str:
        return f"{t[0] * scale:10.1f} ({t[1] * scale:.1f})"

    ratio = f"{theirs[0] / ours[0]:7.1f}x" if theirs else "      -"
    other = cell(theirs) if theirs else f"{'-':>10}"
    print(f"{name:<34} {cell(ours):>20} {other:>20} {ratio}   {unit}")


def bytes_per_node(n_ops: int) -> None:
    """tracemalloc on a chain y = y * 0.999 + 0.001: forward only, then after backward."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    x = Value(0.5)
    y = x
    for _ in range(n_ops // 2):
        y = y * 0.999 + 0.001
    forward = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.reset_peak()
    y.backward()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    nodes = inner_ops(y) + 1  # every op and the leaf; number operands live inside their op's node
    print(f"memory, {n_ops:,}-op chain ({nodes:,} nodes: the ops and a leaf):")
    for name, size in (("forward only", forward), ("after backward", after - before),
                       ("peak in backward", peak - before)):
        print(f"  {name:<17} {size / nodes:6.1f} bytes/node  ({size / n_ops:6.1f} bytes/op)")
    del x, y


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case (default 5)")
    parser.add_argument("--ours-only", action="store_true", help="do not fetch micrograd 0.1.0")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    theirs: karpathy.Karpathy | None = None
    if not args.ours_only:
        try:
            theirs = karpathy.load()
            print(f"micrograd {karpathy.VERSION} loaded from {theirs.wheel}")
        except (RuntimeError, OSError, subprocess.SubprocessError) as error:
            print(f"micrograd {karpathy.VERSION} unavailable, running ours alone: {error}")
    print(f"Python {sys.version.split()[0]}; best of {args.repeat} (median)\n")
    print(f"{'case':<34} {'ours':>20} {'micrograd 0.1.0':>20} {'ratio':>8}")

    seed_ops = inner_ops(seed_expression(Value))
    loops = 1000
    ours = timed(lambda: [seed_expression(Value) for _ in range(loops)], args.repeat)
    other = None
    if theirs:
        other = timed(lambda: [seed_expression(theirs.Value) for _ in range(loops)], args.repeat)
    show(f"seed expression ({seed_ops} ops), x{loops}", ours, other, "ns/op", 1e9 / (loops * seed_ops))

    ours = timed(lambda: chain(Value, 600), args.repeat * 20)
    other = timed(lambda: chain(theirs.Value, 600), args.repeat * 20) if theirs else None
    show("chain of 600 ops", ours, other, "ns/op", 1e9 / 600)

    ours = timed(lambda: chain(Value, 1_000_000), max(1, args.repeat // 2))
    show("chain of 1,000,000 ops (ours only)", ours, None, "ns/op", 1e9 / 1_000_000)

    X, y = make_moons(100)
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    other = None
    if theirs:
        their_model = theirs.MLP(2, [16, 16, 1])
        for p, q in zip(their_model.parameters(), model.parameters(), strict=True):
            p.data = q.data  # the same initial weights for both
        first = (max_margin_loss(model, X, y)[0].data, max_margin_loss(their_model, X, y)[0].data)
        if abs(first[0] - first[1]) > 1e-9 * abs(first[0]):
            print(f"warning: the two engines disagree on the initial loss: {first}")
        other = timed(lambda: training_step(their_model, X, y), args.repeat)
    ours = timed(lambda: training_step(model, X, y), args.repeat)
    show("MLP(2,[16,16,1]) step, 100 points", ours, other, "ms/step", 1e3)

    other = timed(lambda: training_step(Logged(their_model), X, y), args.repeat) if theirs else None
    ours = timed(lambda: training_step(Logged(model), X, y), args.repeat)
    show("  same, scores also used elsewhere", ours, other, "ms/step", 1e3)

    gc.disable()
    ours = timed(lambda: training_step(model, X, y), args.repeat)
    gc.enable()
    show("  same, garbage collector off", ours, None, "ms/step", 1e3)

    print()
    bytes_per_node(100_000)
    return 0


if __name__ == "__main__":
    sys.exit(main())
