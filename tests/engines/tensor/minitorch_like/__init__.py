"""A package in the shape of minitorch's: a ``Tensor`` class made by a ``tensor(list)`` factory."""

from .tensor_functions import tensor

__all__ = ["tensor"]
