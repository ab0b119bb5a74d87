"""Neuron, Layer and MLP: shapes, hand-computed forward/backward, init, training."""

from __future__ import annotations

import itertools
import random

import pytest

from micrograd import Value
from micrograd.moons import make_moons, max_margin_loss
from micrograd.nn import MLP, Layer, Module, Neuron


def set_weights(neuron: Neuron, w: list[float], b: float) -> None:
    for p, value in zip(neuron.w, w, strict=True):
        p.data = value
    neuron.b.data = b


def scalar(model: MLP, x: list[float]) -> Value:
    out = model(x)
    assert isinstance(out, Value)
    return out


def test_parameter_count_of_the_demo_model() -> None:
    # 16 * (2 + 1) + 16 * (16 + 1) + 1 * (16 + 1) = 48 + 272 + 17
    assert len(MLP(2, [16, 16, 1]).parameters()) == 337


def test_parameters_are_distinct_leaves() -> None:
    params = MLP(3, [4, 2]).parameters()
    assert len({id(p) for p in params}) == len(params) == 4 * 4 + 2 * 5
    assert all(p.op == "" for p in params)


def test_module_without_parameters() -> None:
    assert Module().parameters() == []
    Module().zero_grad()  # nothing to reset, and no error


def test_relu_neuron_forward_and_backward_by_hand() -> None:
    n = Neuron(2)
    set_weights(n, [2.0, -3.0], 1.0)
    assert n([1.0, 1.0]).data == 0.0  # relu(2 - 3 + 1)
    out = n([2.0, 1.0])  # relu(4 - 3 + 1) = 2
    assert out.data == 2.0
    out.backward()
    # d out / d w_i = x_i and d out / d b = 1 on the positive side of relu
    assert [p.grad for p in n.parameters()] == [2.0, 1.0, 1.0]


def test_linear_neuron_keeps_negative_values() -> None:
    n = Neuron(2, nonlin=False)
    set_weights(n, [2.0, -3.0], 0.5)
    assert n([1.0, 2.0]).data == -3.5


def test_neuron_accepts_values_as_inputs() -> None:
    n = Neuron(1, nonlin=False)
    set_weights(n, [3.0], 0.0)
    x = Value(2.0)
    out = n([x])
    out.backward()
    assert out.data == 6.0
    assert x.grad == 3.0


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1])
    out = model([1.0, -1.0])
    assert isinstance(out, Value)
    (out * out + 1.0).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_one_output_gives_a_value_several_give_a_list() -> None:
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 2
    assert all(isinstance(v, Value) for v in out)


def test_layer_always_returns_a_list() -> None:
    out = Layer(2, 1)([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 1


def test_width_one_hidden_layers_forward_and_backward_by_hand() -> None:
    model = MLP(2, [1, 1])
    hidden, last = model.layers[0].neurons[0], model.layers[1].neurons[0]
    set_weights(hidden, [1.0, 1.0], 0.0)
    set_weights(last, [3.0], 0.5)
    out = model([1.0, 2.0])  # h = relu(1 + 2) = 3; out = 3 * h + 0.5
    assert isinstance(out, Value)
    assert out.data == 9.5
    out.backward()
    # d out/d w_last = h = 3, d out/d b_last = 1,
    # d out/d w_hidden_i = w_last * x_i = 3 * x_i, d out/d b_hidden = 3
    assert [p.grad for p in hidden.parameters()] == [3.0, 6.0, 3.0]
    assert [p.grad for p in last.parameters()] == [3.0, 1.0]


def test_width_one_stack_trains() -> None:
    model = MLP(1, [1, 1, 1], rng=random.Random(3))
    for n in (model.layers[0].neurons[0], model.layers[1].neurons[0]):
        set_weights(n, [0.5], 0.1)  # keep the hidden relus active
    xs, targets = [0.5, 1.0, 2.0], [1.0, 2.0, 4.0]
    losses = []
    for _ in range(5):
        loss = sum(((scalar(model, [x]) - t) ** 2 for x, t in zip(xs, targets, strict=True)), Value(0.0))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        losses.append(loss.data)
    assert all(b < a for a, b in itertools.pairwise(losses))


def test_repr_like_micrograd() -> None:
    assert repr(MLP(2, [2, 1])) == (
        "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"
    )


def test_initialisation_is_reproducible() -> None:
    def weights(model: MLP) -> list[float]:
        return [p.data for p in model.parameters()]

    assert weights(MLP(2, [4, 1])) == weights(MLP(2, [4, 1]))
    same = weights(MLP(2, [4, 1], rng=random.Random(7)))
    assert same == weights(MLP(2, [4, 1], rng=random.Random(7)))
    assert same != weights(MLP(2, [4, 1], rng=random.Random(8)))


def test_weights_uniform_in_unit_interval_and_biases_zero() -> None:
    model = MLP(3, [8, 8, 1], rng=random.Random(1))
    for layer in model.layers:
        for n in layer.neurons:
            assert all(-1.0 <= w.data <= 1.0 for w in n.w)
            assert n.b.data == 0.0
    # the neurons of one model draw from one stream: no two are equal
    rows = [tuple(w.data for w in n.w) for n in model.layers[1].neurons]
    assert len(set(rows)) == len(rows)


def test_one_sgd_step_by_hand() -> None:
    n = Neuron(1, nonlin=False)
    set_weights(n, [0.5], 0.0)
    loss = (n([2.0]) - 3.0) ** 2  # out = 1, loss = 4
    loss.backward()
    # d loss/d w = 2 (out - 3) x = -8, d loss/d b = 2 (out - 3) = -4
    assert (n.w[0].grad, n.b.grad) == (-8.0, -4.0)
    for p in n.parameters():
        p.data -= 0.1 * p.grad
    assert n.w[0].data == pytest.approx(1.3)
    assert n.b.data == pytest.approx(0.4)
    assert n([2.0]).data == pytest.approx(3.0)  # this step lands on the target


def test_max_margin_training_decreases_the_loss() -> None:
    X, y = make_moons(20, seed=5)
    model = MLP(2, [8, 1], rng=random.Random(5))
    first, _ = max_margin_loss(model, X, y)
    for _ in range(5):
        loss, _ = max_margin_loss(model, X, y)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    last, _ = max_margin_loss(model, X, y)
    assert last.data < first.data


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Neuron(0), "nin must be a positive int"),
        (lambda: Layer(2, 0), "nout must be a positive int"),
        (lambda: MLP(2, []), "nouts must be a non-empty list"),
        (lambda: MLP(2, [3, 0]), "nout must be a positive int"),
        (lambda: MLP(2.0, [1]), "nin must be a positive int"),  # type: ignore[arg-type]
    ],
)
def test_bad_sizes_are_refused(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_wrong_number_of_inputs_is_refused() -> None:
    with pytest.raises(ValueError, match=r"takes 2 inputs, got 3"):
        MLP(2, [1])([1.0, 2.0, 3.0])
