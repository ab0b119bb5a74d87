"""Planted, minitorch's Scalar: the reciprocal's backward forgets the sign (d / a**2), so every
quotient's gradient with respect to its denominator is wrong."""

import scalar_ref
from scalar_ref import Function


class Inv(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return 1.0 / a

    @staticmethod
    def backward(ctx, d):
        (a,) = ctx.saved
        return (d / (a * a),)


class Scalar(scalar_ref.Scalar):
    def __truediv__(self, b):
        return scalar_ref.Mul.apply(self, Inv.apply(b))
