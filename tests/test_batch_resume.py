"""A batch killed half-way keeps what it finished and leaves no audit running; a re-run does the rest."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
ENGINES = ("unusable.py:NoBackward", "bare.py:BareValue", "base.py:Value")

pytestmark = pytest.mark.slow


def _audits_running_in(folder: Path, *, only_audits: bool = True) -> list[int]:
    """The audit processes (``verify.batch.one``; with ``only_audits=False`` any process, the engines'
    workers too) whose working folder is ``folder``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            here = os.readlink(entry / "cwd")
        except OSError:
            continue
        if (b"verify.batch.one" in command or not only_audits) and here == str(folder):
            found.append(int(entry.name))
    return found


def _wait(what: object, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(what) and what():
            return
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting after {seconds} s")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find audits left running")
def test_a_killed_batch_keeps_its_results_and_the_rerun_does_only_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "verify", "audit", "--jobs", "1", "--max-examples", "5",
               "--out", str(out)]
    for engine in ENGINES:
        command += ["--engine", f"{ZOO}/{engine}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HYPOTHESIS_PROFILE", None)
    batch = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        _wait(lambda: len(list(out.glob("engines/*/record.json"))) == 1 and _audits_running_in(tmp_path), 180)
    finally:
        batch.kill()  # SIGKILL: no handler runs, only the kernel's clean-up
        batch.communicate(timeout=60)
    assert batch.returncode == -signal.SIGKILL
    # the audit it was running died with it, and so did that audit's engine worker
    _wait(lambda: not _audits_running_in(tmp_path, only_audits=False), 30)
    kept = list(out.glob("engines/*/record.json"))
    assert len(kept) == 1
    before = kept[0].stat()

    again = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
                           check=False)
    assert again.returncode == 2, again.stderr  # NoBackward cannot be audited
    with open(out / "summary.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["verdict"] for r in rows] == ["unusable", "fail", "pass"]
    assert sum(r["reused"] == "1" for r in rows) == 1
    assert kept[0].stat().st_mtime_ns == before.st_mtime_ns  # the finished result was not redone
    assert again.stderr.count("from an earlier run") == 1
    assert len(list(out.glob("engines/*/record.json"))) == 3

    other_seed = subprocess.run([*command, "--seed", "1", "-q"], cwd=tmp_path, env=env, capture_output=True,
                                text=True, timeout=600, check=False)
    assert other_seed.returncode == 2
    with open(out / "summary.csv", newline="") as stream:
        assert [r["reused"] for r in csv.DictReader(stream)] == ["0", "0", "0"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find audits left running")
def test_ctrl_c_stops_the_batch_with_exit_2_and_keeps_what_is_done(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "verify", "audit", "--max-examples", "5", "--out", str(out), "-q"]
    for engine in ENGINES[:2]:
        command += ["--engine", f"{ZOO}/{engine}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HYPOTHESIS_PROFILE", None)
    batch = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True)
    try:
        _wait(lambda: len(list(out.glob("engines/*/record.json"))) == 1 and _audits_running_in(tmp_path), 180)
        os.killpg(batch.pid, signal.SIGINT)  # what Ctrl-C does: the signal to the whole foreground group
        _, stderr = batch.communicate(timeout=120)
    finally:
        if batch.poll() is None:
            os.killpg(batch.pid, signal.SIGKILL)
            batch.communicate()
    assert batch.returncode == 2
    assert stderr.strip().endswith(f"interrupted; the finished results are kept in {out}: "
                                   "the same command again does the rest")
    assert "Traceback" not in stderr
    assert len(list(out.glob("engines/*/record.json"))) == 1
    _wait(lambda: not _audits_running_in(tmp_path, only_audits=False), 30)
