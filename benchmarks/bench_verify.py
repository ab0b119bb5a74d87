"""Timings of the verifier: the seed expression, a deep shared DAG, and the MLP loss.

    PYTHONPATH=. python benchmarks/bench_verify.py [--repeat 3]

Times are wall-clock seconds of ``verify.check`` after SymPy and mpmath are
imported (the first check of a process also derives each op's partials once).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from cases import seed_expression

import verify
import verify.judge.verdict  # SymPy and the ball arithmetic load here, before any timing
from micrograd import Value
from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP


def seed() -> Value:
    return seed_expression(Value)  # type: ignore[no-any-return]


def nested_tanh(depth: int) -> Value:
    # z <- tanh(z * z + z): every level uses z twice, so the expression tree doubles per level.
    z = Value(0.3)
    for _ in range(depth):
        z = (z * z + z).tanh()
    z.backward()
    return z


def mlp_loss() -> tuple[Value, list[Value]]:
    X, y = make_moons(100, noise=0.1, seed=1337)
    model = MLP(2, [16, 16, 1], rng=random.Random(1337))
    loss, _ = max_margin_loss(model, X, y)
    loss.backward()
    return loss, list(model.parameters())


def timed(label: str, make: Callable[[], tuple[Value, list[Value] | None]], repeat: int) -> None:
    best = float("inf")
    for _ in range(repeat):
        out, inputs = make()
        start = time.perf_counter()
        report = verify.check(out, inputs=inputs)
        best = min(best, time.perf_counter() - start)
    print(f"{label:<48} {best:8.3f} s   {report.program.size:>7} nodes  "
          f"{len(report.inputs):>4} inputs  verdict {report.verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'case':<48} {'best':>10}")
    start = time.perf_counter()
    first = verify.check(seed())
    print(f"{'seed expression, first check of the process':<48} {time.perf_counter() - start:8.3f} s"
          f"   verdict {first.verdict}")
    timed("seed expression (micrograd README)", lambda: (seed(), None), args.repeat)
    timed("nested tanh, depth 20 (shared DAG)", lambda: (nested_tanh(20), None), args.repeat)
    timed("nested tanh, depth 2000", lambda: (nested_tanh(2000), None), args.repeat)
    timed("MLP(2,[16,16,1]) max-margin loss, 100 points", mlp_loss, args.repeat)


if __name__ == "__main__":
    main()
