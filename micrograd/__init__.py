"""micrograd, verified: a scalar autograd engine on one table of ops."""

from .engine import Constant, CyclicGraphError, Value
from .ops import OPS, DomainError, MathError, NonFiniteError, Op

__all__ = ["Value", "Constant", "OPS", "Op", "MathError", "DomainError", "NonFiniteError", "CyclicGraphError"]
