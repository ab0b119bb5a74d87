"""A learner's engine as a package whose modules import each other relatively."""

from .engine import Value

__all__ = ["Value"]
