"""Workloads shared by the benchmarks."""

from __future__ import annotations

from typing import Any


def seed_expression(V: Any) -> Any:
    """micrograd's README example, forward and backward, on engine ``V``."""
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g
