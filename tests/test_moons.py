"""The two-moons data, the max-margin loss, and the demo script's command line."""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from micrograd import Value
from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP, Neuron

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "moons.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("moons_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shape_and_labels() -> None:
    X, y = make_moons(100)
    assert len(X) == len(y) == 100
    assert all(len(point) == 2 and all(isinstance(c, float) for c in point) for point in X)
    assert sorted(set(y)) == [-1, 1]
    assert y.count(-1) == y.count(1) == 50


def test_odd_count_gives_the_extra_point_to_the_lower_moon() -> None:
    _, y = make_moons(7)
    assert (y.count(-1), y.count(1)) == (3, 4)


def test_without_noise_points_lie_on_the_two_half_circles() -> None:
    X, y = make_moons(40, noise=0.0)
    for (px, py), label in zip(X, y, strict=True):
        if label == -1:  # upper moon: unit circle around (0, 0), upper half
            assert math.hypot(px, py) == pytest.approx(1.0)
            assert py >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), lower half
            assert math.hypot(px - 1.0, py - 0.5) == pytest.approx(1.0)
            assert py <= 0.5 + 1e-12
    # the half circles' ends are included: (1, 0), (-1, 0) and (0, 0.5), (2, 0.5)
    ends = {(round(px, 9), round(py, 9)) for px, py in X}
    assert {(1.0, 0.0), (-1.0, 0.0), (0.0, 0.5), (2.0, 0.5)} <= ends


def test_seeded_reproducibility() -> None:
    assert make_moons(50, seed=3) == make_moons(50, seed=3)
    assert make_moons(50, seed=3) != make_moons(50, seed=4)


@pytest.mark.parametrize(("n", "noise"), [(1, 0.1), (10, -0.1), (10, math.nan), (2.5, 0.1)])
def test_bad_arguments_are_refused(n: object, noise: object) -> None:
    with pytest.raises(ValueError, match="must be"):
        make_moons(n, noise=noise)  # type: ignore[arg-type]


def linear_model(w: float, b: float) -> MLP:
    model = MLP(1, [1])
    neuron: Neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.b.data = w, b
    return model


def test_loss_and_accuracy_by_hand() -> None:
    model = linear_model(0.5, 0.0)  # scores: 0.5 at x = 1, -0.5 at x = -1
    loss, accuracy = max_margin_loss(model, [[1.0], [-1.0]], [1, -1])
    # hinge: relu(1 - 0.5) = 0.5 twice, mean 0.5; L2: 1e-4 * (0.5^2 + 0^2)
    assert loss.data == pytest.approx(0.5 + 1e-4 * 0.25)
    assert accuracy == 1.0

    loss, accuracy = max_margin_loss(model, [[1.0], [-1.0]], [-1, -1], alpha=0.0)
    # relu(1 + 0.5) = 1.5 and relu(1 - 0.5) = 0.5: mean 1.0; one sign right of two
    assert loss.data == pytest.approx(1.0)
    assert accuracy == 0.5


def test_loss_gradient_by_hand() -> None:
    model = linear_model(0.5, 0.0)
    loss, _ = max_margin_loss(model, [[1.0], [-1.0]], [1, -1], alpha=0.1)
    loss.backward()
    w, b = model.parameters()
    # data loss = mean(relu(1 - (w + b)), relu(1 - (w - b))), both active:
    # d/dw = (-1 - 1) / 2 = -1, d/db = (-1 + 1) / 2 = 0; L2 adds 2 * alpha * p
    assert w.grad == pytest.approx(-1.0 + 2 * 0.1 * 0.5)
    assert b.grad == pytest.approx(0.0)


def test_loss_refuses_a_model_with_several_outputs() -> None:
    with pytest.raises(TypeError, match="one output"):
        max_margin_loss(MLP(2, [2]), [[1.0, 2.0]], [1])


def test_loss_refuses_mismatched_data() -> None:
    with pytest.raises(ValueError, match="equal length"):
        max_margin_loss(MLP(2, [1]), [[1.0, 2.0]], [1, -1])


def test_loss_is_a_value() -> None:
    loss, _ = max_margin_loss(MLP(2, [4, 1]), *make_moons(10))
    assert isinstance(loss, Value)


def test_example_runs_a_few_steps_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    out = tmp_path / "boundary.png"
    status = load_example().main(["--steps", "2", "--quiet", "--out", str(out)])
    captured = capsys.readouterr()
    assert "after 2 steps" in captured.out
    assert "step " not in captured.out  # no progress lines with --quiet
    assert "matplotlib is not installed" in captured.out
    assert not out.exists()
    # two steps cannot fit the moons: the goal is missed, and said so
    assert status == 1
    assert "below the goal of 100%" in captured.err


def test_example_shows_progress(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    load_example().main(["--steps", "1", "--out", "unused.png"])
    assert "step   0  loss" in capsys.readouterr().out


def test_example_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "boundary.png"
    load_example().main(["--steps", "1", "--quiet", "--out", str(out)])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv", [["--steps", "0"], ["--steps", "x"], ["--bogus"]])
def test_example_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        load_example().main(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize(("out", "says"), [
    ("nodir/x.png", "there is no folder 'nodir'"),
    ("m.txt", "give a path ending in .png, .svg or .pdf (the formats the picture is written in)"),
    (".", "is a directory"),
])
def test_a_bad_output_path_is_exit_2_before_any_training(out: str, says: str, tmp_path: Path) -> None:
    # A million steps would take hours: the refusal has to come first.
    done = subprocess.run([sys.executable, str(EXAMPLE), "--steps", "1000000", "--out", out], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == f"moons.py: error: --out {out}: {says}"


def test_steps_that_are_no_number_are_named_plainly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load_example().main(["--steps", "x"])
    assert "argument --steps: must be a positive integer, got 'x'" in capsys.readouterr().err
