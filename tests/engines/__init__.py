"""Small micrograd-style engines for testing the audit: one correct, the rest with planted bugs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ZOO = Path(__file__).resolve().parent / "zoo"


def zoo_class(file: str, name: str = "Value") -> type:
    """A class of the zoo (``tests/engines/zoo/FILE``), loaded by path under a module name of its own."""
    spec = importlib.util.spec_from_file_location(f"zoo_{Path(file).stem}_loaded", ZOO / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cls: type = getattr(module, name)
    return cls
