"""``--isolate``: the engine's worker cannot write the user's files, has a /tmp of its own, no network.

The same engine (``writes_files.py``: at import it writes a file, looks at
/tmp and connects to a port this test listens on at 127.0.0.1, printing each
outcome) is audited with and without confinement; its printed outcomes come
back as its captured output. No connection leaves this machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.audit.engine import confine
from verify.audit.engine.sandbox import UnusableEngine

ROOT = Path(__file__).resolve().parent.parent
ENGINE = ROOT / "tests" / "engines" / "sandbox" / "writes_files.py"
needs_bwrap = pytest.mark.skipif(confine.why_not() is not None, reason=f"{confine.why_not()}")


@pytest.fixture
def probes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A port listening on 127.0.0.1 and a file in the real /tmp, named to the engine by its environment."""
    with socket.create_server(("127.0.0.1", 0)) as server, \
            tempfile.NamedTemporaryFile(dir="/tmp") as sentinel:
        monkeypatch.setenv("AUDIT_TEST_PORT", str(server.getsockname()[1]))
        monkeypatch.setenv("AUDIT_TEST_SENTINEL", sentinel.name)
        yield


@needs_bwrap
def test_isolated_the_engine_cannot_write_and_has_a_private_tmp(monkeypatch: pytest.MonkeyPatch,
                                                                probes: None) -> None:
    target = ENGINE.parent / f"planted-{uuid.uuid4().hex}.txt"  # a folder the user can write to
    monkeypatch.setenv("AUDIT_TEST_WRITE", str(target))
    try:
        result = audit(f"{ENGINE}:Writes", max_examples=3, isolate=True)
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)
    said = result.engine_output.stdout.text().splitlines()
    assert "write: refused (OSError)" in said, said  # EROFS: the file system is read-only
    assert "tmp: private True, writable True" in said  # a /tmp of its own: the real one's file unseen
    assert any(line.startswith("network: refused") for line in said), said
    assert result.exit_code == 0  # confined, the correct engine still passes


def test_without_isolation_the_same_engine_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  probes: None) -> None:
    target = tmp_path / "planted.txt"
    monkeypatch.setenv("AUDIT_TEST_WRITE", str(target))
    result = audit(f"{ENGINE}:Writes", max_examples=3)
    said = result.engine_output.stdout.text().splitlines()
    assert "write: done" in said and "network: connected" in said, said
    assert "tmp: private False, writable True" in said, said
    assert target.read_text() == "written by the engine\n"


@needs_bwrap
def test_a_class_in_memory_cannot_be_isolated_and_says_so() -> None:
    class Local:
        def __init__(self, data: float) -> None:
            self.data, self.grad = data, 0.0

        def backward(self) -> None:
            self.grad = 1.0

    with pytest.raises(UnusableEngine, match="class defined in memory cannot be confined"):
        audit(Local, max_examples=1, isolate=True)


def test_where_bwrap_cannot_be_found_isolate_is_refused_with_exit_2() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": "/nonexistent"}
    done = subprocess.run([sys.executable, "-m", "verify", "audit", "--engine", f"{ENGINE}:Writes",
                           "--isolate", "--max-examples", "1"], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert "--isolate needs bubblewrap (bwrap), which is not installed" in done.stderr
    assert done.stdout == ""
