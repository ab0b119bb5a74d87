"""Engines that build div, sub, neg, tanh and sigmoid from their own mul, add, pow and exp.

``Composed`` is correct: its composite ops are right because their parts are (their rounding is
that of the parts, judged as the composition). ``ComposedAbsMul`` plants one wrong rule, in
``mul``, which every composite inherits: the audit must report one root finding, in mul, and the
others as following from it.
"""

from __future__ import annotations

from base import Value, add_grad, value_of


class Composed(Value):
    """x - y = x + (-y), -x = x * -1, x / y = x * y**-1, tanh and sigmoid from exp, + and /."""

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):  # other - self
        return other + (-self)

    def __neg__(self):
        return self * -1

    def __truediv__(self, other):
        return self * other**-1

    def __rtruediv__(self, other):  # other / self
        return other * self**-1

    def tanh(self):
        e = (2 * self).exp()
        return (e - 1) / (e + 1)

    def sigmoid(self):
        return 1 / (1 + (-self).exp())


class ComposedAbsMul(Composed):
    """mul's rule for its left operand uses |y|: wrong wherever y < 0. x * -1, and so -x, x - y,
    x / y for y < 0 and sigmoid (through exp(-x)) inherit it."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad += abs(value_of(other)) * out.grad
            add_grad(other, self.data * out.grad)

        out._backward = _backward
        return out



