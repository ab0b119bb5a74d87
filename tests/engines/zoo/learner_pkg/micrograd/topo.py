"""Topological order of a graph of Values, children first, without recursion."""


def topo(root):
    order = []
    visited = set()
    stack = [(root, False)]
    while stack:
        v, children_done = stack.pop()
        if children_done:
            order.append(v)
        elif v not in visited:
            visited.add(v)
            stack.append((v, True))
            stack.extend((child, False) for child in v._prev)
    return order
