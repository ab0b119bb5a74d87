"""Tamper evidence and repair: everything the worker relies on, recorded before the engine loads.

The worker runs the foreign engine in its own process; an engine can replace
a function, a method, a function's code, an op row, an attribute of the
channel or the handler table the worker uses. ``Fingerprint`` keeps a
reference to each of them first; ``changes()`` names what was replaced since
and puts the original back, so the worker's own code answers (and reports
the tampering) even after an engine rewired it. The worker fingerprints this
module too, and checks the check itself (``Fingerprint.changes``'s code and
the entries) from variables of its own frame, which an engine can read but
not rebind.
"""

from __future__ import annotations

import builtins
from types import FunctionType, ModuleType
from typing import Any

_MISSING = object()

_HEAP_TYPE = 1 << 9
"""Py_TPFLAGS_HEAPTYPE: a class defined in Python, whose methods can be replaced."""

_BUILTINS = ("float", "int", "str", "bytes", "bool", "complex", "type", "object", "isinstance", "getattr",
             "hasattr", "callable", "repr", "len", "list", "tuple", "dict", "set", "range", "enumerate",
             "zip", "any", "all", "min", "max", "abs", "sorted", "iter", "next", "vars", "id", "super",
             "memoryview", "setattr", "delattr")
"""The builtins the worker's code calls: replacing one is tampering (adding names is not)."""

Entry = tuple[str, Any, Any, str, Any, Any, Any]
"""(label, owner, namespace, key, value, its code, its defaults): the value itself is kept, so a
replacement is seen by identity (``is``) and can be put back."""

Sealed = tuple[tuple[str, Any, dict[str, Any], frozenset[str]], ...]
"""(label, object, its attributes, their names): objects that must keep exactly these attributes."""


class Fingerprint:
    """Every function, class, method, code object and op row the worker relies on, kept by reference.

    ``objects`` are namespaces whose callables are recorded (a module, a dict, a class);
    ``sealed`` are objects whose every attribute is recorded and which must not gain one (the
    channel, its JSON encoder and decoder: an attribute added to an instance shadows its class's
    method). ``changes()`` is a flat list of identity checks, fast enough to run after every
    request.
    """

    def __init__(self, objects: dict[str, Any], sealed: dict[str, Any] | None = None) -> None:
        entries: list[Entry] = []
        self._entries = entries
        for label, obj in objects.items():
            if obj is builtins:
                namespace: Any = vars(builtins)
                keys: Any = [k for k in _BUILTINS if k in namespace]
            else:
                namespace = obj if isinstance(obj, dict) else vars(obj)
                keys = [k for k in list(namespace) if isinstance(k, str)]
            for key in keys:
                self._add(label, obj, namespace, key, namespace[key], deep=True)
        self.sealed: Sealed = tuple(
            (label, obj, vars(obj), frozenset(vars(obj))) for label, obj in (sealed or {}).items())
        for label, obj, namespace, keys in self.sealed:
            for key in keys:
                self._entry(label, obj, namespace, key, namespace[key])
        self.entries: tuple[Entry, ...] = tuple(entries)
        del self._entries

    def _add(self, label: str, owner: Any, namespace: Any, key: str, value: Any, deep: bool) -> None:
        if isinstance(value, ModuleType):
            self._entry(label, owner, namespace, key, value)
        elif isinstance(value, type):
            self._entry(label, owner, namespace, key, value)
            if deep and value.__flags__ & _HEAP_TYPE:
                members = vars(value)
                for name, member in list(members.items()):
                    if callable(member) or isinstance(member, (staticmethod, classmethod, property)):
                        self._entry(f"{label}.{key}", value, members, name, member)
        elif deep and hasattr(type(value), "__dataclass_fields__"):  # a row of the op table
            self._entry(label, owner, namespace, key, value)
            fields = vars(value)
            for name in type(value).__dataclass_fields__:
                if name in fields:
                    self._entry(f"{label}.{key}", value, fields, name, fields[name])
        elif callable(value):
            self._entry(label, owner, namespace, key, value)

    def _entry(self, label: str, owner: Any, namespace: Any, key: str, value: Any) -> None:
        function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        code = function.__code__ if isinstance(function, FunctionType) else None
        defaults = function.__defaults__ if code is not None else None
        self._entries.append((label, owner, namespace, key, value, code, defaults))

    def changes(self) -> list[str]:
        """What was replaced, removed or added since the fingerprint was taken (``changes``)."""
        return changes(self.entries, self.sealed)


def changes(entries: tuple[Entry, ...], sealed: Sealed) -> list[str]:
    """What was replaced, removed or added since ``entries`` and ``sealed`` were taken (at most 5
    named); each is put back as it was.

    A function of its arguments, not of a ``Fingerprint``'s attributes: the worker passes the
    tuples it holds in its own frame, so emptying or replacing the object's entries changes nothing.
    """
    found = []
    for label, owner, namespace, key, value, code, defaults in entries:
        now = namespace.get(key, _MISSING)
        if now is not value:
            found.append(f"{label}.{key} was {'removed' if now is _MISSING else 'replaced'}")
            _put(owner, namespace, key, value)
        elif code is not None:
            function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if function.__code__ is not code:
                found.append(f"{label}.{key}.__code__ was replaced")
                function.__code__ = code
            if function.__defaults__ is not defaults:
                found.append(f"{label}.{key}.__defaults__ was replaced")
                function.__defaults__ = defaults
    for label, _, namespace, keys in sealed:
        for key in [k for k in namespace if k not in keys]:
            found.append(f"{label}.{key} was added")
            del namespace[key]
    return found[:5]


def _put(owner: Any, namespace: Any, key: str, value: Any) -> None:
    if isinstance(namespace, dict):
        namespace[key] = value
    else:  # a class's mappingproxy
        type.__setattr__(owner, key, value)
