"""One engine's audit in a fresh process, exactly as ``python -m verify audit`` runs it alone.

``audit_in_process(job)`` is what a pool thread or a Dask worker runs: it starts
``python -m verify.batch.one`` in the batch's folder, hands it the job on stdin and reads back
one JSON object: the record (exit code, verdict, findings as ``AuditResult.to_dict()`` gives
them), the text report and the HTML report. The child calls ``verify.audit(spec, ...)``, the
function the CLI calls, with the same seed and options and its own sandbox and deadline, so a
result never depends on the batch. It dies with the thread that started it (Linux), so a killed
batch or Dask worker leaves no audit running.
"""

from __future__ import annotations

import contextlib
import html
import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .fingerprint import engine_hash

_HOME = str(Path(__file__).resolve().parent.parent.parent)


def audit_in_process(job: dict[str, Any]) -> dict[str, Any]:
    """Run ``job`` (spec, cwd, options, engine_hash) in a child process; its outcome, never raising.

    The outcome is ``{"record", "text", "html", "complete"}``; ``complete`` is False when the
    child was stopped before it could answer (Ctrl-C, a kill, the files changed under it): such
    an outcome is shown, never stored, so a re-run does that engine again.
    """
    where = f"{socket.gethostname()}:{os.getpid()}"
    cwd = job["cwd"]
    if not os.path.isdir(cwd):
        return _incomplete(f"the folder {cwd} does not exist on {where}: engines must be reachable at the "
                           "same paths from every worker")
    if engine_hash(job["spec"], cwd) != job["engine_hash"]:
        return _incomplete(f"the engine's files on {where} differ from the batch's (changed since, or not "
                           "the same files on this machine)")
    env = dict(os.environ)
    paths = env.get("PYTHONPATH", "").split(os.pathsep) if env.get("PYTHONPATH") else []
    if _HOME not in paths:
        env["PYTHONPATH"] = os.pathsep.join([_HOME, *paths])
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "verify.batch.one", str(os.getpid())],
                              input=json.dumps(job), capture_output=True, text=True, cwd=cwd, env=env,
                              check=False)
    except OSError as error:
        return _incomplete(f"could not start the audit's process on {where}: {error}")
    try:
        outcome: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        outcome = {}
    if done.returncode != 0 or "record" not in outcome:
        how = (f"signal {-done.returncode}" if done.returncode < 0 else f"exit code {done.returncode}")
        last = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        return _incomplete(f"the audit's process on {where} ended with {how} before it answered: {last}",
                           time.monotonic() - started)
    outcome["complete"] = True
    outcome["record"]["worker"] = where  # the process that ran the job: this batch's, or a Dask worker
    return outcome


def _incomplete(message: str, seconds: float = 0.0) -> dict[str, Any]:
    record = {"exit_code": 2, "verdict": "error", "error": message, "error_type": "BatchError",
              "seconds": round(seconds, 3), "worker": f"{socket.gethostname()}:{os.getpid()}", "audit": None}
    return {"record": record, "text": f"not audited: {message}\n",
            "html": f"<p>not audited: {html.escape(message)}</p>", "complete": False}


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the thread that started it ends; stop now if it already has."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit(3)


def run(job: dict[str, Any]) -> dict[str, Any]:
    """The audit of ``job``, here: what the child answers."""
    options = job["options"]
    started = time.monotonic()
    record: dict[str, Any] = {}
    # verify.audit is a callable package: verify.audit(spec, ...) is the function the CLI calls
    audit: Callable[..., Any] = importlib.import_module("verify.audit")  # type: ignore[assignment]
    from ..audit.engine.sandbox import EngineFailed, UnusableEngine

    try:
        result = audit(job["spec"], **options)
    except Exception as error:  # the CLI's exit 2: a usage error, an unusable engine, a verifier failure
        name = type(error).__name__
        unusable = isinstance(error, (UnusableEngine, EngineFailed))
        what = "unusable engine" if unusable else "error"
        message = " ".join(str(error).split())
        if isinstance(error, EngineFailed):
            message = f"the engine's worker failed ({error.kind}): {message}"
        record.update(exit_code=2, verdict="unusable" if unusable else "error",
                      error=f"{what}: {message}", error_type=name,
                      seconds=round(time.monotonic() - started, 3), audit=None)
        text = f"python -m verify audit: {what}: {message}\n"
        return {"record": record, "text": text,
                "html": f"<p>{html.escape(text)}</p>"}
    record.update(exit_code=result.exit_code, verdict=result.verdict, error=result.verifier_failure(),
                  error_type=None, seconds=round(result.seconds, 3), audit=result.to_dict())
    return {"record": record, "text": result.render(), "html": result._repr_html_()}


def main() -> None:
    _die_with_parent(int(sys.argv[1]))
    job = json.loads(sys.stdin.read())
    answer = sys.stdout
    sys.stdout = sys.stderr  # only the answer goes to stdout
    outcome = run(job)
    answer.write(json.dumps(outcome))
    answer.flush()


if __name__ == "__main__":
    main()
