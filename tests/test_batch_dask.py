"""A batch on a real Dask cluster on 127.0.0.1: a scheduler and two workers, one killed mid-batch.

The test starts ``dask scheduler`` and two ``dask worker`` processes (no nanny, so a killed worker
stays dead) on free ports, runs ``python -m verify audit --scheduler`` through them, kills the
worker that is running an audit, and checks that Dask re-ran that audit on the other worker and no
result is lost. Every process it starts is killed at the end, whatever happens.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
ENGINES = {"base.py:Value": "pass", "bare.py:BareValue": "fail", "graphs.py:MulOverwrites": "fail",
           "rules.py:MulAbs": "fail"}

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _dask(*args: str) -> list[str]:
    program = Path(sys.executable).with_name("dask")
    if program.is_file():
        return [str(program), *args]
    return [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int], Any]]:
    """The scheduler's address, each worker's address -> pid, and a client of the test's own."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HYPOTHESIS_PROFILE", None)
    address = f"tcp://127.0.0.1:{_free_port()}"
    started: list[subprocess.Popen[bytes]] = []
    client = None

    def start(*args: str) -> None:
        log = open(tmp_path / f"dask-{len(started)}.log", "wb")  # noqa: SIM115 (closed with the process)
        started.append(subprocess.Popen(_dask(*args), cwd=tmp_path, env=env, stdout=log, stderr=log,
                                        start_new_session=True))
        log.close()

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", address.rpartition(":")[2], "--no-dashboard")
        for _ in range(2):
            start("worker", address, "--nthreads", "1", "--no-nanny", "--host", "127.0.0.1", "--no-dashboard",
                  "--death-timeout", "60")
        client = distributed.Client(address, timeout=60, set_as_default=False)
        client.wait_for_workers(2, timeout=120)
        pids = client.run(os.getpid)
        yield address, pids, client
    finally:
        if client is not None:
            client.close()
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


SCRIPT = """\
import json, os, sys
from verify.batch.runner import Runner

def work(n):
    return n * n, os.getpid()

if __name__ == "__main__":
    with Runner(scheduler=sys.argv[1]) as runner:
        print(json.dumps(sorted(runner.map(work, [1, 2, 3]))))
"""


def test_a_script_s_own_function_runs_on_the_workers(tmp_path: Path,
                                                     cluster: tuple[str, dict[str, int], Any]) -> None:
    address, pids, _ = cluster
    script = tmp_path / "campaign.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), address], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True)
    results = json.loads(done.stdout)
    assert [(i, square) for i, (square, _) in results] == [(0, 1), (1, 4), (2, 9)]
    assert {pid for _, (_, pid) in results} <= set(pids.values())


def test_a_batch_on_dask_survives_a_killed_worker_and_loses_no_result(
        tmp_path: Path, cluster: tuple[str, dict[str, int], Any]) -> None:
    address, pids, client = cluster
    out = tmp_path / "out"
    command = [sys.executable, "-m", "verify", "audit", "--scheduler", address, "--max-examples", "5",
               "--out", str(out)]
    for engine in ENGINES:
        command += ["--engine", f"{ZOO}/{engine}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HYPOTHESIS_PROFILE", None)
    batch = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        victim, label = "", ""
        deadline = time.monotonic() + 120
        while not victim and time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                if keys:
                    victim, label = worker, str(keys[0]).rsplit("-", 2)[0]
                    break
            time.sleep(0.05)
        assert victim, "no worker ever ran an audit"
        time.sleep(0.5)  # well inside the audit, which takes seconds
        os.kill(pids[victim], signal.SIGKILL)
        stdout, stderr = batch.communicate(timeout=600)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.communicate()
    assert batch.returncode == 1, stderr
    with open(out / "summary.csv", newline="") as stream:
        rows = {r["label"]: r for r in csv.DictReader(stream)}
    assert {k: r["verdict"] for k, r in rows.items()} == ENGINES
    records = {json.loads(line)["label"]: json.loads(line) for line in (out / "summary.jsonl").open()}
    survivor = next(pid for worker, pid in pids.items() if worker != victim)
    assert label in records
    assert records[label]["worker"].endswith(f":{survivor}")  # re-run on the worker still alive
    assert all(r["worker"].rpartition(":")[2] in {str(p) for p in pids.values()} for r in records.values())
    assert len(list(out.glob("engines/*/record.json"))) == len(ENGINES)
    assert "on the Dask cluster at" in stdout
