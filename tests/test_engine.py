"""The engine against hand-derived values and derivatives (never against itself)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import pytest

from micrograd import OPS, Constant, DomainError, MathError, NonFiniteError, Value, engine
from micrograd.nn import MLP


def test_seed_example_prints_micrograd_numbers(seed_example: tuple[dict[str, Any], str]) -> None:
    names, printed = seed_example
    assert printed.split() == ["24.7041", "138.8338", "645.5773"]
    g, a, b = names["g"], names["a"], names["b"]
    assert isinstance(g, Value) and g.op == "add"
    assert (a.op, b.op) == ("", "")
    # By hand: g = f/2 + 10/f with f = 49, so g = 49/2 + 10/49.
    assert g.data == pytest.approx(49 / 2 + 10 / 49, rel=1e-15)


# (expression, x, value, derivative): each derivative written out by hand.
UNARY = [
    (lambda x: -x, 1.5, -1.5, -1.0),
    (lambda x: x.exp(), 0.7, math.exp(0.7), math.exp(0.7)),
    (lambda x: x.log(), 2.5, math.log(2.5), 1 / 2.5),
    (lambda x: x.tanh(), 0.5, math.tanh(0.5), 1 / math.cosh(0.5) ** 2),
    (lambda x: x.sigmoid(), -1.2, 1 / (1 + math.exp(1.2)), math.exp(1.2) / (1 + math.exp(1.2)) ** 2),
    (lambda x: x.relu(), 3.0, 3.0, 1.0),
    (lambda x: x.relu(), -3.0, 0.0, 0.0),
    (lambda x: x.relu(), 0.0, 0.0, 0.0),  # convention relu'(0) = 0
    (lambda x: abs(x), -2.0, 2.0, -1.0),
    (lambda x: abs(x), 2.0, 2.0, 1.0),
    (lambda x: abs(x), 0.0, 0.0, 0.0),  # convention abs'(0) = 0
    (lambda x: x.sqrt(), 9.0, 3.0, 1 / 6),
    (lambda x: x.sin(), 0.3, math.sin(0.3), math.cos(0.3)),
    (lambda x: x.cos(), 0.3, math.cos(0.3), -math.sin(0.3)),
    (lambda x: x**3, -2.0, -8.0, 12.0),
    (lambda x: x**-2, 2.0, 0.25, -0.25),
    (lambda x: x**0.5, 4.0, 2.0, 0.25),
    (lambda x: x**0, 5.0, 1.0, 0.0),
    (lambda x: 2**x, 3.0, 8.0, 8.0 * math.log(2)),
    (lambda x: 3 + x, 1.0, 4.0, 1.0),
    (lambda x: 3 - x, 1.0, 2.0, -1.0),
    (lambda x: x - 3, 1.0, -2.0, 1.0),
    (lambda x: 3 * x, 2.0, 6.0, 3.0),
    (lambda x: x * 3, 2.0, 6.0, 3.0),
    (lambda x: 3 / x, 2.0, 1.5, -0.75),
    (lambda x: x / 4, 2.0, 0.5, 0.25),
    (lambda x: x + x, 2.0, 4.0, 2.0),
    (lambda x: x * x, -3.0, 9.0, -6.0),
    (lambda x: x / x, 7.0, 1.0, 0.0),
    (lambda x: x - x, 7.0, 0.0, 0.0),
]


@pytest.mark.parametrize(("build", "x", "value", "derivative"), UNARY)
def test_unary_value_and_derivative(build, x: float, value: float, derivative: float) -> None:  # type: ignore[no-untyped-def]
    v = Value(x)
    out = build(v)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-15, abs=1e-300)
    assert v.grad == pytest.approx(derivative, rel=1e-14, abs=1e-300)


# (expression, x, y, value, d/dx, d/dy)
BINARY = [
    (lambda x, y: x + y, 1.5, -2.0, -0.5, 1.0, 1.0),
    (lambda x, y: x - y, 1.5, -2.0, 3.5, 1.0, -1.0),
    (lambda x, y: x * y, 1.5, -2.0, -3.0, -2.0, 1.5),
    (lambda x, y: x / y, 3.0, -2.0, -1.5, -0.5, -0.75),
    (lambda x, y: x**y, 2.0, 3.0, 8.0, 12.0, 8.0 * math.log(2.0)),
    (lambda x, y: (x * y).tanh(), 0.5, 0.4, math.tanh(0.2),
     0.4 / math.cosh(0.2) ** 2, 0.5 / math.cosh(0.2) ** 2),
]


@pytest.mark.parametrize(("build", "x", "y", "value", "dx", "dy"), BINARY)
def test_binary_value_and_partials(build, x: float, y: float, value: float, dx: float, dy: float) -> None:  # type: ignore[no-untyped-def]
    vx, vy = Value(x), Value(y)
    out = build(vx, vy)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-15)
    assert vx.grad == pytest.approx(dx, rel=1e-14)
    assert vy.grad == pytest.approx(dy, rel=1e-14)


def test_reused_inner_node_accumulates() -> None:
    # b = a + a; c = b * b  ->  c = 4a^2, dc/da = 8a
    a = Value(3.0)
    b = a + a
    c = b * b
    c.backward()
    assert c.data == 36.0
    assert a.grad == 24.0
    assert b.grad == 12.0


def test_diamond_graph() -> None:
    # y = (x*2) * (x+1): dy/dx = 2(x+1) + 2x = 4x + 2
    x = Value(1.5)
    y = (x * 2) * (x + 1)
    y.backward()
    assert x.grad == 8.0


def test_backward_twice_doubles_every_gradient() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b
    d = c * c + a  # d = a^2 b^2 + a
    d.backward()
    first = (a.grad, b.grad, c.grad)
    assert first == (2 * 2.0 * 9.0 + 1, 2 * 4.0 * -3.0, 2 * -6.0)
    d.backward()
    assert (a.grad, b.grad, c.grad) == tuple(2 * g for g in first)
    assert d.grad == 2.0


def test_backward_on_a_leaf() -> None:
    x = Value(5.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_unused_input_gets_zero() -> None:
    x, unused = Value(2.0), Value(3.0)
    (x * x).backward()
    assert unused.grad == 0.0
    assert x.grad == 4.0


def test_graph_access() -> None:
    x = Value(2.0)
    y = x**3
    z = x + x
    w = 1.5 - x
    assert (x.op, y.op, z.op, w.op) == ("", "powi", "add", "sub")
    base, exponent = y.parents
    assert base is x
    assert isinstance(exponent, Constant)
    assert (exponent.op, exponent.data) == ("const", 3.0)
    assert z.parents == (x, x)
    assert w.parents[0].data == 1.5 and w.parents[1] is x
    assert (x**0.5).op == "powc"
    assert (x ** Value(2.0)).op == "pow"
    assert (2 ** x).op == "pow"
    assert y.rule is not None and y.rule.name == "powi"
    assert x.rule is None


def test_int_inputs_become_floats() -> None:
    x = Value(3)
    assert isinstance(x.data, float)
    assert isinstance((x * 2).data, float)


def test_repr() -> None:
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0) * 3) == "Value(data=6.0, grad=0.0, op='mul')"


@pytest.mark.parametrize("bad", ["x", None, [1.0], 1j])
def test_non_numbers_are_type_errors(bad: object) -> None:
    with pytest.raises(TypeError, match="real number"):
        Value(bad)  # type: ignore[arg-type]


def test_number_ops_with_strings_are_type_errors() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + "x"  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_inputs_are_refused(bad: float) -> None:
    with pytest.raises(NonFiniteError, match="not a finite number"):
        Value(bad)
    with pytest.raises(NonFiniteError):
        Value(1.0) * bad


@pytest.mark.parametrize(
    ("build", "error", "op", "operands"),
    [
        (lambda: Value(0.0).log(), DomainError, "log", (0.0,)),
        (lambda: Value(-1.0).log(), DomainError, "log", (-1.0,)),
        (lambda: Value(0.0) ** -1, DomainError, "powi", (0.0, -1.0)),
        (lambda: Value(-8.0) ** 0.5, DomainError, "powc", (-8.0, 0.5)),
        (lambda: Value(-8.0) ** Value(2.0), DomainError, "pow", (-8.0, 2.0)),
        (lambda: Value(1000.0).exp(), NonFiniteError, "exp", (1000.0,)),
        (lambda: Value(1.0) / 0, DomainError, "div", (1.0, 0.0)),
        (lambda: Value(-1.0).sqrt(), DomainError, "sqrt", (-1.0,)),
        (lambda: Value(1e308) * 10, NonFiniteError, "mul", (1e308, 10.0)),
        (lambda: Value(10.0) ** 400, NonFiniteError, "powi", (10.0, 400.0)),
    ],
)
def test_domain_and_overflow_errors_name_op_and_operands(build, error, op: str, operands) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        build()
    assert isinstance(caught.value, MathError)
    assert isinstance(caught.value, ArithmeticError)
    assert caught.value.op == op
    assert caught.value.operands == operands
    assert op in str(caught.value)


def test_infinite_derivative_raises_and_leaves_grads_untouched() -> None:
    x = Value(0.0)
    y = Value(2.0)
    x.grad = 5.0  # left over from an earlier call
    z = (x * y).sqrt() + y  # sqrt'(0) is infinite
    with pytest.raises(NonFiniteError) as caught:
        z.backward()
    assert caught.value.op == "sqrt"
    assert (x.grad, y.grad, z.grad) == (5.0, 0.0, 0.0)


def test_gradient_overflow_raises() -> None:
    x = Value(1e-200)
    y = (x * 1e200) * 1e200  # forward fits (1e200), the gradient (1e400) does not
    with pytest.raises(NonFiniteError, match="overflowed"):
        y.backward()
    assert x.grad == 0.0


# Backward first trusts the forward ops' count of each node's uses; these
# graphs have uses outside the differentiated graph, so it must count again.
def test_a_branch_outside_the_graph_gets_nothing() -> None:
    x = Value(3.0)
    h = x * x
    a = h + 1.0
    b = h * 2.0  # a second use of h, not on the way to a
    a.backward()
    assert (x.grad, h.grad, a.grad, b.grad) == (6.0, 1.0, 1.0, 0.0)
    b.backward()  # d(2x^2)/dx = 4x = 12
    assert (x.grad, h.grad, b.grad) == (6.0 + 12.0, 1.0 + 2.0, 1.0)


def test_a_dropped_use_does_not_block_backward() -> None:
    x = Value(0.5)
    h = x.exp()
    h * 5.0  # built and dropped at once
    y = h * h  # e^(2x): dy/dx = 2 e^(2x)
    y.backward()
    assert x.grad == pytest.approx(2 * math.exp(1.0), rel=1e-15)
    y.backward()
    assert x.grad == pytest.approx(4 * math.exp(1.0), rel=1e-15)


def test_backward_from_an_inner_node_then_from_the_output() -> None:
    x = Value(2.0)
    h = x * 3.0
    y = h * h  # 9x^2: dy/dx = 18x = 36
    h.backward()
    assert (x.grad, h.grad) == (3.0, 1.0)
    y.backward()
    assert (x.grad, h.grad, y.grad) == (3.0 + 36.0, 1.0 + 12.0, 1.0)


def test_a_leaf_used_by_many_graphs() -> None:
    w = Value(2.0)
    for i in range(1, 4):
        (w * float(i)).backward()
    assert w.grad == 1.0 + 2.0 + 3.0


def test_a_copied_node_is_one_more_use() -> None:
    x = Value(2.0)
    h = x * 3.0
    y = h + copy.copy(h)  # 6x
    y.backward()
    assert x.grad == 6.0
    assert copy.copy(x).data == 2.0 and copy.copy(x).op == ""


def test_overflow_with_uses_outside_the_graph_leaves_grads_untouched() -> None:
    x = Value(1e-200)
    x + 1.0  # a use outside the graph below
    y = (x * 1e200) * 1e200
    with pytest.raises(NonFiniteError, match="overflowed"):
        y.backward()
    assert (x.grad, y.grad) == (0.0, 0.0)


def test_counting_again_only_when_a_use_lies_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    stuck: list[list[str]] = []
    recount = engine._recount

    def recorded(waiting: dict[Value, int], *rest: Any) -> list[Value]:
        stuck.append(sorted(node.op for node in waiting if node.op))
        return recount(waiting, *rest)

    monkeypatch.setattr(engine, "_recount", recorded)
    x = Value(2.0)
    model = MLP(2, [3, 1])
    for _ in range(2):  # parameters (leaves) are used again by every step
        loss = (model([x, x * x]) - 1.0) ** 2  # type: ignore[operator]
        model.zero_grad()
        loss.backward()
    assert stuck == []
    h = x * 3.0
    h + 1.0  # a use of h outside the graph below
    y = h * h
    x.grad = 0.0
    y.backward()
    assert stuck == [["mul"]]  # h
    assert x.grad == 36.0  # d(9x^2)/dx = 18x


class _Interrupted(BaseException):
    pass


def test_an_interrupted_backward_leaves_grads_untouched(plant_rule: Callable[..., None]) -> None:
    x = Value(0.5)
    x.grad = 7.0  # left over from an earlier call
    y = x.tanh() * x
    tanh_rule = OPS["tanh"].grad

    def interrupt(out: float, x: float) -> float:
        raise _Interrupted

    plant_rule("tanh", interrupt)
    with pytest.raises(_Interrupted):
        y.backward()
    assert (x.grad, y.grad) == (7.0, 0.0)
    plant_rule("tanh", tanh_rule)
    y.backward()  # d(x tanh x)/dx = tanh x + x (1 - tanh^2 x)
    assert x.grad == pytest.approx(7.0 + math.tanh(0.5) + 0.5 * (1 - math.tanh(0.5) ** 2), rel=1e-15)


def test_million_op_chain_forward_and_backward() -> None:
    x = Value(0.3)
    y = x
    for _ in range(1_000_000):
        y = -y
    y.backward()
    assert y.data == 0.3
    assert x.grad == 1.0


def test_deep_chain_with_constants_and_sharing() -> None:
    # y_{k+1} = y_k + y_k: dy/dx = 2^n for n steps
    x = Value(1.0)
    y = x
    for _ in range(1000):
        y = y + y
        y = y * 1.0
    y.backward()
    assert y.data == 2.0**1000
    assert x.grad == 2.0**1000
