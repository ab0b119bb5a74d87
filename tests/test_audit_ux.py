"""What a user meets around an audit: no files left in their folder, the report's wording,
``AuditResult.ok`` and ``Finding.snippet`` (real audits of zoo engines, few programs)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from verify.audit.api import AuditResult, audit
from verify.audit.ledger import keep_shortest
from verify.audit.random_phase import set_aside
from verify.audit.render import render

ROOT = Path(__file__).resolve().parent.parent
ZOO = Path(__file__).parent / "engines" / "zoo"
PLANTED = Path(__file__).parent / "engines" / "planted.py"
REFERENCE = f"{Path(__file__).parent / 'engines' / 'reference.py'}:Value"


@pytest.fixture(scope="module")
def tanh_result() -> AuditResult:
    """A unary op with a wrong rule (a fault) and a lossy one (a fragility)."""
    return audit(f"{ZOO / 'rules.py'}:SaturatedTanh", max_examples=10)


@pytest.mark.slow
def test_an_audit_from_the_command_line_leaves_no_hypothesis_folder(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "verify", "audit", "--engine", f"{ZOO / 'rules.py'}:SaturatedTanh",
            "--max-examples", "10", "-q"]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "random programs: 10" in done.stdout  # Hypothesis drew them, here
    assert list(tmp_path.iterdir()) == []


def test_an_audit_in_process_leaves_no_hypothesis_folder_and_gives_hypothesis_its_home_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hypothesis.configuration import set_hypothesis_home_dir, storage_directory

    monkeypatch.chdir(tmp_path)
    mine = tmp_path / "my-hypothesis-home"
    set_hypothesis_home_dir(mine)  # a user's own choice, in the same process
    try:
        result = audit(REFERENCE, max_examples=5, ops=["add", "mul"])
        assert result.campaign.examples == 5
        assert storage_directory(intent_to_write=False).home_directory == mine
    finally:
        set_hypothesis_home_dir(None)
    assert list(tmp_path.iterdir()) == []


# ---- wording ----

def test_set_aside_names_only_the_ops_layouts_as_the_table_writes_them(tanh_result: AuditResult) -> None:
    assert tanh_result.campaign.set_aside == ["tanh (f(x))"]
    assert "  set aside after a finding: tanh (f(x))\n" in tanh_result.render()
    bad = {("add", "x o y"), ("add", "x o x"), ("add", "f(x)"), ("powi", "x o y"), ("powi", "x o c"),
           ("neg", "hang")}
    assert set_aside(bad) == ["add (x∘y)", "add (x∘x)", "powi (x∘c)"]


def test_a_binary_op_set_aside_is_written_with_the_tables_ring() -> None:
    result = audit(f"{ZOO / 'rules.py'}:MulAbs", max_examples=10)
    assert any(f.op == "mul" for f in result.faults)
    assert result.campaign.set_aside, result.render()
    line = next(line for line in result.render().splitlines() if "set aside after a finding" in line)
    assert " o " not in line and "∘" in line and "f(x)" not in line


def test_the_same_remark_is_kept_once() -> None:
    remarks: list[str] = []
    for _ in range(3):
        keep_shortest(remarks, "inconclusive: why; program: x = Value(1.0)", "inconclusive", 2)
    keep_shortest(remarks, "inconclusive: why; program: x = Value(2.0)", "inconclusive", 2)
    assert remarks == ["inconclusive: why; program: x = Value(1.0)",
                       "inconclusive: why; program: x = Value(2.0)"]


def test_one_input_one_fault_in_the_singular() -> None:
    import verify
    from micrograd import Value

    x = Value(0.5)
    y = x * x
    y.backward()
    passed = verify.check(y, inputs={"x": x}).render()
    assert "PASS: the input gradient agrees with the exact gradient to rounding" in passed
    x.grad = 3.0
    failed = verify.check(y, inputs={"x": x}).render()
    assert "FAIL: 1 fault; 0 of 1 input gradient agree" in failed
    assert "(s)" not in passed + failed


def test_no_report_text_writes_a_plural_in_parentheses(tanh_result: AuditResult) -> None:
    texts = [tanh_result.render(), *(f.report.render() for f in tanh_result.campaign.findings
                                      if f.report is not None)]
    assert not [t for t in texts if re.search(r"\w\(s\)", t)]


# ---- AuditResult.ok and Finding.snippet ----

def test_ok_is_the_exit_code_being_zero(tanh_result: AuditResult) -> None:
    assert not tanh_result.ok and tanh_result.exit_code == 1
    assert tanh_result.to_dict()["ok"] is False
    clean = audit(REFERENCE, max_examples=5, ops=["add", "mul"])
    assert clean.ok and clean.exit_code == 0 and clean.to_dict()["ok"] is True


def test_a_findings_snippet_is_the_script_the_report_prints_and_it_runs(tanh_result: AuditResult) -> None:
    finding = tanh_result.faults[0]
    assert finding.snippet.startswith("import sys") and finding.snippet.endswith("print(x.grad)")
    shown = "\n".join(f"      {line}" for line in finding.snippet.splitlines())
    assert shown in tanh_result.render()
    assert finding.snippet == tanh_result.to_dict()["findings"][0]["snippet"]
    ran = subprocess.run([sys.executable, "-c", finding.snippet], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert float(ran.stdout) == float(finding.actual) != float(finding.expected)  # the bug, shown again


# ---- --html FILE ----

def test_html_writes_the_notebooks_view_as_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   tanh_result: AuditResult) -> None:
    from html.parser import HTMLParser

    from verify.audit.html import html_page
    from verify.cli.audit import main

    page = tmp_path / "audit.html"
    spec = f"{ZOO / 'rules.py'}:SaturatedTanh"
    assert main(["--engine", spec, "--max-examples", "10", "--html", str(page)]) == 1
    out, err = capsys.readouterr()
    assert f"wrote {page}" in err and "FINDING 1: wrong-rule in tanh" in out
    written = page.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and written.rstrip().endswith("</html>")
    # the same HTML a notebook shows (timings apart: each audit takes its own time)
    timing = re.compile(r"\d+\.\d s")
    assert timing.sub("T", tanh_result._repr_html_()) in timing.sub("T", written)
    assert html_page(tanh_result).count(tanh_result._repr_html_()) == 1

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.open: list[str] = []

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag not in ("meta", "br"):
                self.open.append(tag)

        def handle_endtag(self, tag: str) -> None:
            assert self.open.pop() == tag

    tags = Tags()
    tags.feed(written)
    assert tags.open == []  # every element closed, in order


@pytest.mark.parametrize("where", ["nodir/audit.html", "."])
def test_html_to_a_path_that_cannot_be_written_is_refused_before_the_audit(
        where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from verify.cli.audit import main

    monkeypatch.chdir(tmp_path)
    assert main(["--engine", REFERENCE, "--html", where]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"python -m verify audit: error: --html {where}: ")
    assert "surveying" not in err and len(err.splitlines()) == 1


# ---- colour ----

ANSI = re.compile(r"\033\[[0-9;]*m")


def test_the_text_report_paints_verdicts_only_when_asked(tanh_result: AuditResult) -> None:
    from verify.report.style import Style

    plain = tanh_result.render()
    painted = render(tanh_result, Style(color=True))
    assert "\033" not in plain and ANSI.sub("", painted) == plain
    assert "\033[31mFINDING 1: wrong-rule in tanh" in painted
    assert "\033[33mFRAGILITY 1: " in painted
    assert "\033[31mFAULT (wrong-rule); fragile (lost-digits)\033[0m" in painted


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> str:
    """What ``argv`` writes to stdout when stdout is a terminal (a pseudo-terminal)."""
    import pty
    import threading

    leader, follower = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(leader, 1 << 16)
            except OSError:  # the other side closed
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        subprocess.run(argv, stdout=follower, stderr=subprocess.DEVNULL, env=env, timeout=300, check=False)
    finally:
        os.close(follower)
        reader.join(timeout=30)
        os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_the_command_paints_on_a_terminal_and_never_with_no_color() -> None:
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env["PYTHONPATH"] = str(ROOT)
    argv = [sys.executable, "-m", "verify", "audit", "--engine", f"{PLANTED}:WrongOperand",
            "--ops", "add,mul", "--max-examples", "5", "-q"]
    coloured = _on_a_terminal(argv, env)
    assert "\033[31mFINDING 1: wrong-rule in mul" in coloured
    plain = _on_a_terminal(argv, {**env, "NO_COLOR": "1"})
    assert "FINDING 1: wrong-rule in mul" in plain and "\033[" not in plain
    piped = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
    assert "FINDING 1: wrong-rule in mul" in piped.stdout and "\033[" not in piped.stdout
