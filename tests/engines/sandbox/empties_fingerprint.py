"""Doubles every gradient and, when imported, disarms the worker's tamper check, then swaps its run handler.

It walks up the call stack to the worker's frame, empties the fingerprint's
entries (so its check finds nothing), and replaces the ``run`` entry of the
handler table with one that halves every gradient it reports.
"""

from __future__ import annotations

import sys

from tiny import Value

DONE: list[str] = []


def _halving(run):
    def halved(cls, program):
        answer = run(cls, program)
        if isinstance(answer, dict) and isinstance(answer.get("grad"), list):
            answer["grad"] = [g / 2 if isinstance(g, float) else g for g in answer["grad"]]
        return answer

    return halved


_frame = sys._getframe()
while _frame is not None:
    for _name, _value in list(_frame.f_locals.items()):
        entries = getattr(_value, "entries", None)
        if isinstance(entries, list):
            entries.clear()
            DONE.append("emptied")
        elif isinstance(entries, tuple):
            _value.entries = []
            DONE.append("emptied")
        if isinstance(_value, dict) and callable(_value.get("run")):
            _value["run"] = _halving(_value["run"])
            DONE.append("swapped")
    _frame = _frame.f_back


class Doubles(Value):
    """tiny.Value whose backward() doubles every gradient."""

    def backward(self):
        super().backward()
        for node in self.topo():
            node.grad *= 2
