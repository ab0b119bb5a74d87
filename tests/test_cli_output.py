"""``python -m verify audit`` writes its report as ``expr`` does: a failure to write is exit 2 and one line.

Both commands and the dispatcher share ``verify.cli.output``; the shell cases
run the audit as a user types it (bash, a fresh interpreter, a small engine
and one op so each run takes seconds).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from verify.cli import output

ROOT = Path(__file__).resolve().parent.parent
AUDIT = '"$PY" -m verify audit --engine tests/engines/sandbox/tiny.py:Value --ops add --max-examples 1 -q'


def shell(command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PY": sys.executable}
    return subprocess.run(["bash", "-c", command], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["", "--json"])
def test_audit_to_a_full_device_is_exit_2_in_one_line(mode: str) -> None:
    result = shell(f"{AUDIT} {mode} > /dev/full")
    assert result.returncode == 2
    assert result.stderr == "error: cannot write standard output: No space left on device\n"


def test_audit_with_stdout_closed_is_refused_before_it_runs() -> None:
    result = shell(f"{AUDIT} >&-")
    assert result.returncode == 2
    assert result.stderr == "error: cannot write standard output: it is closed\n"


@pytest.mark.slow
def test_audit_to_a_reader_that_left_ends_quietly_with_its_code() -> None:
    result = shell(f'{AUDIT} --json | true; echo "rc=${{PIPESTATUS[0]}}"')
    assert (result.stdout, result.stderr) == ("rc=0\n", "")


def test_audit_help_documents_the_write_failure() -> None:
    from verify.cli.audit import EPILOG

    assert "standard output cannot be written" in EPILOG and "stops early" in EPILOG


def test_audit_help_wraps_the_op_list_between_names() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "80"}
    done = subprocess.run([sys.executable, "-m", "verify", "audit", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    text = done.stdout
    start = text.index("  --ops LIST ")
    listed = " ".join(text[start:text.index("--timeout SECONDS", start)].split())
    from micrograd.ops import OPS

    assert listed.endswith(": " + ", ".join(OPS))  # every name whole: wrapped only at spaces


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counting open descriptors needs /proc")
def test_silence_leaves_no_descriptor_open(tmp_path: Path) -> None:
    with open(tmp_path / "out.txt", "w") as stream:
        before = _open_fds()
        for _ in range(5):
            output.silence(stream)
        assert _open_fds() == before
        stream.write("gone")
    assert (tmp_path / "out.txt").read_text() == ""  # the descriptor now points at the null device

