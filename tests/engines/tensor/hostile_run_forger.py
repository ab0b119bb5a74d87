"""Hostile: a correct engine whose backward writes a forged run (one tensor, for a program of
several) into the audit's answer channel and ends its process, so that the forged run stands in for
the real one. The audit must refuse it (exit 2), never judge the forged numbers."""

import os
import sys

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def backward(self):
        os.write(int(sys.argv[2]), b'{"run": {"data": [[1.0]], "data_shapes": [[]], "grads": [[1.0]], '
                                   b'"grad_shapes": [[]], "dtypes": ["float64"]}}\n')
        os._exit(0)
