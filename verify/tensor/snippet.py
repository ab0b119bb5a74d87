"""A tensor program as a snippet in the engine's own API, to paste and see the bug."""

from __future__ import annotations

import os

from .check import nested
from .ops import Dialect
from .program import TensorProgram
from .runner import wire


def snippet(program: TensorProgram, dialect: Dialect, class_name: str, path: str) -> str:
    module = os.path.splitext(os.path.basename(path))[0]
    names = program.names()
    lines = []
    if dialect != "scalar":
        lines.append("import numpy as np")
    lines.append(f"from {module} import {class_name}")
    for i in program.inputs:
        value = nested(list(i.values), i.shape)
        made = repr(value) if dialect == "scalar" else f"np.array({value!r})"
        lines.append(f"{i.name} = {class_name}({made})")
    for j, node in enumerate(wire(program, dialect)["nodes"], len(program.inputs)):
        operands = [names[a] if isinstance(a, int) else _number(a["const"], node["call"]["word"])
                    for a in node["args"]]
        here = program.nodes[j - len(program.inputs)]
        call = here.row.calls[dialect](here.kwargs)
        lines.append(f"{names[j]} = {call.write(operands)}")
    lines.append(f"{names[-1]}.backward()")
    grad = "derivative" if dialect == "scalar" else "grad"
    lines += [f"print({i.name}.{grad})" for i in program.inputs]
    return "\n".join(lines)


def _number(v: float, word: str) -> str:
    return str(int(v)) if word == "**" and float(v).is_integer() else repr(v)
