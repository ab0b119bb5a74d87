"""Every tolerance is a promise, and these tests keep it in both directions.

For each one: a planted error just outside it is caught, and a correct
alternative just inside it passes. The same two checks run with the
tolerance loosened 10x (the planted error must then slip through) and
tightened 10x (the correct alternative must then be refused): so a change of
any tolerance by 10x in either direction turns this file red.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import mpmath
import pytest
from engines import zoo_class
from flint import arb

import verify
from micrograd import Value
from verify.judge import allowance, blame, floats, fragility, local, verdict
from verify.oracle import ball as ball_module
from verify.oracle import calculus, fd
from verify.oracle.ball import ball, workprec
from verify.program import Const, Program, Step


def _moved(x: float, ulps: int) -> float:
    for _ in range(abs(ulps)):
        x = math.nextafter(x, math.inf if ulps > 0 else -math.inf)
    return x


def _engine(program: Program, change: Callable[[list[float], list[float]], None]) -> verify.Report:
    """Our engine's numbers for ``program``, changed as a correct or planted engine would."""
    slots = program.run(Value, catch=())
    data, grad = [s.data for s in slots], [s.grad for s in slots]
    change(data, grad)
    return verify.check_run(program, data, grad)


def _not_wrong(report: verify.Report) -> bool:
    return report.verdict != "fail" and not report.faults


# ---- BASE_ULPS: any correct engine is within a few ulps of the exact value and partial ----

LOG = Program((("x", 3.7),), (Step("log", (0,)),))


def _log_value(ulps: int) -> verify.Report:
    def change(data: list[float], grad: list[float]) -> None:
        data[1] = _moved(data[1], ulps)

    return _engine(LOG, change)


def _log_partial(ulps: int) -> verify.Report:
    def change(data: list[float], grad: list[float]) -> None:
        grad[0] = _moved(1 / 3.7, ulps)

    with _scaled(floats, "LIBM_ULPS", 0.0):  # the library formula x**-1 exact: the baseline alone decides
        return _engine(LOG, change)


# ---- LIBM_ULPS: a correct math library is within a few ulps ----

def _cosh_rule(cosh_ulps: int) -> verify.Report:
    """tanh' = 1/cosh(x)**2 with a cosh that is ``cosh_ulps`` off."""
    x = 0.3
    program = Program((("x", x),), (Step("tanh", (0,)),))

    def change(data: list[float], grad: list[float]) -> None:
        grad[0] = 1 / _moved(math.cosh(x), cosh_ulps) ** 2

    return _engine(program, change)


# ---- summation: gamma(n - 2) * sum |t| for a sum of n contributions in any order ----

# x's contributions are 1, 1e16 and -1e16: summed in one order they give 0, in another 1.
SUMS = Program((("x", 1.0),), (Step("mul", (0, Const(1e16))), Step("mul", (0, Const(-1e16))),
                               Step("add", (1, 2)), Step("add", (3, 0))))


def _sum_to(value: float) -> verify.Report:
    def change(data: list[float], grad: list[float]) -> None:
        grad[0] = value

    return _engine(SUMS, change)


# ---- RICHARDSON: the finite difference's truncation allowance ----

EXP = Program((("x", 1.0),), (Step("exp", (0,)),))


def _exp_mirror(error: float) -> verify.Report:
    """Our engine on exp(x) with the oracle's own partial of exp off by ``error`` (relative)."""
    calc = calculus.calculus("exp")
    partial = calc.partials[0]
    assert partial is not None
    right = partial.on_balls

    def wrong(args: Any) -> Any:
        return right(args) * (1 + ball(error))

    object.__setattr__(partial, "on_balls", wrong)
    try:
        return _engine(EXP, lambda data, grad: None)
    finally:
        object.__setattr__(partial, "on_balls", right)


def _oracle_fault(report: verify.Report) -> bool:
    return any(n.startswith("oracle fault") for n in report.notes)


# The truncation error of the difference of exp at 1, relative: h**2 / 6 with h = 2**-STEP_BITS.
TRUNCATION = 2.0 ** (-2 * fd.STEP_BITS) / 6


# ---- WIDE: how far forward rounding may move the best engine before a check cannot decide ----

def _forward_drift(x: float) -> str:
    """((x + 2**52) - 2**52) * y: the forward rounds x; y's gradient is that rounded x."""
    steps = (Step("add", (0, Const(2.0**52))), Step("sub", (2, Const(2.0**52))), Step("mul", (3, 1)))
    program = Program((("x", x), ("y", 2.0)), steps)
    return _engine(program, lambda data, grad: None).inputs[1].verdict


# ---- CLOSE: when blame names a lost contribution ----

REUSED = Program((("x", 0.7),),
                 (Step("mul", (0, Const(3.0))), Step("mul", (0, Const(5.0))), Step("add", (1, 2))))


def _named_lost(relative: float) -> bool:
    """x's gradient is v1's contribution alone, off by ``relative``: is it named a lost contribution?"""
    def change(data: list[float], grad: list[float]) -> None:
        grad[0] = 3.0 * (1 + relative)

    report = _engine(REUSED, change)
    return any(f.kind == "lost-contribution" for f in report.faults)


# ---- SATURATED: a true value all but a float is that float in every library ----

_SATURATED = floats.SATURATED


def _snapped(thresholds: float) -> bool:
    with workprec(256):
        exact = ball(1.0) + ball(math.ulp(1.0)) * _SATURATED * thresholds
        got = floats._library(exact)
    return got.lo == got.hi == 1.0


# ---- UNDERFLOW: a hidden step of x * y**-1 that went subnormal excuses its slot ----

def _stepped_division(x0: float, x1: float, k: float, engine: type, scale: float = 1.0) -> verify.Report:
    """(x0 / x1) * k, y's gradient through the engine's x0 * (adjoint k) first: about UNDERFLOW / 2."""
    program = Program((("x0", x0), ("x1", x1)), (Step("div", (0, 1)), Step("mul", (2, Const(k)))))
    slots = program.run(engine, catch=())
    grad = [float(s.grad) for s in slots]
    grad[1] *= scale
    return verify.check_run(program, [float(s.data) for s in slots], grad)


def _constants_engine() -> type:
    return zoo_class("constants.py")


def _stepped_correct() -> bool:
    # a correct engine writing x / y as x * y**-1, its hidden product x0 * k at UNDERFLOW / 2
    return _not_wrong(_stepped_division(1.46131197745943e-310, 1.7622800824579418e-150, 18.93317042557635,
                                        _constants_engine()))


def _stepped_planted() -> bool:
    # a 1e-9 error where the hidden product is 2 * UNDERFLOW: no excuse, caught
    x0 = 2 * verdict.MIN_NORMAL / 4 / 3.0
    return _stepped_division(x0, 1.7e-150, 3.0, Value, 1 + 1e-9).verdict == "fail"


# ---- RULE_ROUNDING: what y**-2 gone subnormal in x * y**-1, taken first, may lose ----

RULE_Y = 5.4922214906567575e+156
"""y**-2 here rounds off by 0.47 of the subnormal spacing: a correct rule-first engine uses most of it."""


def _rule_first(delta: float, engine: type) -> verify.Report:
    """log(1e-100 / y), y's gradient moved by ``delta``: g * x = y is normal, y**-2 is subnormal."""
    program = Program((("x0", 1e-100), ("x1", RULE_Y)), (Step("div", (0, 1)), Step("log", (2,))))
    slots = program.run(engine, catch=())
    grad = [float(s.grad) for s in slots]
    grad[1] += delta
    return verify.check_run(program, [float(s.data) for s in slots], grad)


def _rule_planted() -> bool:
    # 3x the excuse (|g * x| * RULE_ROUNDING = y * 2**-1073) past the exact gradient -1 / y, toward 0
    return _rule_first(3 * RULE_Y * 2.0**-1073, Value).verdict == "fail"


def _rule_correct() -> bool:
    return _not_wrong(_rule_first(0.0, _constants_engine()))


# ---- SIGN_RESOLVED: the sign of a subnormal gradient is decided only above a few spacings ----

def _cancelling_at(target: float) -> tuple[Program, float]:
    """tanh(x) * 2e-306 + x * k at x = 17, the exact gradient about ``target``: 1 - tanh**2 there lets
    correct engines give anything within about +-9e-322 of it, either sign."""
    mpmath.mp.prec = 200
    u = 2e-306
    partial = mpmath.mpf(u) * mpmath.sech(17) ** 2
    k = -float(partial) + target
    steps = (Step("tanh", (0,)), Step("mul", (1, Const(u))), Step("mul", (0, Const(k))), Step("add", (2, 3)))
    return Program((("x", 17.0),), steps), float(partial + k)


def _sign_flip_decided() -> bool:
    # exact 4e-323 (8 spacings, 2x the threshold), its sign flipped: a correct engine may give it, no pass
    program, exact = _cancelling_at(4e-323)
    return _engine(program, lambda data, grad: grad.__setitem__(0, -exact)).verdict == "inconclusive"


def _saturated_sigmoid_passes() -> bool:
    # sigmoid'(744) = 7.7e-324 (rounds to 2 spacings): 0.0 from a correct engine is no sign flip to decide
    return _engine(Program((("x", 744.0),), (Step("sigmoid", (0,)),)), lambda d, g: None).verdict == "pass"


# ---- SPAN_SLACK: the share of a kink ball's width that is its radius's rounding ----

def _span(lo: float, hi: float) -> str:
    """The exact column of a kink whose ball runs from ``lo`` to ``hi``."""
    return ball_module.span_text(arb((lo + hi) / 2, (hi - lo) / 2))


SLACK = 2.0**-18  # ball.SPAN_SLACK as it is: the planted and correct ends are fixed, not scaled with it


def _span_kept() -> bool:
    # a set of derivatives that truly starts at -2 * SLACK of its width: its end is not rounded to 0
    return _span(-2 * SLACK, 1.0) != "[0, 1]"


def _span_snapped() -> bool:
    # the set [0, 1], its ball grown by half SLACK of rounding at each end: shown exactly
    return _span(-SLACK / 2, 1.0 + SLACK / 2) == "[0, 1]"

# ---- REDUCTION_SLOPE, REDUCTION_CAP: a libm's sin and cos near their zeros, from argument reduction ----

def _libm_off_by(op: str, x: float, error: float) -> verify.Report:
    """``op``(x) as the platform's libm computes it, then moved by ``error`` (absolute)."""
    def change(data: list[float], grad: list[float]) -> None:
        data[1] += error

    return _engine(Program((("x", x),), (Step(op, (0,)),)), change)


# glibc's cos here is off by 5.9e-29 = 0.23 * x * REDUCTION_SLOPE (below 2**52 the slope decides)
SLOPED = 1426668733016935.2
# and its sin here by 1.6e-28 = 0.19 * REDUCTION_CAP (beyond 2**52 the cap decides)
CAPPED = 6.765697623837479e95
_SLOPE, _CAP = floats.REDUCTION_SLOPE, floats.REDUCTION_CAP


# ---- REROUNDED: a product taken in another order, where it is subnormal ----

# x * x of one object, its gradient 2.1e-318: x * g + x * g (each rounded to 2**-1074) against a
# fused (2 * x) * g, one subnormal apart
SQUARE = Program((("x", 1.3930738938270837e-162),),
                 (Step("mul", (0, 0)), Step("mul", (1, Const(7.540553423106361e-157)))))


def _square(engine: type, subnormals: int) -> verify.Report:
    slots = SQUARE.run(engine, catch=())
    grad = [float(s.grad) for s in slots]
    grad[0] += subnormals * 5e-324
    return verify.check_run(SQUARE, [float(s.data) for s in slots], grad)


# ---- AMPLIFIED: a grad-first power through exp(L) whose partial lies below the subnormals ----

# v1 = x0 ** x2, v2 = x1 * v1: dv1/dx0 = x2 * x0**(x2 - 1) is 6.5e-512, its adjoint -9.8e300
TINY_POWER = Program((("x0", 8.58474408339649e258), ("x1", -9.804515751260563e300),
                      ("x2", 5.570796640190944e-253)), (Step("pow", (0, 2)), Step("mul", (1, 3))))
_LN_PARTIAL = 1176.0  # |ln 6.5e-512|
_AMPLIFIED = allowance.AMPLIFIED


def _tiny_power(x0_grad: Callable[[float, float, float], float]) -> verify.Report:
    def change(data: list[float], grad: list[float]) -> None:
        grad[0] = x0_grad(data[0], data[2], grad[3])

    return _engine(TINY_POWER, change)


def _grad_first(log_ulps: int) -> Callable[[float, float, float], float]:
    """(g * y) * exp((y - 1) * log x), with a log ``log_ulps`` ulps off: a correct library's (a log
    below the true one makes the gradient larger than exact, away from the partial-first 0)."""
    return lambda x, y, g: (g * y) * math.exp((y - 1) * _moved(math.log(x), log_ulps))


def _planted_tiny_power() -> bool:
    off = 2 * _AMPLIFIED * _LN_PARTIAL * 2.0**-53  # twice the allowance, relative
    return _tiny_power(lambda x, y, g: _grad_first(0)(x, y, g) * (1 + off)).verdict == "fail"


# ---- LOST_DIGITS: how many digits a textbook rule must lose for a pass to be called fragile ----

def _tanh_rule_fragile(x: float) -> bool:
    """Whether tanh's rule ``1 - t*t`` at ``x`` is named as a fragility (its exact value from mpmath)."""
    t = math.tanh(x)
    with mpmath.workdps(50):
        exact = float(1 / mpmath.cosh(x) ** 2)
    return fragility.explain_lost("tanh", [x], 0, 1 - t * t, exact) is not None


@dataclass(frozen=True)
class Guard:
    name: str
    module: Any
    attribute: str
    caught: Callable[[], bool]
    """A planted error just outside the tolerance is caught."""
    passes: Callable[[], bool]
    """A correct alternative just inside it passes."""


GUARDS = [
    Guard("BASE_ULPS on a value", allowance, "BASE_ULPS",
          lambda: _log_value(12).verdict == "fail", lambda: _not_wrong(_log_value(3))),
    Guard("BASE_ULPS on a partial", allowance, "BASE_ULPS",
          lambda: _log_partial(12).verdict == "fail", lambda: _not_wrong(_log_partial(3))),
    Guard("LIBM_ULPS in an accepted formula", floats, "LIBM_ULPS",
          lambda: _cosh_rule(30).verdict == "fail", lambda: _not_wrong(_cosh_rule(3))),
    Guard("summation of reused nodes' contributions", local, "summation",
          lambda: _sum_to(8.0).verdict == "fail", lambda: _not_wrong(_sum_to(0.0))),
    Guard("finite difference against the exact gradient", fd, "RICHARDSON",
          lambda: _oracle_fault(_exp_mirror(40 * TRUNCATION)), lambda: not _oracle_fault(_exp_mirror(0.0))),
    Guard("how far forward rounding may move a decidable gradient", verdict, "WIDE",
          lambda: _forward_drift(0.4) == "inconclusive", lambda: _forward_drift(1.5) == "pass"),
    Guard("closeness that names a lost contribution", blame, "CLOSE",
          lambda: not _named_lost(3e-9), lambda: _named_lost(3e-10)),
    Guard("a library's saturated results", floats, "SATURATED",
          lambda: not _snapped(1.5), lambda: _snapped(0.5)),
    Guard("a hidden step of x * y**-1 gone subnormal", verdict, "UNDERFLOW",
          _stepped_planted, _stepped_correct),
    Guard("div's hidden power rule gone subnormal, taken first", verdict, "RULE_ROUNDING",
          _rule_planted, _rule_correct),
    Guard("the sign of a subnormal gradient, decided only above a few spacings", verdict, "SIGN_RESOLVED",
          _sign_flip_decided, _saturated_sigmoid_passes),
    Guard("the rounding of a kink ball's radius in the exact column", ball_module, "SPAN_SLACK",
          _span_kept, _span_snapped),

    Guard("another order of a subnormal product", local, "REROUNDED",
          lambda: _square(Value, 3).verdict == "fail",
          lambda: _not_wrong(_square(zoo_class("altrules.py"), 0))),
    # at 20 the rule gives 0.0 (16 of 16 digits lost); at 4 it loses 2, which rounding alone explains
    Guard("digits a textbook rule loses before a pass is fragile", fragility, "LOST_DIGITS",
          lambda: _tanh_rule_fragile(20.0), lambda: not _tanh_rule_fragile(4.0)),
    Guard("a grad-first power through exp, its partial below the subnormals", allowance, "AMPLIFIED",
          _planted_tiny_power, lambda: _not_wrong(_tiny_power(_grad_first(-3)))),
    Guard("sin and cos's argument reduction, growing with x", floats, "REDUCTION_SLOPE",
          lambda: _libm_off_by("cos", SLOPED, 2.5 * SLOPED * _SLOPE).verdict == "fail",
          lambda: _not_wrong(_libm_off_by("cos", SLOPED, 0.0))),
    Guard("sin and cos's argument reduction, at most", floats, "REDUCTION_CAP",
          lambda: _libm_off_by("sin", CAPPED, 2.5 * _CAP).verdict == "fail",
          lambda: _not_wrong(_libm_off_by("sin", CAPPED, 0.0))),
]


@contextmanager
def _scaled(module: Any, attribute: str, factor: float) -> Iterator[None]:
    old = getattr(module, attribute)
    if callable(old):
        def new(*args: Any) -> Any:
            return old(*args) * factor
    else:
        new = old * factor
    setattr(module, attribute, new)
    try:
        yield
    finally:
        setattr(module, attribute, old)


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.name)
def test_the_planted_error_is_caught_and_the_correct_alternative_passes(guard: Guard) -> None:
    assert guard.caught(), f"{guard.name}: the planted error just outside is not caught"
    assert guard.passes(), f"{guard.name}: the correct alternative just inside is refused"


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.name)
def test_loosened_10x_the_planted_error_slips_through(guard: Guard) -> None:
    with _scaled(guard.module, guard.attribute, 10.0):
        assert not guard.caught(), f"{guard.name}: a 10x looser tolerance still catches it; tighten the guard"


@pytest.mark.parametrize("guard", GUARDS, ids=lambda g: g.name)
def test_tightened_10x_the_correct_alternative_is_refused(guard: Guard) -> None:
    with _scaled(guard.module, guard.attribute, 0.1):
        assert not guard.passes(), f"{guard.name}: a 10x tighter tolerance still passes it; tighten the guard"
