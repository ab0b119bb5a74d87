"""A learner's own package called micrograd, as in karpathy's repository layout."""

from micrograd.engine import Value

__all__ = ["Value"]
