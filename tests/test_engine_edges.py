"""A new user's edge cases of the engine and of ``verify.check``: each ends in a clear error of the project's.

``Constant`` prints as itself; an int beyond float64 is a ``NonFiniteError``
like any non-finite leaf; a gradient set to such an int is judged as the
infinity it is; a graph made cyclic by changing a node's internals is a
``CyclicGraphError`` in ``backward()`` and in ``verify.check``; ``powi``
takes integer exponents only.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

import verify
from micrograd import Constant, CyclicGraphError, NonFiniteError, Value
from verify.program import Const, Program, Step


def test_a_constant_prints_as_a_constant() -> None:
    x, k = (Value(2.0) ** 3).parents
    assert isinstance(k, Constant)
    assert (repr(x), repr(k)) == ("Value(data=2.0, grad=0.0)", "Constant(3.0)")


@pytest.mark.parametrize(("number", "shown"), [(10**400, "inf"), (-(10**400), "-inf"),
                                               (Fraction(10**400, 3), "inf")])
def test_a_number_beyond_float64_is_a_non_finite_leaf(number: object, shown: str) -> None:
    with pytest.raises(NonFiniteError, match=rf"^Value\({shown}\): not a finite number$"):
        Value(number)  # type: ignore[arg-type]
    with pytest.raises(OverflowError):  # NonFiniteError is one, as Python's own was
        Value(number)  # type: ignore[arg-type]


def test_a_constant_beyond_float64_is_named() -> None:
    with pytest.raises(NonFiniteError, match=r"^Constant\(inf\)"):
        Value(2.0) + 10**400


def test_a_gradient_set_beyond_float64_is_judged_as_infinite() -> None:
    x = Value(2.0)
    y = x * x
    y.backward()
    x.grad = 10**400  # type: ignore[assignment]
    report = verify.check(y, inputs={"x": x})
    assert report.verdict == "fail"
    assert report.inputs[0].autograd == float("inf")
    assert "the engine's gradient is inf" in report.render()


def _cyclic() -> tuple[Value, Value, Value]:
    x = Value(2.0)
    y = x * 3
    z = y + 1
    y._x = z  # what no op does: y's operand is now its own consumer
    return x, y, z


def test_backward_on_a_cycle_is_a_clear_error() -> None:
    x, _, z = _cyclic()
    x.grad = 5.0
    with pytest.raises(CyclicGraphError, match="the graph has a cycle through") as caught:
        z.backward()
    assert caught.value.node is z
    assert x.grad == 5.0  # off the cycle: untouched
    assert issubclass(CyclicGraphError, ValueError)


def test_a_cycle_below_a_sound_part_of_the_graph() -> None:
    a = Value(1.0)
    b = a * 2
    c = b * 3
    d = c + b
    b._x = c  # the loop b -> c -> b, under d
    with pytest.raises(CyclicGraphError) as caught:
        d.backward()
    assert caught.value.node in (b, c)


def test_verify_check_names_the_cycle() -> None:
    x = Value(2.0)
    y = x * 3
    z = y + 1
    z.backward()
    y._x = z
    with pytest.raises(CyclicGraphError) as caught:
        verify.check(z)
    assert caught.value.node is z


def test_powi_takes_integer_exponents_only() -> None:
    assert Program((("x", 2.0),), (Step("powi", (0, Const(3.0))),)).size == 2
    with pytest.raises(ValueError, match=r"powi takes an integer as operand 1, not 2.5 \(a non-integer"):
        Program((("x", 2.0),), (Step("powi", (0, Const(2.5))),))
    assert (Value(2.0) ** 2.5).op == "powc" and (Value(2.0) ** 2.0).op == "powi"
