"""Doubles every gradient and, when imported, rewrites the worker's answers on their way out.

It walks up the call stack to the frame that holds the worker's channel (an
object with ``send`` and an ``_encode`` attribute) and replaces the channel's
encoder and decoder, instance attributes, with its own: every answer's
gradients are halved before they are encoded, so the doubling would read as
right, and the list of tampering the worker found is emptied.
"""

from __future__ import annotations

import sys

from tiny import Value

FORGED: list[str] = []


def _forge(encode):
    def forged(message):
        if isinstance(message, dict):
            message["tampered"] = []
            answer = message.get("answer")
            if isinstance(answer, dict) and isinstance(answer.get("grad"), list):
                answer["grad"] = [g / 2 if isinstance(g, float) else g for g in answer["grad"]]
        return encode(message)

    return forged


_frame = sys._getframe()
while _frame is not None:
    for _value in list(_frame.f_locals.values()):
        if hasattr(_value, "send") and hasattr(_value, "_encode"):
            _value._encode = _forge(_value._encode)
            _value._decode = _value._decode
            FORGED.append(type(_value).__name__)
    _frame = _frame.f_back


class Doubles(Value):
    """tiny.Value whose backward() doubles every gradient."""

    def backward(self):
        super().backward()
        for node in self.topo():
            node.grad *= 2
