"""The source of a tiny engine that exists only as text: run from stdin or in a cell, it lives in memory.

``SOURCE`` has two holes, ``{MUL}`` (how mul's backward adds to ``other.grad``) and ``{TANH}`` (tanh's
local derivative); ``CORRECT`` and ``BUGGY`` fill them.
"""

import textwrap

SOURCE = textwrap.dedent('''
    import math

    class Value:
        def __init__(self, data, _children=()):
            self.data = float(data); self.grad = 0.0; self._prev = _children; self._backward = lambda: None
        def _wrap(self, other):
            return other if isinstance(other, Value) else Value(other)
        def __add__(self, other):
            other = self._wrap(other)
            out = Value(self.data + other.data, (self, other))
            def b(): self.grad += out.grad; other.grad += out.grad
            out._backward = b; return out
        __radd__ = __add__
        def __mul__(self, other):
            other = self._wrap(other)
            out = Value(self.data * other.data, (self, other))
            def b(): self.grad += other.data * out.grad; other.grad {MUL} self.data * out.grad
            out._backward = b; return out
        __rmul__ = __mul__
        def tanh(self):
            t = math.tanh(self.data)
            out = Value(t, (self,))
            def b(): self.grad += {TANH} * out.grad
            out._backward = b; return out
        def backward(self):
            topo, seen = [], set()
            def build(v):
                if v not in seen:
                    seen.add(v); [build(c) for c in v._prev]; topo.append(v)
            build(self); self.grad = 1.0
            for v in reversed(topo): v._backward()
''')
CORRECT = SOURCE.replace("{MUL}", "+=").replace("{TANH}", "(1 - t * t)")
BUGGY = SOURCE.replace("{MUL}", "=").replace("{TANH}", "(1 - t)")
