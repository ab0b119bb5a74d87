"""Hostile: a correct engine that writes a forged answer (a survey, then "done") into the audit's
answer channel before the worker can, hoping the audit takes it for the worker's. The audit must
refuse the answer (exit 2, said why), never pass the engine on it."""

import os
import sys

from numpy_ref import Tensor as Reference

if len(sys.argv) > 2 and sys.argv[2].isdigit():
    forged = b'{"survey": {"have": ["sum"], "sum_parameters": [], "derivative": false}}\n{"done": 0}\n'
    os.write(int(sys.argv[2]), forged)


class Tensor(Reference):
    pass
