"""An engine cannot kill or stop its auditor: the worker runs in a PID namespace of its own.

``signals_auditor.py``'s engines find the process that started their worker
(up /proc, as an attacker would) and SIGKILL or SIGSTOP it, and its process
group, from inside ``backward()``. The audit, through the CLI, ``verify.audit``
on a class in memory, and a real Jupyter kernel, must finish with a verdict.
A control run without the namespace shows the attack is real (the audit dies).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from verify.audit.engine import namespace

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = ROOT / "tests" / "engines" / "sandbox"
HOSTILE = SANDBOX / "signals_auditor.py"

pytestmark = pytest.mark.skipif(namespace.why_not() is not None,
                                reason=f"no PID namespace here: {namespace.why_not()}")


def _python(code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a session and process group of its own: were the namespace to fail, the
    engine's ``killpg`` would reach that group, never the test run's."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, start_new_session=True)


@pytest.mark.parametrize("cls", ["KillsAuditor", "StopsAuditor"])
def test_the_cli_audit_outlives_an_engine_that_signals_it(cls: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "verify", "audit", "--engine", f"{HOSTILE}:{cls}",
                           "--max-examples", "5", "--deadline", "60", "--json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
                          start_new_session=True)
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-500:])
    assert json.loads(done.stdout)["verdict"] in ("pass", "fail")


def test_a_class_in_memory_that_signals_its_auditor_is_audited_to_the_end() -> None:
    done = _python(f"""
        import sys
        sys.path.insert(0, {str(SANDBOX)!r})
        import verify
        from signals_auditor import KillsAuditor, StopsAuditor

        class Kills(KillsAuditor):
            pass

        class Stops(StopsAuditor):
            pass

        for cls in (Kills, Stops):
            print(cls.__name__, verify.audit(cls, max_examples=5, deadline=60).verdict)
    """)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["Kills", "pass", "Stops", "pass"]


def test_without_the_namespace_the_attack_kills_the_audit() -> None:
    # The control: the same engine, the namespace switched off, ends the process that audits it.
    done = _python(f"""
        from verify.audit.engine import namespace
        namespace.why_not = lambda: "switched off for the control"
        import verify
        verify.audit({f"{HOSTILE}:KillsAuditor"!r}, max_examples=5, deadline=60)
        print("survived")
    """)
    assert done.returncode == -9 and "survived" not in done.stdout


def test_a_jupyter_kernel_survives_auditing_an_engine_that_kills_its_worker_parent() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    cells = [
        f"import sys\nsys.path.insert(0, {str(SANDBOX)!r})\nsys.path.insert(0, {str(ROOT)!r})\nimport verify",
        "from signals_auditor import KillsAuditor\n\nclass Mine(KillsAuditor):\n    pass",
        "result = verify.audit(Mine, max_examples=5, deadline=60)\nprint('verdict', result.verdict)",
        "print('kernel alive')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # a dead kernel raises DeadKernelError
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.outputs
                      if o.get("output_type") == "stream")
    assert "verdict pass" in printed and "kernel alive" in printed
