"""The JSON form of a tensor audit (``TensorAudit.to_json``), as a JSON Schema."""

from __future__ import annotations

from typing import Any

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
    "required": ["engine", "kind", "dialect", "ops", "verdict", "programs", "seconds", "findings",
                 "fragilities"],
    "properties": {
        "engine": {"type": "string"},
        "kind": {"const": "tensor"},
        "dialect": {"enum": ["numpy", "torch", "scalar"]},
        "ops": {"type": "array", "items": {"type": "string"}},
        "verdict": {"enum": ["pass", "fail", "fragile"]},
        "programs": {"type": "integer", "minimum": 0},
        "seconds": {"type": "number", "minimum": 0},
        "findings": {"type": "array", "items": FINDING},
        "fragilities": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
