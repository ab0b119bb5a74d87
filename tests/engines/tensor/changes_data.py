"""Correct rules, but backward() takes a gradient step on every leaf (data -= 0.1 * grad) before
returning, as a learner's training loop folded into backward does; the audit reads .data before
backward, so the forward values it judges are the ones the forward made."""

from numpy_ref import Tensor as Reference


class Tensor(Reference):
    def backward(self):
        super().backward()
        stack, seen = [self], set()
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            node.data -= 0.1 * node.grad
            stack.extend(node._prev)
