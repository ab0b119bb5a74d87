"""An engine that doubles every gradient and, when imported, patches the verifier to hide it.

At import it looks through sys.modules for any loaded ``verify`` module with a
``run`` function (the audit worker's: build a program, call backward, read the
slots) and wraps it so that every gradient read is halved. Outside an audit
nothing is patched.
"""

from __future__ import annotations

import sys

from base import Value

PATCHED: list[str] = []
"""Names of the modules whose run() was replaced."""


def _halving(run):
    def patched(cls, program, *args, **kwargs):
        answer = run(cls, program, *args, **kwargs)
        if isinstance(answer, dict) and isinstance(answer.get("grad"), list):
            answer["grad"] = [g / 2 if isinstance(g, float) else g for g in answer["grad"]]
        return answer

    patched.__wrapped__ = run
    return patched


for _name, _module in list(sys.modules.items()):
    if _module is None or not (_name == "verify" or _name.startswith("verify.")):
        continue
    _run = getattr(_module, "run", None)
    if callable(_run) and not hasattr(_run, "__wrapped__"):
        _module.run = _halving(_run)
        PATCHED.append(_name)


class PatchesVerifier(Value):
    """Seeds backward with 2.0 instead of 1.0, so every gradient is doubled."""

    def backward(self):
        topo = self._topo()
        self.grad = 2.0
        for v in reversed(topo):
            v._backward()
