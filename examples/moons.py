"""Train MLP(2, [16, 16, 1]) on two moons, micrograd's demo, and draw its decision boundary.

    python examples/moons.py [--steps 100] [--seed 1337] [--out moons.png] [--quiet]

The recipe is the one of micrograd's demo notebook: max-margin (hinge) loss
plus 1e-4 * L2, full-batch SGD with the learning rate falling from 1.0 to 0.1.
The picture needs matplotlib (``pip install 'micrograd-verified[plot]'``);
without it the script says so and skips the picture.

Exit status: 0 when training reaches 100% accuracy, 1 when it does not,
2 for bad arguments.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP

GOAL = 1.0  # training accuracy the demo must reach


def train(X: Sequence[Sequence[float]], y: Sequence[int], *, steps: int, seed: int, quiet: bool) -> MLP:
    """Full-batch SGD from a model initialised with ``seed``; prints progress unless ``quiet``."""
    model = MLP(2, [16, 16, 1], rng=random.Random(seed))
    for k in range(steps):
        start = time.perf_counter()
        loss, accuracy = max_margin_loss(model, X, y)
        model.zero_grad()
        loss.backward()
        learning_rate = 1.0 - 0.9 * k / steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        if not quiet and (k % 10 == 0 or k == steps - 1):
            ms = (time.perf_counter() - start) * 1e3
            print(f"step {k:3d}  loss {loss.data:.6f}  accuracy {accuracy:4.0%}  ({ms:.0f} ms/step)")
    return model


def plot(model: MLP, X: Sequence[Sequence[float]], y: Sequence[int], path: str) -> bool:
    """Write the decision boundary and the points to ``path``; False without matplotlib."""
    try:
        import matplotlib  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return False
    matplotlib.use("Agg")  # files only, no display needed
    import matplotlib.pyplot as plt  # type: ignore[import-not-found, unused-ignore]

    xs = _grid([p[0] for p in X])
    ys = _grid([p[1] for p in X])
    # Scores clipped to [-1, 1]: contourf then interpolates a smooth boundary at 0.
    scores = [[max(-1.0, min(1.0, _score(model, [gx, gy]))) for gx in xs] for gy in ys]

    fig, ax = plt.subplots(figsize=(6, 5))
    ax.contourf(xs, ys, scores, levels=[-1.5, 0, 1.5], colors=["#9ecae1", "#fdae6b"], alpha=0.8)
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=["#08519c" if t < 0 else "#a63603" for t in y],
               s=25, edgecolors="k", linewidths=0.5)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_title("MLP(2, [16, 16, 1]) on two moons: decision boundary")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return True


def _grid(values: Sequence[float], margin: float = 0.5, step: float = 0.05) -> list[float]:
    lo, hi = min(values) - margin, max(values) + margin
    return [lo + step * i for i in range(int((hi - lo) / step) + 1)]


def _score(model: MLP, x: Sequence[float]) -> float:
    out = model(x)
    assert not isinstance(out, list)  # MLP(2, [16, 16, 1]) has one output
    return out.data


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=_positive_int, default=100, help="SGD steps (default 100)")
    parser.add_argument("--seed", type=int, default=1337,
                        help="seed of the data and the weights (default 1337)")
    parser.add_argument("--out", default="moons.png", metavar="PATH",
                        help="decision-boundary picture, .png, .svg or .pdf (default moons.png);"
                             " needs matplotlib")
    parser.add_argument("--quiet", action="store_true", help="print only the result")
    args = parser.parse_args(argv)
    problem = _unwritable(args.out)
    if problem is not None:  # seen before the training, not after it
        parser.error(f"--out {args.out}: {problem}")

    X, y = make_moons(100, noise=0.1, seed=args.seed)
    model = train(X, y, steps=args.steps, seed=args.seed, quiet=args.quiet)
    final_loss, accuracy = max_margin_loss(model, X, y)  # the trained model, after its last update
    loss = final_loss.data
    print(f"after {args.steps} steps: loss {loss:.6f}, training accuracy {accuracy:.0%}")
    try:
        drawn = plot(model, X, y, args.out)
    except OSError as error:
        print(f"error: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    if drawn:
        print(f"decision boundary written to {args.out}")
    else:
        print("matplotlib is not installed: no picture (pip install 'micrograd-verified[plot]')")
    if accuracy < GOAL:
        print(f"error: training accuracy {accuracy:.0%} is below the goal of {GOAL:.0%}", file=sys.stderr)
        return 1
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return value


FORMATS = (".png", ".svg", ".pdf")  # what matplotlib writes without further packages


def _unwritable(path: str) -> str | None:
    """Why the picture could not be written to ``path``, or None: checked before minutes of training."""
    target = Path(path)
    if target.is_dir():
        return "is a directory"
    if target.suffix.lower() not in FORMATS:
        return "give a path ending in .png, .svg or .pdf (the formats the picture is written in)"
    folder = target.parent
    if not folder.is_dir():
        return f"there is no folder {str(folder)!r}"
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        return "permission denied"
    return None


if __name__ == "__main__":
    sys.exit(main())
