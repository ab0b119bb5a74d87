"""A tensor program as a snippet in the engine's own API, to paste and see the bug."""

from __future__ import annotations

import os

from .check import nested
from .ops import Dialect
from .program import TensorProgram
from .runner import wire


def module_name(path: str) -> str:
    """The dotted name ``path`` imports as: its package folders (those with ``__init__.py``) first."""
    folder = os.path.dirname(os.path.abspath(path))
    parts = [os.path.splitext(os.path.basename(path))[0]]
    while os.path.exists(os.path.join(folder, "__init__.py")):
        parts.insert(0, os.path.basename(folder))
        folder = os.path.dirname(folder)
    return ".".join(parts)


def snippet(program: TensorProgram, dialect: Dialect, class_name: str, path: str,
            module: str | None = None) -> str:
    """``module`` names where a class in memory was defined (``__main__``: a notebook's or a
    session's own, which the snippet cannot import and runs beside)."""
    names = program.names()
    lines = []
    arrays = dialect in ("numpy", "torch")
    if arrays:
        lines.append("import numpy as np")
    if module == "__main__":
        lines.append(f"# {class_name}: the class defined in this notebook or session")
    else:
        lines.append(f"from {module or module_name(path)} import {class_name}")
    for i in program.inputs:
        value = nested(list(i.values), i.shape or ((1,) if dialect == "minitorch" else ()))
        made = f"np.array({value!r})" if arrays else repr(value)
        lines.append(f"{i.name} = {class_name}({made})")
    for j, node in enumerate(wire(program, dialect)["nodes"], len(program.inputs)):
        operands = [names[a] if isinstance(a, int) else _number(a["const"], node["call"]["word"])
                    for a in node["args"]]
        here = program.nodes[j - len(program.inputs)]
        call = here.row.call(dialect, here.kwargs)
        assert call is not None
        lines.append(f"{names[j]} = {call.write(operands)}")
    lines.append(f"{names[-1]}.backward()")
    grad = "derivative" if dialect == "scalar" else "grad"
    if dialect == "minitorch":
        lines += [f"print({i.name}.grad.to_numpy())" for i in program.inputs]
        return "\n".join(lines)
    lines += [f"print({i.name}.{grad})" for i in program.inputs]
    return "\n".join(lines)


def _number(v: float, word: str) -> str:
    return str(int(v)) if word == "**" and float(v).is_integer() else repr(v)
