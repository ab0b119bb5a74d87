"""Which engine class to audit: ``path/to/file.py:Class`` or ``package.module:Class``, read once.

The sandbox checks it, the worker loads it and the report writes the import
line of the reproduction from the same ``EngineSpec``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_SPEC = re.compile(r"^(?P<target>[^:]+):(?P<name>[A-Za-z_][A-Za-z0-9_]*)$")
_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class UsageError(Exception):
    """The engine spec is malformed."""


@dataclass(frozen=True)
class EngineSpec:
    """An engine class named by a file or a module, and the class name."""

    text: str
    """The spec as given, e.g. ``tests/engines/planted.py:SignOfNegatives``."""
    target: str
    """The file path or the module name (before the last ':')."""
    name: str
    """The class name."""

    @classmethod
    def parse(cls, text: str) -> EngineSpec:
        """Read ``text``; ``UsageError`` unless it is path/to/file.py:Class or package.module:Class."""
        match = _SPEC.match(text)
        if match is None:
            raise UsageError(
                f"--engine {text!r}: expected path/to/file.py:ClassName or package.module:ClassName"
            )
        spec = cls(text, match["target"], match["name"])
        if not (spec.is_file or _MODULE.match(spec.target)):
            raise UsageError(f"--engine {text!r}: {spec.target!r} is neither a .py file nor a module name")
        return spec

    @property
    def is_file(self) -> bool:
        """The target is a file path (it ends in .py or has a path separator), not a module name."""
        return self.target.endswith(".py") or "/" in self.target or os.sep in self.target

    @property
    def path(self) -> Path:
        """The file, resolved (for a file target)."""
        return Path(self.target).resolve()
