"""A finding's reproduction runs launched as the audit's worker is: in a PID namespace, or confined.

The engines have a real bug (a tanh gradient 10% too large), so the audit has a finding and runs
the printed program again in fresh interpreters. ``KillsAuditorWithABug`` SIGKILLs whoever started
the run from its backward(); ``WritesWithABug`` writes a file when it is imported. A control run
with the reproduction launched plainly shows the attack is real (the audit dies).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.audit.engine import confine, namespace

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = ROOT / "tests" / "engines" / "sandbox"
KILLS = f"{SANDBOX / 'signals_auditor.py'}:KillsAuditorWithABug"
WRITES = f"{SANDBOX / 'writes_files.py'}:WritesWithABug"

needs_namespace = pytest.mark.skipif(namespace.why_not() is not None,
                                     reason=f"no PID namespace here: {namespace.why_not()}")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a session of its own: the engine's killpg cannot reach the test run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=240, start_new_session=True)


@needs_namespace
def test_a_reproduction_cannot_kill_the_audit() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "verify", "audit", "--engine", KILLS, "--max-examples", "5",
                           "--deadline", "120", "--json"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=240, start_new_session=True)
    assert done.returncode == 1, (done.returncode, done.stderr[-500:])
    result = json.loads(done.stdout)
    assert result["verdict"] == "fail"
    tanh = [f for f in result["findings"] if f["op"] == "tanh"]
    assert tanh and tanh[0]["reproduced"] == [5, 5], tanh  # each run was killed at nothing, and printed


@needs_namespace
def test_launched_plainly_the_reproduction_kills_the_audit() -> None:
    # The control: the worker still in its namespace, only the reproduction runs launched plainly.
    done = _python(f"""
        import verify
        import verify.audit.reproduce as reproduce
        plain = reproduce.reproduces
        reproduce.reproduces = lambda *a, **k: plain(*a, **{{**k, "launcher": []}})
        verify.audit({KILLS!r}, max_examples=5, deadline=120)
        print("survived")
    """)
    assert done.returncode == -9 and "survived" not in done.stdout, (done.returncode, done.stderr[-500:])


@pytest.mark.skipif(confine.why_not() is not None, reason=f"{confine.why_not()}")
def test_isolated_a_reproduction_cannot_write(monkeypatch: pytest.MonkeyPatch) -> None:
    target = SANDBOX / f"planted-{uuid.uuid4().hex}.txt"  # a folder the user can write to
    monkeypatch.setenv("AUDIT_TEST_WRITE", str(target))
    try:
        result = audit(WRITES, max_examples=5, deadline=120, isolate=True)
        assert not target.exists()
    finally:
        target.unlink(missing_ok=True)
    tanh = [f for f in result.findings if f.op == "tanh"]
    assert tanh and tanh[0].reproduced == (5, 5), tanh  # the runs did run, confined


def test_without_isolation_the_reproduction_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "planted.txt"
    monkeypatch.setenv("AUDIT_TEST_WRITE", str(target))
    result = audit(WRITES, max_examples=5, deadline=120)
    assert [f.reproduced for f in result.findings if f.op == "tanh"][:1] == [(5, 5)]
    assert target.read_text() == "written by the engine\n"
