"""The JSON form of a tensor audit, as a JSON Schema: the one schema of every tensor ``--json`` document.

``python -m verify audit --engine x.py:Tensor --json``, ``python -m verify.tensor
--json`` and ``TensorAudit.to_json()`` all give this document (``kind`` is
``"tensor"``); a scalar engine's is ``verify/audit/audit.schema.json``'s.
``python -m verify.tensor --schema`` prints it.
"""

from __future__ import annotations

from typing import Any

from .ops import DIALECTS

_SHAPE = {"type": "array", "items": {"type": "integer", "minimum": 0}}
_NESTED: dict[str, Any] = {}  # a number, or nested lists of numbers (a tensor's values)

FINDING: dict[str, Any] = {
    "type": "object",
    "required": ["kind", "op", "node", "tensor", "pattern", "shapes", "wrong", "expected", "actual",
                 "message", "template", "steps", "largest_dim", "program", "snippet"],
    "properties": {
        "kind": {"enum": ["forward", "gradient", "grad-shape", "seed", "aliasing", "crash", "shape"]},
        "op": {"type": "string"},
        "node": {"type": "integer"},
        "tensor": {"type": "integer"},
        "pattern": {"type": "string"},
        "shapes": {"type": "array", "items": _SHAPE},
        "wrong": {"type": "array", "items": {"type": "array", "items": {"type": "integer"}}},
        "expected": _NESTED,
        "actual": _NESTED,
        "message": {"type": "string"},
        "template": {"type": "string"},
        "steps": {"type": "integer", "minimum": 0},
        "largest_dim": {"type": "integer", "minimum": 0},
        "program": {"type": "object", "required": ["inputs", "nodes"]},
        "snippet": {"type": "string"},
    },
    "additionalProperties": False,
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "tensor audit",
    "type": "object",
    "required": ["engine", "kind", "dialect", "ops", "verdict", "exit_code", "strict", "programs", "seconds",
                 "findings", "fragilities"],
    "properties": {
        "engine": {"type": "string"},
        "kind": {"const": "tensor"},
        "dialect": {"enum": list(DIALECTS)},
        "ops": {"type": "array", "items": {"type": "string"}},
        "verdict": {"enum": ["pass", "fail", "fragile"]},
        "exit_code": {"enum": [0, 1]},
        "strict": {"type": "boolean"},
        "programs": {"type": "integer", "minimum": 0},
        "seconds": {"type": "number", "minimum": 0},
        "findings": {"type": "array", "items": FINDING},
        "fragilities": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
