"""The JSON form of a tensor audit: the ``tensor`` branch of ``verify/audit/audit.schema.json``.

That file is the one schema of every ``audit --json`` document, scalar and tensor alike (a
top-level ``oneOf`` of ``$defs/scalar`` and ``$defs/tensor``). ``python -m verify audit --engine
x.py:Tensor --json``, ``python -m verify.tensor --json`` and ``TensorAudit.to_json()`` give a
document of its ``tensor`` branch (``kind`` is ``"tensor"``). ``SCHEMA`` is that branch read from
the file, made a schema of its own (with the ``tensor_*`` definitions it refers to), so the two
cannot drift; ``python -m verify.tensor --schema`` prints it.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any


def _branch() -> dict[str, Any]:
    whole: dict[str, Any] = json.loads(files("verify.audit").joinpath("audit.schema.json").read_text("utf-8"))
    defs: dict[str, Any] = whole["$defs"]
    return {"$schema": whole["$schema"], "title": "tensor audit (audit.schema.json, $defs/tensor)",
            **defs["tensor"], "$defs": {name: d for name, d in defs.items() if name.startswith("tensor_")}}


SCHEMA: dict[str, Any] = _branch()
