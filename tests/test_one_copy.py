"""The tests exercise one copy of the code, however pytest is started (``pytest``, ``python -m pytest``, tox).

``python -m pytest`` in a checkout beside a non-editable install used to test
the checkout in the test process and the installed copy in every process the
tests started; ``tests/conftest.py`` now hands its copy on.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import micrograd
import verify


def test_a_child_process_imports_the_copy_the_tests_import(tmp_path: Path) -> None:
    code = "import micrograd, verify; print(micrograd.__file__); print(verify.__file__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, check=True)
    child = [str(Path(line).resolve()) for line in done.stdout.splitlines()]
    assert child == [str(Path(micrograd.__file__).resolve()), str(Path(verify.__file__).resolve())]
