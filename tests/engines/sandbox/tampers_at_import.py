"""Doubles every gradient and, when imported, rewrites the audit worker's run() to halve them.

It does not look in sys.modules (the worker removes its modules from there): it
walks the garbage collector's objects for any function called ``run`` defined in
a ``verify/audit/engine/worker.py`` and swaps its code, keeping the original to call.
"""

from __future__ import annotations

import gc
import types

from tiny import Value

PATCHED: list[str] = []
_ORIGINAL = None


def _halving(cls, program):
    answer = __import__("tampers_at_import")._ORIGINAL(cls, program)
    if isinstance(answer, dict) and isinstance(answer.get("grad"), list):
        answer["grad"] = [g / 2 if isinstance(g, float) else g for g in answer["grad"]]
    return answer


for _obj in gc.get_objects():
    if (isinstance(_obj, types.FunctionType) and _obj.__name__ == "run"
            and _obj.__code__.co_filename.replace("\\", "/").endswith("verify/audit/engine/worker.py")):
        _ORIGINAL = types.FunctionType(_obj.__code__, _obj.__globals__, "run", _obj.__defaults__)
        _obj.__code__ = _halving.__code__
        PATCHED.append(_obj.__qualname__)


class Doubles(Value):
    """Seeds backward with 2.0: every gradient doubled."""

    def backward(self):
        order = self.topo()
        self.grad = 2.0
        for v in reversed(order):
            v._backward()
