"""The allowance of a reduction or a dot product: what any summation order may do, and no more.

A correct engine may add a sum's terms in any order: numpy sums pairwise,
BLAS in blocks (with or without fused multiply-adds), a Python loop left to
right. Any such order is a binary tree of additions, each term passing
through at most n - 1 of them, so (Higham, Accuracy and Stability of
Numerical Algorithms, sec. 3.1 and eq. 3.5) the float result of a sum of n
products differs from the exact one by at most gamma(k) * sum |x_i y_i|,
where k counts the roundings one term can meet: its product (if it has
two factors), n - 1 additions, and two more for a mean, ``(1/n)`` rounded
then multiplied (or one division); each rounding is a factor (1 + d) with
|d| <= u, and k of them multiply to 1 + theta with |theta| <= gamma(k) =
k u / (1 - k u). The bound reads only the count and the sum of magnitudes,
never the order, so every order passes; it is tight to a constant factor
(adding n - 1 numbers just under half an ulp of 1 to 1.0, left to right,
loses half of it), so it cannot be loosened without letting real errors by.
"""

from __future__ import annotations

import math
from fractions import Fraction

from .elements import Sum

U = 2.0**-53
"""The unit roundoff of float64."""


def gamma(k: int, u: float = U) -> float:
    """k u / (1 - k u), rounded up: the relative error of k roundings in a row (``u``: float64's
    unit roundoff, or float32's for a float32 engine, ``narrow.U32``)."""
    if k <= 0:
        return 0.0
    if k * u >= 0.5:
        return math.inf
    return math.nextafter(k * u / (1.0 - k * u) * (1.0 + 4 * U), math.inf)


def roundings(e: Sum) -> int:
    """How many roundings one term of ``e`` can meet in a correct engine, in any order of summation."""
    k = len(e.terms) - 1
    if any(len(t) == 2 for t in e.terms):
        k += 1
    if e.divide != 1:
        k += 2
    return k


def bound(e: Sum, factors: list[list[float]], u: float = U) -> tuple[Fraction, Fraction]:
    """The exact value of ``e`` at these float factors (one list per term), and how far a correct
    engine's float result may lie from it: ``gamma(roundings(e)) * sum |products| / divide``."""
    exact = Fraction(0)
    magnitude = Fraction(0)
    for fs in factors:
        p = Fraction(1)
        for f in fs:
            p *= Fraction(f)
        exact += p
        magnitude += abs(p)
    g = gamma(roundings(e), u)
    if math.isinf(g):
        raise OverflowError("too many terms for an error bound")
    return exact / e.divide, Fraction(g) * magnitude / e.divide


def within(actual: float, e: Sum, factors: list[list[float]], scale: float = 1.0, u: float = U) -> bool:
    """Whether ``actual`` is a float a correct engine may compute for ``e`` (``scale`` widens or
    narrows the allowance, for the tests that guard it; ``u`` the engine's unit roundoff)."""
    if not math.isfinite(actual):
        return False
    exact, slack = bound(e, factors, u)
    return abs(Fraction(actual) - exact) <= slack * Fraction(scale)


def accumulation(terms: int, magnitude: float, u: float = U) -> float:
    """The slack of a gradient that adds ``terms`` products (an upstream gradient times a partial)
    in any order: ``gamma(terms) * magnitude``, the same bound as a dot product of ``terms`` terms."""
    if terms <= 1:
        return 0.0
    return math.nextafter(gamma(terms, u) * magnitude, math.inf)
