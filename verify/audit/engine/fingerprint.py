"""Tamper evidence: the identity of everything the worker relies on, taken before the engine loads.

The worker runs the foreign engine in its own process; an engine can replace
a function, a method or an op row the worker uses. ``Fingerprint`` records
their identities first and ``changes()`` names what was replaced since. The
worker fingerprints this module too, so patching it is seen like the rest.
"""

from __future__ import annotations

import builtins
from types import ModuleType
from typing import Any

_MISSING = object()

_HEAP_TYPE = 1 << 9
"""Py_TPFLAGS_HEAPTYPE: a class defined in Python, whose methods can be replaced."""

_BUILTINS = ("float", "int", "str", "bytes", "bool", "complex", "type", "object", "isinstance", "getattr",
             "hasattr", "callable", "repr", "len", "list", "tuple", "dict", "set", "range", "enumerate",
             "zip", "any", "all", "min", "max", "abs", "sorted", "iter", "next", "vars", "id", "super")
"""The builtins the worker's code calls: replacing one is tampering (adding names is not)."""


class Fingerprint:
    """The identity of every function, class, method, code object and op row the worker relies on.

    Taken before the engine is loaded; ``changes()`` compares it with what is there now, fast
    enough to run after every request (a flat list of lookups, labels made only for a change).
    """

    def __init__(self, objects: dict[str, Any]) -> None:
        self.entries: list[tuple[str, Any, str, int, int, int]] = []
        """(label, namespace, key, id of the value, id of its code, id of its defaults)."""
        for label, obj in objects.items():
            if obj is builtins:
                namespace: Any = vars(builtins)
                keys: Any = [k for k in _BUILTINS if k in namespace]
            else:
                namespace = obj if isinstance(obj, dict) else vars(obj)
                keys = [k for k in list(namespace) if isinstance(k, str)]
            for key in keys:
                self._add(label, namespace, key, namespace[key], deep=True)

    def _add(self, label: str, namespace: Any, key: str, value: Any, deep: bool) -> None:
        if isinstance(value, ModuleType):
            self._entry(label, namespace, key, value)
        elif isinstance(value, type):
            self._entry(label, namespace, key, value)
            if deep and value.__flags__ & _HEAP_TYPE:
                members = vars(value)
                for name, member in list(members.items()):
                    if callable(member) or isinstance(member, (staticmethod, classmethod, property)):
                        self._entry(f"{label}.{key}", members, name, member)
        elif deep and hasattr(type(value), "__dataclass_fields__"):  # a row of the op table
            self._entry(label, namespace, key, value)
            fields = vars(value)
            for name in type(value).__dataclass_fields__:
                if name in fields:
                    self._entry(f"{label}.{key}", fields, name, fields[name])
        elif callable(value):
            self._entry(label, namespace, key, value)

    def _entry(self, label: str, namespace: Any, key: str, value: Any) -> None:
        code = getattr(value, "__code__", None)
        self.entries.append((label, namespace, key, id(value), id(code),
                             id(getattr(value, "__defaults__", None)) if code is not None else 0))

    def changes(self) -> list[str]:
        """What was replaced or removed since the fingerprint was taken (at most 5)."""
        found = []
        for label, namespace, key, value_id, code_id, defaults_id in self.entries:
            value = namespace.get(key, _MISSING)
            if id(value) != value_id:
                found.append(f"{label}.{key} was {'removed' if value is _MISSING else 'replaced'}")
            elif defaults_id:
                if id(getattr(value, "__code__", None)) != code_id:
                    found.append(f"{label}.{key}.__code__ was replaced")
                elif id(getattr(value, "__defaults__", None)) != defaults_id:
                    found.append(f"{label}.{key}.__defaults__ was replaced")
            if len(found) == 5:
                break
        return found
