"""The finite-difference witness's step and precision, by the exact values they give: which step a
difference settles at, how many bits it takes, what "small" means where the derivative is 0, and
what is said when no step settles."""

from __future__ import annotations

from typing import Any

from flint import arb

from verify.oracle.ball import workprec
from verify.oracle.exact import exact, plan
from verify.oracle.fd import Difference, differences
from verify.program import Const, Program, Step

CUBE = (Step("mul", (0, 0)), Step("mul", (1, 0)))  # x**3: slots 1 (x*x) and 2 (x**3)


def diffs(inputs: dict[str, float], *steps: Step) -> tuple[list[Difference], bool]:
    """The differences of the program at its inputs, against its exact gradient."""
    program = Program(tuple(inputs.items()), steps)
    nodes = plan(program)
    ex = exact(program, nodes, 256)
    return differences(program, nodes, ex.values, ex.adjoints[: len(program.inputs)])


def near(a: Any, b: Any, bits: int) -> bool:
    with workprec(256):
        return bool(abs(arb(a) - arb(b)) <= abs(arb(b)) * arb(2) ** -bits)


def test_a_zero_derivative_with_curvature_settles_at_the_second_step() -> None:
    # x**3 at 0: the derivative is exactly 0 and so is f, so "small" is a step's worth of 1 (2**-32 * 2**-48).
    # At h = 2**-32 the differences are h**2 = 2**-64 and 4h**2: 3 * 2**-64 apart, not settled; at
    # h = 2**-64 they are 2**-128 and 2**-126, settled, and the Richardson allowance covers 2**-128.
    d = diffs({"x": 0.0}, *CUBE)[0][0]
    assert (d.direction, d.agrees, d.why, d.scale) == ([1], True, "", 1.0)
    assert d.exact == arb(0) and d.fd is not None and d.fd.mid() == arb(2) ** -128


def test_eight_inputs_still_take_the_coarser_step() -> None:
    # x0**3 + x1 + ... + x7 at 0: eight inputs each get their own difference, at steps of 2**-32
    # (the finer 2**-60 of random directions would give 2**-120 at once)
    steps = [Step("mul", (0, 0)), Step("mul", (8, 0)), *[Step("add", (8 + i, i)) for i in range(1, 8)]]
    found, per_input = diffs({f"x{i}": 0.0 for i in range(8)}, *steps)
    assert per_input and found[0].fd is not None and found[0].fd.mid() == arb(2) ** -128
    assert all(d.fd is not None and d.fd.mid() == 1 and d.agrees for d in found[1:])


def test_a_derivative_where_f_is_0_keeps_the_first_step() -> None:
    # x**3 + 1024 x at 0: f is 0, so the step is not shrunk by |f| / |D| (h = 2**-32), and the
    # difference is 1024 + h**2; a step shrunk by log2 1024 would give 1024 + 2**-84
    d = diffs({"x": 0.0}, *CUBE, Step("mul", (0, Const(1024.0))), Step("add", (2, 3)))[0][0]
    assert (d.agrees, d.why) == (True, "") and d.exact == 1024
    with workprec(256):
        assert d.fd is not None and d.fd.mid() == 1024 + arb(2) ** -64


def test_a_cancellation_the_bit_count_does_not_see_takes_more_bits() -> None:
    # (x + 1e300) - 1e300 = x at 0.5: need counts 176 bits, x + h + 1e300 needs over 1,000; each step
    # tries 1, 2 and 4 times its bits, and the steps add bits, until the difference is tight
    d = diffs({"x": 0.5}, Step("add", (0, Const(1e300))), Step("sub", (1, Const(1e300))))[0][0]
    assert (d.direction, d.agrees, d.why, d.scale) == ([1], True, "", 0.5)
    assert d.fd is not None and near(d.fd, 0.5, 100) and d.exact == 0.5


def test_a_function_too_fast_for_every_step_is_skipped_with_its_exact_derivative() -> None:
    # 1 + 1e-300 sin(1e300 x) at 0.5: a derivative of about 1, a value of about 1, so no shrinking;
    # even the eighth step (2**-256) spans 1e222 periods, so the differences are noise and never settle
    d = diffs({"x": 0.5}, Step("mul", (0, Const(1e300))), Step("sin", (1,)), Step("mul", (2, Const(1e-300))),
              Step("add", (3, Const(1.0))))[0][0]
    why = "difference skipped: the function varies too fast for the step"
    assert (d.direction, d.fd, d.agrees, d.why) == ([1], None, True, why)
    with workprec(4096):
        slope = arb(1e-300) * arb(1e300) * (arb(1e300) * 0.5).cos() * 0.5
        assert near(d.exact, slope, 40)
