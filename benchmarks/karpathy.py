"""Fetch karpathy's micrograd 0.1.0 from the package index and import it beside ours.

Both packages are called ``micrograd``: this module imports the other one
under that name with our modules set aside, keeps its classes, and puts ours
back. Its code is never copied into this repository.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

VERSION = "0.1.0"


class Karpathy(NamedTuple):
    Value: Any
    MLP: Any
    wheel: str


def load(folder: str | None = None) -> Karpathy:
    """Download micrograd==0.1.0 (no deps) into a temporary folder and import it.

    Raises RuntimeError with pip's message when it cannot be downloaded.
    """
    folder = folder or tempfile.mkdtemp(prefix="micrograd-0.1.0-")
    command = [sys.executable, "-m", "pip", "download", f"micrograd=={VERSION}", "--no-deps",
               "--only-binary", ":all:", "--quiet", "-d", folder]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    wheels = sorted(Path(folder).glob("micrograd-*.whl"))
    if done.returncode != 0 or not wheels:
        raise RuntimeError(f"pip download micrograd=={VERSION} failed: {done.stderr.strip() or done.stdout}")
    unpacked = Path(folder) / "unpacked"
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(unpacked)

    ours = {name: module for name, module in sys.modules.items() if _is_micrograd(name)}
    for name in ours:
        del sys.modules[name]
    sys.path.insert(0, str(unpacked))
    try:
        engine: ModuleType = importlib.import_module("micrograd.engine")
        nn: ModuleType = importlib.import_module("micrograd.nn")
    finally:
        sys.path.remove(str(unpacked))
        for name in [n for n in sys.modules if _is_micrograd(n)]:
            del sys.modules[name]
        sys.modules.update(ours)
    if not str(engine.__file__).startswith(str(unpacked)):
        raise RuntimeError(f"imported the wrong micrograd: {engine.__file__}")
    return Karpathy(engine.Value, nn.MLP, wheels[0].name)


def _is_micrograd(name: str) -> bool:
    return name == "micrograd" or name.startswith("micrograd.")
