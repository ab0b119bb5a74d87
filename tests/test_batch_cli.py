"""``python -m verify audit`` with many engines: real audits of zoo engines, run side by side.

One batch (``--jobs 2``) of five engines given three ways (``--engine``, a glob, ``--engines FILE``
with labels) is run once; its summary files are parsed and checked against what each engine is,
and one engine's findings against the same engine audited alone.
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from verify.batch.summary import groups

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "tests" / "engines" / "zoo"
EXAMPLES = "5"
TIMING = ("seconds", "shrink_seconds", "found_seconds", "worker")

pytestmark = pytest.mark.slow


def verify_audit(*args: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("HYPOTHESIS_PROFILE", None)
    return subprocess.run([sys.executable, "-m", "verify", "audit", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    folder = tmp_path_factory.mktemp("batch")
    roster = folder / "roster.txt"
    roster.write_text(f"# spec, then a label\n{ZOO}/graphs.py:MulOverwrites alice\n"
                      f"{ZOO}/graphs.py:DictGradsMul 'bob smith'\n{ZOO}/unusable.py:NoBackward carol\n")
    done = verify_audit("--jobs", "2", "--max-examples", EXAMPLES, "--out", str(folder / "out"),
                        "--engine", "tests/engines/zoo/base.py:Value",
                        "--engine", "tests/engines/zoo/ba[r]e.py:BareValue", "--engines", str(roster))
    return done, folder / "out"


def _rows(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "summary.jsonl").read_text().splitlines()]


def test_every_engine_is_audited_and_the_exit_code_says_one_could_not_be(batch: Any) -> None:
    done, out = batch
    assert done.returncode == 2, done.stderr
    with open(out / "summary.csv", newline="") as stream:
        table = list(csv.DictReader(stream))
    by_label = {r["label"]: r for r in table}
    assert list(by_label) == ["base.py:Value", "bare.py:BareValue", "alice", "bob smith", "carol"]
    assert {k: (r["verdict"], r["exit_code"], r["root_cause_ops"]) for k, r in by_label.items()} == {
        "base.py:Value": ("pass", "0", ""), "bare.py:BareValue": ("fail", "1", "mul"),
        "alice": ("fail", "1", "mul"), "bob smith": ("fail", "1", "mul"), "carol": ("unusable", "2", "")}
    assert "no backward()" in by_label["carol"]["error"]
    assert all(float(r["seconds"]) > 0 for r in table)


def test_the_jsonl_has_each_engine_s_findings_and_the_groups_gather_the_same_bug(batch: Any) -> None:
    done, out = batch
    rows = _rows(out)
    kinds = {r["label"]: [(f["kind"], f["op"]) for f in r["findings"]] for r in rows}
    assert kinds["alice"] == kinds["bob smith"] == [("lost-contribution", "mul")]
    assert kinds["bare.py:BareValue"] == [("wrong-rule", "mul")]
    assert kinds["base.py:Value"] == kinds["carol"] == []
    limited = {r["label"]: r["limits"] for r in rows}
    assert limited["bare.py:BareValue"][0].startswith("depth limit: backward works to ")  # recursive topo
    assert limited["base.py:Value"] == limited["alice"] == []
    found = {(g.op, g.kind): g for g in groups(rows)}
    assert set(found) == {("mul", "lost-contribution"), ("mul", "wrong-rule")}
    assert found[("mul", "lost-contribution")].labels == ["alice", "bob smith"]
    assert "x * x" in found[("mul", "lost-contribution")].example
    # the text summary says it the same way
    lost = found[("mul", "lost-contribution")]
    said = (f"2 of 5: lost contribution when a node is reused, in mul\n"
            f"      {lost.example_label}: {lost.example}")
    assert said in done.stdout
    assert re.search(r"^carol\s+unusable\s+0\s+0\s+-", done.stdout, re.MULTILINE)


def test_the_index_links_every_engine_s_full_report(batch: Any) -> None:
    _, out = batch
    page = (out / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', page)
    assert [label for _, label in links] == [r["label"] for r in _rows(out)]
    assert len(links) == 5
    for (link, _), row in zip(links, _rows(out), strict=True):
        report = (out / link).read_text()
        assert row["spec"].rpartition(":")[2] in report
        assert (out / link).with_name("report.txt").is_file()
    assert "engine wrote nothing" not in page


def test_an_engine_in_the_batch_is_audited_exactly_as_alone(batch: Any) -> None:
    _, out = batch
    alone = verify_audit("--engine", f"{ZOO}/graphs.py:MulOverwrites", "--max-examples", EXAMPLES,
                         "--json", "-q")
    in_batch = next(r for r in _rows(out) if r["label"] == "alice")
    assert in_batch["exit_code"] == alone.returncode == 1
    stored = json.loads((out / in_batch["report"]).with_name("record.json").read_text())["audit"]

    def untimed(data: Any) -> Any:
        if isinstance(data, dict):
            return {k: untimed(v) for k, v in data.items() if k not in TIMING}
        return [untimed(v) for v in data] if isinstance(data, list) else data

    assert untimed(stored) == untimed(json.loads(alone.stdout))


def test_one_engine_alone_is_still_the_single_audit() -> None:
    done = verify_audit("--engine", "tests/engines/zoo/unusable.py:NoBackward", "--max-examples", "1")
    assert done.returncode == 2
    assert done.stderr.startswith("python -m verify audit: unusable engine: ")
    assert "engines" not in done.stdout


def test_batch_usage_errors_are_exit_2_with_one_line(tmp_path: Path) -> None:
    cases = [(["--engine", "tests/engines/zoo/nothing*.py:Value"], "no file matches"),
             (["--engines", str(tmp_path / "missing.txt")], "No such file"),
             (["--jobs", "0", "--engine", "a.py:V"], "--jobs must be at least 1"),
             (["--jobs", "2", "--scheduler", "tcp://127.0.0.1:1", "--engine", "a.py:V"],
              "exclude each other"),
             (["--jobs", "2", "--engine", "a.py:V", "--ops", "nope"], "unknown op nope"),
             (["--engine", "tests/engines/zoo/base.py:Value",
               "--engine", "tests/engines/zoo/./base.py:Value"], "are the same engine")]
    for args, message in cases:
        done = verify_audit(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and len(done.stderr.splitlines()) == 1, (args, done.stderr)


def test_without_dask_jobs_work_and_scheduler_says_how_to_install_it(tmp_path: Path) -> None:
    blocked = tmp_path / "sitecustomize.py"  # this interpreter cannot import distributed, as if not installed
    blocked.write_text("import sys\nsys.modules['distributed'] = None\n")
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    spec = "tests/engines/zoo/unusable.py:NoBackward"
    run = [sys.executable, "-m", "verify", "audit", "--engine", spec]
    asked = subprocess.run([*run, "--scheduler", "tcp://127.0.0.1:8786"], capture_output=True, text=True,
                           cwd=ROOT, env=env, timeout=120, check=False)
    assert asked.returncode == 2
    assert "pip install 'micrograd-verified[cluster]'" in asked.stderr
    local = subprocess.run([*run, "--jobs", "2", "-q"], capture_output=True, text=True, cwd=ROOT, env=env,
                           timeout=120, check=False)
    assert local.returncode == 2 and "unusable" in local.stdout, local.stderr


def test_audit_many_in_python_gives_the_rows_and_the_summary(tmp_path: Path, monkeypatch: Any) -> None:
    import verify

    monkeypatch.chdir(ROOT)
    result = verify.audit_many({"nb": "tests/engines/zoo/unusable.py:NoBackward",
                                "bare": "tests/engines/zoo/bare.py:BareValue"}, jobs=2, max_examples=1)
    assert [(r["label"], r["verdict"], r["exit_code"]) for r in result.rows] == [
        ("nb", "unusable", 2), ("bare", "fail", 1)]
    assert result.exit_code == 2
    assert result.render().startswith("2 engines, seed 0, 1 random programs each: 0 pass, 1 with faults, "
                                      "1 not audited or not vouched for; 0 from earlier runs; ")
    assert json.loads(json.dumps(result.to_dict()))["groups"][0]["kind"] == "wrong-rule"
    with pytest.raises(TypeError, match=r"verify\.audit\(cls\)"):
        verify.audit_many([int])  # type: ignore[list-item]


def test_import_verify_loads_neither_the_batch_nor_dask() -> None:
    code = ("import sys, verify; "
            "print(any(m.startswith(('verify.batch', 'distributed', 'dask')) for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=True)
    assert done.stdout.strip() == "False"


def test_on_a_terminal_the_progress_line_is_redrawn_in_place() -> None:
    import pty

    leader, follower = pty.openpty()
    spec = "tests/engines/zoo/unusable.py:NoBackward"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run([sys.executable, "-m", "verify", "audit", "--engine", spec,
                               "--engine", "tests/engines/zoo/unusable.py:BackwardNeedsSeed"],
                              stdout=subprocess.PIPE, stderr=follower, cwd=ROOT, env=env, timeout=120,
                              check=False)
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert done.returncode == 2
    text = shown.decode()
    assert "\r\x1b[K1/2 done (0 with faults, 1 not audited), 1 running, ETA " in text
    assert "\r\x1b[K2/2 done (0 with faults, 2 not audited), 0 running, ETA 0 s" in text
    assert "\n" not in text.replace("\r\n", "")  # no line of its own: one line, redrawn


def test_an_audit_cut_short_by_its_deadline_is_a_limit_not_a_fault() -> None:
    done = verify_audit("--deadline", "1", "--json", "-q", "--engine", "tests/engines/zoo/base.py:Value",
                        "--engine", "tests/engines/zoo/unusable.py:NoBackward")
    engines = {r["label"]: r for r in json.loads(done.stdout)["engines"]}
    assert engines["base.py:Value"]["verdict"] == "pass"
    assert engines["base.py:Value"]["limits"] == ["cut short by the deadline (1.0 s)"]
    assert engines["unusable.py:NoBackward"]["limits"] == []


def test_an_engine_s_fragilities_are_counted_apart_from_its_faults(tmp_path: Path) -> None:
    engine = "tests/engines/zoo/fragile.py:KarpathyDivision"
    done = subprocess.run([sys.executable, "-m", "verify", "audit", "--engine", engine, "--engine",
                           "tests/engines/zoo/base.py:Value", "--ops", "div,add,mul", "--max-examples", "10",
                           "-q", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr  # fragilities alone: no fault
    rows = {r["label"]: r for r in _rows(tmp_path)}
    fragile = rows["fragile.py:KarpathyDivision"]
    assert fragile["faults"] == 0 and "non-finite in div" in fragile["fragilities"]
    assert rows["base.py:Value"]["fragilities"] == []
    assert "fragile (a textbook formula for the op does the same there: not a fault):" in done.stdout
