"""Planted bugs in one op's backward rule, each a subclass of ``base.Value`` overriding one method.

Every rule here is right somewhere (near 0, for positive operands, for x not
tiny, with the constant 1, ...) and wrong elsewhere, the way learners' rules
are: a clip "so gradients don't explode", an epsilon "so we never divide by
zero", an abs "so negative bases don't go complex", a constant typed from
memory, a formula copied from the neighbouring method.
"""

from __future__ import annotations

import math

from base import Value, add_grad, value_of

# ---- right near 0, wrong in the tails ----


class ClippedExp(Value):
    """exp' clipped at exp(20) "so the gradient can't explode": wrong for x > 20."""

    def exp(self):
        out = self._node(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += math.exp(min(self.data, 20.0)) * out.grad

        out._backward = _backward
        return out


class SaturatedTanh(Value):
    """tanh' taken as 0 for |x| > 3 ("it has saturated anyway"): wrong in the tails."""

    def tanh(self):
        t = math.tanh(self.data)
        out = self._node(t, (self,), "tanh")

        def _backward():
            local = 0.0 if abs(self.data) > 3 else 1 - t * t
            self.grad += local * out.grad

        out._backward = _backward
        return out


class SaturatedSigmoid(Value):
    """sigmoid' taken as 0 for |x| > 8: wrong in the tails, where it is still 3e-4 at x = 8."""

    def sigmoid(self):
        x = self.data
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        out = self._node(s, (self,), "sigmoid")

        def _backward():
            local = 0.0 if abs(x) > 8 else s * (1 - s)
            self.grad += local * out.grad

        out._backward = _backward
        return out


# ---- right for positive operands, wrong on the negative side ----


class MulAbs(Value):
    """mul's partials use the operands' magnitudes: wrong when an operand is negative."""

    def __mul__(self, other):
        out = self._node(self.data * value_of(other), (self, other), "*")

        def _backward():
            self.grad += abs(value_of(other)) * out.grad
            add_grad(other, abs(self.data) * out.grad)

        out._backward = _backward
        return out


class PowAbsBase(Value):
    """x ** k's rule uses |x| ** (k-1) "so negative bases don't go complex": wrong for x < 0, even k."""

    def __pow__(self, other):
        if isinstance(other, Value):
            return self._pow_value(other)
        out = self._node(self.data**other, (self,), f"**{other}")

        def _backward():
            self.grad += other * abs(self.data) ** (other - 1) * out.grad

        out._backward = _backward
        return out


class AbsSlopeOne(Value):
    """abs' taken as 1 (the slope of the positive half): wrong for x < 0."""

    def __abs__(self):
        out = self._node(abs(self.data), (self,), "abs")

        def _backward():
            self.grad += (1.0 if self.data != 0 else 0.0) * out.grad

        out._backward = _backward
        return out


# ---- epsilons against division by zero: wrong for tiny operands ----


class LogEpsilon(Value):
    """log' = 1 / (x + 1e-8): off by 1% at x = 1e-6, by half at x = 1e-8."""

    def log(self):
        out = self._node(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += 1.0 / (self.data + 1e-8) * out.grad

        out._backward = _backward
        return out


class SqrtEpsilon(Value):
    """sqrt' = 0.5 / (sqrt(x) + 1e-12): negligible at 1, off by half at x = 1e-24."""

    def sqrt(self):
        r = math.sqrt(self.data)
        out = self._node(r, (self,), "sqrt")

        def _backward():
            self.grad += 0.5 / (r + 1e-12) * out.grad

        out._backward = _backward
        return out


class DivEpsilon(Value):
    """x / y's partials divide by y + 1e-9: wrong for tiny divisors (and upside down just below 0)."""

    def __truediv__(self, other):
        y = value_of(other)
        out = self._node(self.data / y, (self, other), "/")

        def _backward():
            self.grad += 1.0 / (y + 1e-9) * out.grad
            add_grad(other, -self.data / (y * y + 1e-9) * out.grad)

        out._backward = _backward
        return out


# ---- right for moderate operands, wrong for huge ones ----


class DivSquareOverflow(Value):
    """d(x/y)/dy = -x / (y*y): y*y overflows to inf for |y| > 1.3e154 and the gradient becomes 0."""

    def __truediv__(self, other):
        y = value_of(other)
        out = self._node(self.data / y, (self, other), "/")

        def _backward():
            self.grad += 1.0 / y * out.grad
            add_grad(other, -self.data / (y * y) * out.grad)

        out._backward = _backward
        return out


class AbsSlopeViaSqrt(Value):
    """abs' = x / sqrt(x*x): x*x overflows for |x| > 1.3e154, so the slope is 0 there."""

    def __abs__(self):
        out = self._node(abs(self.data), (self,), "abs")

        def _backward():
            x = self.data
            self.grad += (x / math.sqrt(x * x) if x != 0 else 0.0) * out.grad

        out._backward = _backward
        return out


# ---- a truncated Taylor series: fine near 0 only ----


class SinTaylorRule(Value):
    """sin' = cos(x) by its Taylor series to x**8: good to 1e-9 for |x| < 0.4, wrong beyond."""

    def sin(self):
        out = self._node(math.sin(self.data), (self,), "sin")

        def _backward():
            x2 = self.data * self.data
            cos = 1 - x2 / 2 + x2**2 / 24 - x2**3 / 720 + x2**4 / 40320
            self.grad += cos * out.grad

        out._backward = _backward
        return out


# ---- wrong only with a number on the left (and a constant other than 1) ----


class RsubTimesConstant(Value):
    """c - x passes -c * grad to x, copied from __rmul__: right only for c = 1."""

    def __rsub__(self, other):
        out = self._node(other - self.data, (self,), "-")

        def _backward():
            self.grad += -other * out.grad

        out._backward = _backward
        return out


class RdivDropsConstant(Value):
    """c / x passes -1/x**2 (the rule of 1/x) to x: the constant c is dropped."""

    def __rtruediv__(self, other):
        out = self._node(other / self.data, (self,), "/")

        def _backward():
            self.grad += -1.0 / self.data**2 * out.grad

        out._backward = _backward
        return out


class RpowLikeExp(Value):
    """c ** x passes c ** x to x, as if it were exp: the factor log(c) is missing."""

    def __rpow__(self, other):
        out = self._node(math.pow(other, self.data), (self,), "rpow")

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out


class RpowPowerRule(Value):
    """c ** x differentiated with the power rule, x * c ** (x-1), as if x were the base."""

    def __rpow__(self, other):
        out = self._node(math.pow(other, self.data), (self,), "rpow")

        def _backward():
            self.grad += self.data * other ** (self.data - 1) * out.grad

        out._backward = _backward
        return out


# ---- a relative error of about 1e-12 in one rule ----


class SinRuleRoundedPi(Value):
    """sin' = cos(x) written sin(x + 1.5707963267949), pi/2 to 13 decimals: relative error 3e-15 * tan(x)."""

    def sin(self):
        out = self._node(math.sin(self.data), (self,), "sin")

        def _backward():
            self.grad += math.sin(self.data + 1.5707963267949) * out.grad

        out._backward = _backward
        return out


class ExpRuleRoundedE(Value):
    """exp' = 2.718281828459 ** x, e to 12 decimals: relative error 1.7e-14 * x (5e-13 at x = 30)."""

    def exp(self):
        out = self._node(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += 2.718281828459**self.data * out.grad

        out._backward = _backward
        return out


class RpowLnRounded(Value):
    """d(c ** x)/dx with log(c) = log10(c) * 2.302585093, ln 10 to 9 decimals: relative error 2.6e-12."""

    def __rpow__(self, other):
        out = self._node(math.pow(other, self.data), (self,), "rpow")

        def _backward():
            self.grad += out.data * (math.log10(other) * 2.302585093) * out.grad

        out._backward = _backward
        return out


# ---- a Value exponent that gets no gradient ----


class PowNoExponentGrad(Value):
    """x ** y with a Value y: the forward is right, but only x gets a gradient (y's is never written)."""

    def _pow_value(self, other):
        out = self._node(self.data**other.data, (self, other), "**")

        def _backward():
            self.grad += other.data * self.data ** (other.data - 1) * out.grad

        out._backward = _backward
        return out


class RpowLeaf(Value):
    """2 ** x returns a fresh leaf holding the number: the graph is cut, x gets nothing."""

    def __rpow__(self, other):
        return type(self)(other**self.data)


# ---- an op that mutates its operand, an op that forgets its parents ----


class AbsMutates(Value):
    """abs(x) makes x itself non-negative and returns it: x.data changes and abs' is always 1."""

    def __abs__(self):
        self.data = abs(self.data)
        return self


class ReluCut(Value):
    """relu's output records no parents: its own _backward runs, but the topological sort stops
    there, so the op that feeds the relu never passes anything on."""

    def relu(self):
        out = type(self)(self.data if self.data > 0 else 0.0)

        def _backward():
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out


# ---- two bugs in two ops ----


class TanhAndSqrt(SaturatedTanh):
    """Two bugs: tanh' is 0 for |x| > 3, and sqrt' = 0.5 * x ** 0.5 (the exponent's sign lost)."""

    def sqrt(self):
        out = self._node(math.sqrt(self.data), (self,), "sqrt")

        def _backward():
            self.grad += 0.5 * self.data**0.5 * out.grad

        out._backward = _backward
        return out
