"""The tensor check's own constants, each moved 10x where it lives (as ``test_tolerances`` moves the
judge's): loosened, an error planted at 3x the allowance slips through; tightened, a correct float32
formula is refused. Errors are planted from the constants' derived values (``DERIVED``), so a
constant changed in its module's source is caught too."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import pytest

from verify.tensor import narrow
from verify.tensor import softmax as sm
from verify.tensor.check import check
from verify.tensor.program import build
from verify.tensor.run import Run

np = pytest.importorskip("numpy")
f32 = np.float32
U32 = narrow.U32

DERIVED: dict[tuple[Any, str], float] = {
    (narrow, "L"): 8, (narrow, "DIV_VALUE"): 2, (narrow, "SIGMOID_VALUE"): 10, (narrow, "TANH_VALUE"): 11,
    (narrow, "DIV_PARTIAL"): 4, (narrow, "POWI_PARTIAL"): 10, (narrow, "TANH_PARTIAL"): 24,
    (narrow, "SIGMOID_PARTIAL"): 22, (sm, "_EXTRA"): 20, (sm, "_BACKWARD_EXTRA"): 15,
}
"""Each constant as its derivation gives it (``narrow``'s and ``softmax``'s docstrings): errors are
planted at 3x the allowance these make, so a constant loosened where it lives lets them through."""


@contextmanager
def _set(module: Any, attribute: str, value: Any) -> Iterator[None]:
    old = getattr(module, attribute)
    setattr(module, attribute, value)
    try:
        yield
    finally:
        setattr(module, attribute, old)


@contextmanager
def _derived() -> Iterator[None]:
    """Every constant at its derived value (and back after)."""
    with contextlib.ExitStack() as stack:
        for (module, attribute), value in DERIVED.items():
            stack.enter_context(_set(module, attribute, value))
        yield


def _scaled(module: Any, attribute: str, factor: float) -> contextlib.AbstractContextManager[None]:
    return _set(module, attribute, getattr(module, attribute) * factor)


def _faults(op: str, xs: list[float], args: list[int | float], value: float,
            partials: list[float]) -> set[tuple[str, str]]:
    """What the check finds in ``op`` at float32 inputs ``xs``, given an engine's value and partials."""
    program = build({f"x{i}": ((), [x]) for i, x in enumerate(xs)}, [(op, args, {})])
    shapes = list(program.shapes)
    run = Run([[x] for x in xs] + [[value]], shapes, [[p] for p in partials] + [[1.0]], shapes,
              dtypes=["float32"] * len(shapes))
    return {(f.kind, f.op) for f in check(program, run).faults}


# ---- exact values and partials at float32 points; the partial guarded is the last operand's ----

X = float(f32(0.7))
A = float(f32(1.3))
Q = Fraction(A) / Fraction(X)
POINTS: dict[str, tuple[list[float], list[int | float], float, list[float]]]
with mpmath.workdps(60):
    POINTS = {
        "exp": ([X], [0], float(mpmath.exp(X)), [float(mpmath.exp(X))]),
        "div": ([A, X], [0, 1], float(Q), [float(1 / Fraction(X)), float(-Q / Fraction(X))]),
        "sigmoid": ([X], [0], float(1 / (1 + mpmath.exp(-X))),
                    [float(mpmath.exp(-X) / (1 + mpmath.exp(-X)) ** 2)]),
        "tanh": ([X], [0], float(mpmath.tanh(X)), [float(1 - mpmath.tanh(X) ** 2)]),
        "powi": ([X], [0, 3.0], float(Fraction(X) ** 3), [float(3 * Fraction(X) ** 2)]),
    }
"""op: (inputs, args, exact value, exact partials)."""


def _slacks(op: str) -> tuple[float, float]:
    """The allowances, as the constants are now, of ``op``'s value and of its last operand's partial."""
    xs, args, v, ps = POINTS[op]
    operands = [a if isinstance(a, float) else xs[a] for a in args]
    constants = sum(isinstance(a, float) for a in args)
    i = len(xs) - 1
    return (narrow.value_slack(op, operands, constants, v),
            narrow.partial_slack(op, i, operands, constants > 0, v, ps[i]))


with _derived():
    PLANTED = {op: _slacks(op) for op in POINTS}
"""Errors are planted at 3x these."""


def _planted_value(op: str) -> set[tuple[str, str]]:
    xs, args, v, ps = POINTS[op]
    return _faults(op, xs, args, v + 3 * PLANTED[op][0], ps)


def _planted_partial(op: str) -> set[tuple[str, str]]:
    xs, args, v, ps = POINTS[op]
    return _faults(op, xs, args, v, [*ps[:-1], ps[-1] + 3 * PLANTED[op][1]])


# ---- correct float32 formulas over a grid: every point passes; a tighter allowance refuses some ----

def _all_pass(op: str, args: list[int | float], formula: Callable[[Any], tuple[Any, Any]], xs: Any,
              before: tuple[float, ...] = ()) -> bool:
    """Whether ``formula`` (x -> value, partial or partials) passes at every x (after inputs ``before``)."""
    for x in xs.astype(f32):
        value, partials = formula(x)
        ps = partials if isinstance(partials, list) else [partials]
        if _faults(op, [*before, float(x)], args, float(value), [float(p) for p in ps]):
            return False
    return True


def _sigmoid(x: Any) -> Any:
    return f32(1) / (f32(1) + np.exp(-x))


def _quotient_by_reciprocal(a: Any) -> Callable[[Any], tuple[Any, list[Any]]]:
    """a / x as a * (1/x), its partials 1/x and -out * (1/x): the derivation's own formulas."""
    def run(x: Any) -> tuple[Any, list[Any]]:
        r = f32(1) / x
        out = a * r
        return out, [r, -out * r]
    return run


def _power_by_products(k: int) -> Callable[[Any], tuple[Any, Any]]:
    """x**k as k - 1 float32 products, its partial k * x**(k-1) as k - 2 products and one more."""
    def power(x: Any, n: int) -> Any:
        r = x
        for _ in range(n - 1):
            r = r * x
        return r
    return lambda x: (power(x, k), f32(k) * power(x, k - 1))


def _sigmoid_partial_by_cosh(x: Any) -> tuple[Any, Any]:
    """sigmoid' x = 1 / (2 cosh(x/2))**2 = 1 / (e**(x/2) + e**(-x/2))**2, in float32."""
    return _sigmoid(x), f32(1) / (np.exp(x / f32(2)) + np.exp(-x / f32(2))) ** 2


def _tanh_via_sigmoid(x: Any) -> tuple[Any, Any]:
    t = f32(2) * _sigmoid(f32(2) * x) - f32(1)
    return t, f32(1) - t * t


CORRECT: dict[str, Callable[[], bool]] = {
    "exp": lambda: _all_pass("exp", [0], lambda x: (np.exp(x), np.exp(x)), np.linspace(0.01, 3, 200)),
    "div": lambda: _all_pass("div", [0, 1.7], lambda x: (x / f32(1.7), f32(1) / f32(1.7)),
                             np.linspace(0.5, 3, 200)),
    "sigmoid": lambda: _all_pass("sigmoid", [0], lambda x: (_sigmoid(x), _sigmoid(x) * (1 - _sigmoid(x))),
                                 np.linspace(-4, 4, 200)),
    "tanh": lambda: _all_pass("tanh", [0], _tanh_via_sigmoid, np.linspace(0.01, 0.4, 64)),
    "tanh partial": lambda: _all_pass("tanh", [0], lambda x: (np.tanh(x), f32(1) / (np.cosh(x) * np.cosh(x))),
                                      np.linspace(-0.12, 0.12, 600)),
    "sigmoid partial": lambda: _all_pass("sigmoid", [0], _sigmoid_partial_by_cosh, np.linspace(-8, -4, 400)),
    "powi partial": lambda: _all_pass("powi", [0, 16.0], _power_by_products(16), np.linspace(0.5, 1.5, 400)),
    "div partial": lambda: _all_pass("div", [0, 1], _quotient_by_reciprocal(f32(A)), np.linspace(0.5, 3, 400),
                                     (A,)),
}


# ---- softmax rows: a small row, where the (n + extra) term is most of the allowance ----

ROW = [0.1, -0.3, 0.2, 0.05]
with _derived():
    _EXACT_Y, _Y_ERROR = sm.log_softmax_error(ROW, 1)
S = [0.25, 0.5, 0.125, 0.125]
G = [(0.5, 0.5), (-1.0, -1.0), (2.0, 2.0), (0.75, 0.75)]
with _derived():
    _LO, _HI = sm.backward_rows(S, G, log=False)[2]
_PLANTED_GRAD = _HI + (_HI - _LO)  # 3x the half-width from the centre


def _row_caught() -> bool:
    return abs(_EXACT_Y + 3 * _Y_ERROR - sm.log_softmax_error(ROW, 1)[0]) > sm.log_softmax_error(ROW, 1)[1]


def _backward_caught() -> bool:
    lo, hi = sm.backward_rows(S, G, log=False)[2]
    return not lo <= _PLANTED_GRAD <= hi


@dataclass(frozen=True)
class Guard:
    name: str
    module: Any
    attribute: str
    caught: Callable[[], bool]
    """An error planted at 3x the allowance is caught."""
    passes: Callable[[], bool] | None = None
    """A correct float32 formula passes (None: no correct formula yet uses a tenth of it)."""


def _value(name: str, op: str) -> Guard:
    return Guard(name, narrow, name, lambda: _planted_value(op) == {("forward", op)}, CORRECT[op])


GUARDS = [
    _value("L", "exp"),
    _value("DIV_VALUE", "div"),
    _value("SIGMOID_VALUE", "sigmoid"),
    _value("TANH_VALUE", "tanh"),
    Guard("DIV_PARTIAL", narrow, "DIV_PARTIAL", lambda: _planted_partial("div") == {("gradient", "div")},
          CORRECT["div partial"]),
    Guard("POWI_PARTIAL", narrow, "POWI_PARTIAL", lambda: _planted_partial("powi") == {("gradient", "powi")},
          CORRECT["powi partial"]),
    Guard("TANH_PARTIAL", narrow, "TANH_PARTIAL", lambda: _planted_partial("tanh") == {("gradient", "tanh")},
          CORRECT["tanh partial"]),
    Guard("SIGMOID_PARTIAL", narrow, "SIGMOID_PARTIAL",
          lambda: _planted_partial("sigmoid") == {("gradient", "sigmoid")}, CORRECT["sigmoid partial"]),
    Guard("_EXTRA", sm, "_EXTRA", _row_caught),
    Guard("_BACKWARD_EXTRA", sm, "_BACKWARD_EXTRA", _backward_caught),
]


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.name)
def test_the_planted_error_is_caught_and_the_correct_formula_passes(guard: Guard) -> None:
    assert guard.caught(), f"{guard.name}: an error at 3x the allowance is not caught"
    assert guard.passes is None or guard.passes(), f"{guard.name}: a correct formula is refused"


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.name)
def test_loosened_10x_the_planted_error_slips_through(guard: Guard) -> None:
    with _scaled(guard.module, guard.attribute, 10.0):
        assert not guard.caught(), f"{guard.name}: a 10x looser allowance still catches it"


@pytest.mark.parametrize("guard", [g for g in GUARDS if g.passes], ids=lambda g: g.name)
def test_tightened_10x_the_correct_formula_is_refused(guard: Guard) -> None:
    assert guard.passes is not None
    with _scaled(guard.module, guard.attribute, 0.1):
        assert not guard.passes(), f"{guard.name}: a 10x tighter allowance still passes it"
