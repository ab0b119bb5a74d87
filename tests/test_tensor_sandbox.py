"""The tensor worker is sandboxed as the scalar one is (``verify.tensor.sandbox``): real hostile engine
files, run through the real CLI, cannot kill the audit, forge its verdict or its answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verify.audit.engine import confine, namespace
from verify.tensor.audit import audit_tensor
from verify.tensor.runner import EngineUnusable

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "tensor"
pytest.importorskip("numpy")
needs_pid_namespace = pytest.mark.skipif(
    namespace.why_not() is not None, reason=f"no PID namespace here: {namespace.why_not()}")


def tensor_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify.tensor", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@needs_pid_namespace
def test_a_hostile_engine_cannot_kill_the_audit_or_forge_its_verdict_and_its_early_exits_are_crashes():
    done = tensor_cli(f"{ZOO}/hostile.py:Tensor", "--only", "permute", "--random", "0")
    assert done.returncode == 1, (done.returncode, done.stderr)  # alive, and not a pass
    assert "no fault found" not in done.stdout and not done.stdout.rstrip().endswith("programs")
    assert "PASS" not in done.stdout and done.stdout.rstrip().splitlines()[-1].startswith("FAIL")
    assert "crash: permute" in done.stdout
    assert "the engine's process ended in this program" in done.stdout
    assert "exited with code 0 before it answered" in done.stdout


def test_a_forged_answer_in_the_audits_channel_is_refused_not_believed():
    done = tensor_cli(f"{ZOO}/hostile_forger.py:Tensor", "--only", "matmul")
    assert done.returncode == 2 and done.stdout == ""
    assert "wrote into the audit's answer channel" in done.stderr


@needs_pid_namespace
@pytest.mark.skipif(not hasattr(os, "fork"), reason="a class in memory is audited in a forked worker")
def test_a_hostile_class_in_memory_cannot_kill_this_process():
    sys.path.insert(0, str(ZOO))
    from numpy_ref import Tensor as Reference

    class Tensor(Reference):
        def backward(self) -> None:  # type: ignore[override]
            print("no fault found")
            os.kill(os.getppid(), signal.SIGKILL)  # its parent is the namespace's relay, not us
            super().backward()

    result = audit_tensor(Tensor, only="matmul", random=0)
    assert result.exit_code == 0 and result.findings == []  # alive: the engine itself is correct


def test_a_flood_of_output_is_bounded_and_the_audit_goes_on(tmp_path):
    flood = tmp_path / "flood.py"
    flood.write_text(f"import sys\nsys.path.insert(0, {str(ZOO)!r})\n"
                     "from numpy_ref import Tensor as Reference\n"
                     "print('x' * (64 << 20))\n"
                     "class Tensor(Reference):\n    pass\n")
    started = time.monotonic()
    result = audit_tensor(f"{flood}:Tensor", only="matmul", random=0)
    assert result.exit_code == 0 and time.monotonic() - started < 120


def test_an_engine_that_dies_while_loading_is_unusable_with_its_last_words(tmp_path):
    dies = tmp_path / "dies.py"
    dies.write_text("import os, sys\nprint('goodbye', file=sys.stderr)\nsys.stderr.flush()\nos._exit(3)\n")
    with pytest.raises(EngineUnusable, match=r"exited with code 3.*goodbye"):
        audit_tensor(f"{dies}:Tensor")


@pytest.mark.skipif(confine.why_not() is not None, reason=f"no bubblewrap here: {confine.why_not()}")
def test_isolate_keeps_the_engine_from_writing_files(tmp_path):
    writer = tmp_path / "writer.py"
    mark = tmp_path / "written"
    writer.write_text(f"import sys\nsys.path.insert(0, {str(ZOO)!r})\n"
                      "from numpy_ref import Tensor as Reference\n"
                      f"try:\n    open({str(mark)!r}, 'w').write('x')\nexcept OSError:\n    pass\n"
                      "class Tensor(Reference):\n    pass\n")
    done = tensor_cli(f"{writer}:Tensor", "--only", "matmul", "--random", "0", "--isolate")
    assert done.returncode == 0, done.stderr
    assert not mark.exists()
    assert tensor_cli(f"{writer}:Tensor", "--only", "matmul", "--random", "0").returncode == 0
    assert mark.exists()  # the same engine, unconfined, writes it: the test can see a write


def test_a_forged_run_in_the_audits_channel_is_refused_not_judged():
    done = tensor_cli(f"{ZOO}/hostile_run_forger.py:Tensor", "--only", "matmul")
    assert done.returncode == 2 and done.stdout == ""
    assert "wrote into the audit's answer channel (a run of [1] tensors" in done.stderr
