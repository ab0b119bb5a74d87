"""The audit's sandbox cannot leak: hostile, hanging, crashing and greedy engines, each in a worker.

Every process the audit starts carries a marker in its environment (set here),
so a test can prove that none outlives the audit: every process in /proc whose
environment holds the marker must be gone when the audit returns.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from verify.audit.api import audit
from verify.audit.engine.protocol import Captured, EngineOutput
from verify.audit.engine.sandbox import EngineFailed, EngineProcess
from verify.cli.audit import main
from verify.program import Const, Program, Step

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
SANDBOX = ROOT / "tests" / "engines" / "sandbox"
MARK = "VERIFY_SANDBOX_TEST_MARK"

MUL = Program((("x", 2.0), ("y", 3.0)), (Step("mul", (0, 1)),))
ADD = Program((("x", 2.0),), (Step("add", (0, Const(1.5))),))

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find leftover processes")


def marked(mark: str) -> list[int]:
    """Every live process whose environment carries ``MARK=mark`` (zombies have none left)."""
    needle = f"{MARK}={mark}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if needle in environ.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


@pytest.fixture
def mark(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A marker in this process's environment, inherited by every worker; none may be left after."""
    value = uuid.uuid4().hex
    monkeypatch.setenv(MARK, value)
    yield value
    assert marked(value) == [], "a process the audit started outlived it"


def cli(*args: str, mark: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    """``python -m verify audit ...`` with its output captured, as a caller with pipes would run it."""
    env = {**os.environ, MARK: mark, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "verify", "audit", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout)
    return done, time.monotonic() - started


# ---- children the engine forks ----

def test_an_engine_that_forks_when_imported_neither_stalls_nor_outlives_the_audit(mark: str) -> None:
    # The child sleeps 40 s holding every descriptor it inherited: none is the caller's pipe.
    done, seconds = cli("--engine", f"{ZOO / 'hostile_fork.py'}:ForksAtImport", "--max-examples", "3",
                        mark=mark)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no fault found" in done.stdout
    assert seconds < 20, f"the caller waited {seconds:.0f} s for its pipes"
    assert marked(mark) == []


def test_children_forked_in_every_backward_are_killed_at_the_end(mark: str) -> None:
    with EngineProcess(f"{ZOO / 'hostile.py'}:ForksRenderer", 5.0) as engine:
        for _ in range(5):
            assert engine.run(MUL).grad == (3.0, 2.0, 1.0)
        assert engine.probe("twice").first == 4.0
        assert len(marked(mark)) >= 7  # the worker and a sleeping renderer per backward()
    assert marked(mark) == []


def test_a_grandchild_in_a_session_of_its_own_is_killed_too(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:ForksEscapee", 5.0) as engine:
        assert engine.run(MUL).grad == (3.0, 2.0, 1.0)
        assert engine.run(MUL).stage == "done"
        assert len(marked(mark)) >= 3  # the worker and two grandchildren that left its session
    assert marked(mark) == []


def test_a_restart_kills_what_the_old_worker_started(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:ForksEscapee", 5.0) as engine:
        engine.run(MUL)
        engine.close()  # as after a hang: the next request starts a fresh worker
        assert marked(mark) == []
        assert engine.run(MUL).stage == "done"
        assert engine.restarts == 1


# ---- output: captured, bounded, labelled ----

def test_a_flood_on_stderr_at_import_is_counted_not_kept(mark: str,
                                                         capfd: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    with EngineProcess(f"{ZOO / 'hostile_flood.py'}:FloodsStderr", 10.0) as engine:
        assert engine.run(MUL).grad == (3.0, 2.0, 1.0)
    stderr = engine.output.stderr
    assert stderr.total >= 300 << 20 and stderr.kept <= 64 << 10
    assert time.monotonic() - started < 15
    assert "300.0 MiB on stderr" in engine.output.summary()
    out, err = capfd.readouterr()  # this process's own file descriptors 1 and 2
    assert out == "" and err == "", "the flood reached the caller's stderr"


def test_forged_lines_at_import_stay_the_engines(mark: str, capfd: pytest.CaptureFixture[str]) -> None:
    with EngineProcess(f"{SANDBOX / 'prints_at_import.py'}:Quiet", 5.0) as engine:
        engine.run(MUL)
    assert capfd.readouterr() == ("", "")
    assert engine.output.stdout.text().startswith("no fault found\nPASS: all 2 input gradients agree")
    assert all(line.startswith(("the engine wrote", "  engine std")) for line in engine.output.labelled())


def test_a_forged_verdict_never_reaches_the_user(mark: str, capfd: pytest.CaptureFixture[str]) -> None:
    # Its mul is wrong and every backward() prints "no fault found" and PASS lines on both streams.
    argv = ["--engine", f"{ZOO / 'hostile.py'}:ForgedVerdict", "--max-examples", "5", "--ops", "mul,add"]
    assert main(argv) == 1
    out, err = capfd.readouterr()
    assert "FAULT" in out
    assert "no fault found" not in err and "PASS: all 2 input gradients agree" not in err
    forged = [line for line in out.splitlines() if "no fault found" in line or "PASS: all 2" in line]
    labels = ("engine stdout | ", "engine stderr | ")
    assert forged and all(line.lstrip().startswith(labels) for line in forged)  # only labelled


def test_the_engines_output_is_kept_and_shown_only_labelled(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:Chatty", 5.0) as engine:
        for _ in range(3):
            engine.run(MUL)
    output = engine.output
    assert output.stdout.text().count("chatty: backward done") == 3
    assert "chatty: on stderr" in output.stderr.text()
    lines = output.labelled()
    assert lines[0].startswith("the engine wrote ") and "labelled" in lines[0]
    assert all(line.startswith(("  engine stdout | ", "  engine stderr | ")) for line in lines[1:])
    assert output.to_dict()["stdout"]["bytes"] == 3 * len("chatty: backward done\n")


def test_captured_output_keeps_a_head_and_a_tail() -> None:
    captured = Captured()
    for i in range(100):
        captured.add(f"line {i:03}\n".encode() * 100)
    assert captured.total == 100 * 900 and captured.kept == 64 << 10
    text = captured.text()
    assert text.startswith("line 000") and text.rstrip().endswith("line 099")
    assert "bytes not kept" in text
    assert captured.last_line() == "line 099"
    assert EngineOutput().labelled() == []


# ---- memory ----

def test_an_engine_over_the_memory_limit_is_a_memory_failure(mark: str) -> None:
    with EngineProcess(f"{ZOO / 'hostile.py'}:AllocatesWorkspace", 10.0) as engine:
        with pytest.raises(EngineFailed) as failed:
            engine.run(MUL)
        assert failed.value.kind == "memory" and failed.value.program == MUL
        assert "the engine used more than 2 GiB of memory" in str(failed.value)
        with pytest.raises(EngineFailed, match="memory"):
            engine.run(ADD)
        assert engine.restarts == 0  # the worker survives a MemoryError
    with (EngineProcess(f"{SANDBOX / 'misbehaving.py'}:Allocates", 10.0, memory=256 << 20) as engine,
          pytest.raises(EngineFailed, match="more than 256 MiB")):
        engine.run(MUL)
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:Allocates", 10.0) as engine:
        assert engine.run(MUL).grad == (3.0, 2.0, 1.0)  # 300 MiB is within the default 2 GiB


def test_a_memory_hog_is_a_finding_not_a_pass(mark: str) -> None:
    result = audit(f"{ZOO / 'hostile.py'}:AllocatesWorkspace", max_examples=2)
    finding = result.campaign.finding
    assert finding is not None and finding.kind == "memory", finding
    assert result.exit_code == 1


# ---- the engine cannot reach the verifier ----

def test_patching_verify_through_sys_modules_finds_nothing_and_the_doubling_is_caught(mark: str) -> None:
    result = audit(f"{ZOO / 'hostile_patch.py'}:PatchesVerifier", max_examples=10)
    assert result.exit_code == 1
    finding = result.campaign.finding
    assert finding is not None and finding.kind != "tampered"  # nothing was found to patch


def test_rewriting_the_workers_code_is_tampering_never_a_pass(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'tampers_at_import.py'}:Doubles", 5.0) as engine:
        assert engine.tampered is not None
        assert "verify.audit.engine.worker.run.__code__ was replaced" in engine.tampered
        with pytest.raises(EngineFailed) as failed:
            engine.run(MUL)
        assert failed.value.kind == "tampered"
        assert str(failed.value).startswith("the engine modified the auditing code")


def test_tampering_during_a_request_is_seen_after_it(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'tampers_later.py'}:ReplacesFloat", 5.0) as engine:
        assert engine.tampered is None
        with pytest.raises(EngineFailed, match=r"builtins\.float was replaced"):
            engine.run(MUL)
        with pytest.raises(EngineFailed, match="modified the auditing code"):
            engine.run(ADD)  # once seen, never trusted again
        assert engine.probe("leaf") is not None  # probes still answer


# ---- hangs, crashes, deadlines ----

def test_a_hang_names_its_program_and_the_next_request_gets_a_fresh_worker(mark: str) -> None:
    spin = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))),))
    with EngineProcess(f"{ZOO / 'hangs.py'}:SpinLockOps", 0.5) as engine:
        started = time.monotonic()
        with pytest.raises(EngineFailed) as failed:
            engine.run(spin)
        assert time.monotonic() - started < 3
        assert (failed.value.kind, failed.value.request, failed.value.program) == ("hang", "run", spin)
        assert "no answer within 0.5 s" in str(failed.value)
        assert engine.run(ADD).grad == (1.0, 1.0)
        assert engine.restarts == 1


def test_the_deadline_cuts_a_request_and_refuses_the_next(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:SpinsInBackward", 30.0, deadline=1.0) as engine:
        started = time.monotonic()
        with pytest.raises(EngineFailed) as failed:
            engine.run(MUL)
        assert failed.value.kind == "deadline"
        assert time.monotonic() - started < 3
        with pytest.raises(EngineFailed, match="deadline has passed"):
            engine.run(MUL)
        remaining = engine.remaining()
        assert remaining is not None and remaining <= 0


@pytest.mark.parametrize(("cls", "said"), [("ExitsInBackward", "exit code 3"),
                                          ("SegfaultsInBackward", "SIGSEGV")])
def test_a_worker_that_dies_is_a_crash_with_its_cause(cls: str, said: str, mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:{cls}", 5.0) as engine:
        with pytest.raises(EngineFailed) as failed:
            engine.run(MUL)
        assert failed.value.kind == "crash" and said in str(failed.value), str(failed.value)
        assert failed.value.program == MUL


def test_system_exit_in_backward_is_an_answer_not_a_dead_worker(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:RaisesSystemExit", 5.0) as engine:
        answer = engine.run(MUL)
        assert answer.stage == "backward" and answer.error is not None and answer.error.type == "SystemExit"
        assert engine.restarts == 0


def test_a_slow_backward_is_timed(mark: str) -> None:
    with EngineProcess(f"{SANDBOX / 'misbehaving.py'}:SlowBackward", 5.0) as engine:
        answer = engine.run(MUL)
    assert answer.backward_seconds >= 0.3 and answer.forward_seconds < 0.1
    assert answer.seconds == answer.forward_seconds + answer.backward_seconds


def test_a_tampering_engine_is_a_finding_in_the_cli(mark: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--engine", f"{SANDBOX / 'tampers_at_import.py'}:Doubles", "--max-examples", "3",
                 "--json"]) == 1
    out, err = capsys.readouterr()
    assert json.loads(out)["findings"][0]["kind"] == "tampered"
    assert "Traceback" not in err


def test_a_deadline_is_not_a_fault_of_the_engine(mark: str) -> None:
    result = audit(f"{SANDBOX / 'misbehaving.py'}:SlowBackward", max_examples=50, deadline=3.0, timeout=2.0)
    assert result.campaign.examples < 50  # cut short
    assert result.exit_code == 0


def test_a_hanging_probe_says_which_op(mark: str) -> None:
    with EngineProcess(f"{ZOO / 'hangs.py'}:SpinLockOps", 0.5) as engine:
        with pytest.raises(EngineFailed) as failed:
            engine.probe("op", ("mul", "x o c"))
        hung = failed.value
        assert (hung.kind, hung.request, hung.payload) == ("hang", "op", ("mul", "x o c"))
        assert engine.probe("op", ("add", "x o c")).status == "works"
