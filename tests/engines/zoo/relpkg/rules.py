"""The local derivative of every op, d out / d operand, from the operands and the output."""

from __future__ import annotations

import math


def add(out, x, y):
    return 1.0, 1.0


def sub(out, x, y):
    return 1.0, -1.0


def mul(out, x, y):
    return y, x


def div(out, x, y):
    return 1.0 / y, -out / y


def power(out, x, k):
    return (k * x ** (k - 1) if k else 0.0), 0.0


def exp(out, x):
    return (out,)


def log(out, x):
    return (1.0 / x,)


def tanh(out, x):
    return (1.0 - out * out,)


def relu(out, x):
    return (1.0 if x > 0 else 0.0,)


def sqrt(out, x):
    return (0.5 * x**0.5,)  # the planted bug: 0.5 * x ** -0.5


def sin(out, x):
    return (math.cos(x),)


def cos(out, x):
    return (-math.sin(x),)
