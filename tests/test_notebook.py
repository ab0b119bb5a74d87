"""``verify.audit(Value)`` on a class in memory, its rich output, and the tutorial run by a real kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from engines.in_memory import BUGGY, CORRECT

import verify
from verify.audit.api import AuditFailed
from verify.audit.engine.spec import UsageError
from verify.cli.audit import main as audit_main

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "examples" / "audit_your_engine.ipynb"
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="a class in memory is audited in a fork")

REPORT = textwrap.dedent('''
    import json, verify
    result = verify.audit(Value, max_examples=40)
    print(json.dumps({"verdict": result.verdict, "exit": result.exit_code, "reproduce": result.reproduce(),
                      "findings": [[f.kind, f.op] for f in result.findings], "dict": result.to_dict(),
                      "html": result._repr_html_(), "text": result.render()}))
''')


def _audit_from_stdin(engine: str) -> dict[str, Any]:
    """Run engine + REPORT as a script read from stdin: the class lives in ``__main__`` only."""
    done = subprocess.run([sys.executable, "-"], input=engine + REPORT, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


@needs_fork
def test_a_correct_class_from_main_passes() -> None:
    answer = _audit_from_stdin(CORRECT)
    assert (answer["verdict"], answer["exit"], answer["findings"]) == ("pass", 0, [])
    assert answer["reproduce"] == "verify.audit(Value, seed=0, max_examples=40)"
    assert answer["dict"]["engine"] == "__main__:Value" and answer["dict"]["ok"] is True


@needs_fork
def test_a_buggy_class_from_main_gets_each_bug_with_a_snippet_that_runs_where_it_is_defined() -> None:
    answer = _audit_from_stdin(BUGGY)
    assert (answer["verdict"], answer["exit"]) == ("fail", 1)
    assert ["lost-contribution", "mul"] in answer["findings"]
    assert ["wrong-rule", "tanh"] in answer["findings"]
    snippet = answer["dict"]["findings"][0]["snippet"]
    assert "importlib" not in snippet and "<stdin>" not in snippet  # no file to load: the class is in memory
    # The snippet runs as printed beside the class's definition, and shows the bug.
    done = subprocess.run([sys.executable, "-"], input=BUGGY + snippet, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_to_dict_is_what_the_cli_prints_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = tmp_path / "engine.py"
    engine.write_text(BUGGY)
    assert audit_main(["--engine", f"{engine}:Value", "--max-examples", "20", "--json"]) == 1
    printed = json.loads(capsys.readouterr().out)
    result = verify.audit(f"{engine}:Value", max_examples=20)
    mine = result.to_dict()
    assert mine.keys() == printed.keys()
    # the same audit, seconds aside
    for key in ("engine", "class", "seed", "examples", "exit_code", "ops", "reproduce"):
        assert mine[key] == printed[key], key
    assert [(f["kind"], f["op"], f["snippet"]) for f in mine["findings"]] == [
        (f["kind"], f["op"], f["snippet"]) for f in printed["findings"]]
    with pytest.raises(AuditFailed) as failed:
        result.raise_for_findings()
    assert str(failed.value) == result.render()
    assert isinstance(failed.value, AssertionError)


def test_raise_for_findings_is_quiet_when_the_audit_passes(tmp_path: Path) -> None:
    engine = tmp_path / "engine.py"
    engine.write_text(CORRECT)
    result = verify.audit(f"{engine}:Value", max_examples=20)
    assert result.verdict == "pass"
    result.raise_for_findings()
    assert result.summary().startswith("no fault found in ")


def test_an_instance_or_a_function_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="takes an engine class"):
        verify.audit(verify.audit.api.AuditResult.__init__)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each element kind."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.open:
            self.text.setdefault(self.open[-1], []).append(data)


def _parsed(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def test_the_audit_html_has_the_verdict_the_findings_and_the_coverage_table(tmp_path: Path) -> None:
    engine = tmp_path / "engine.py"
    hostile = "    def __sub__(self, other):\n        raise TypeError('<b>no & sub</b>')\n"
    assert "    __radd__ = __add__\n" in BUGGY
    engine.write_text(BUGGY.replace("    __radd__ = __add__\n", "    __radd__ = __add__\n" + hostile))
    result = verify.audit(f"{engine}:Value", max_examples=20)
    page = _parsed(result._repr_html_())
    badges = [t for t in page.text.get("span", [])]
    assert badges[0] == "fail"
    rows = [t for t, _ in page.tags if t == "tr"]
    assert len(rows) >= 1 + len(result.survey.status)  # a header, then one row per op
    blamed = [a for t, a in page.tags if t == "tr" and a.get("class") == "blamed"]
    assert blamed  # the ops with a finding are marked
    pre = "".join(page.text.get("pre", []))
    assert "v1 = x * x" in pre and "print(x.grad)" in pre  # the minimal program, unescaped by the parser
    assert sum(1 for _, a in page.tags if a.get("class") == "finding") == len(result.findings)
    # the engine's text is escaped, never markup: the only <b> are the findings' titles
    assert sum(1 for t, _ in page.tags if t == "b") == len(result.findings)
    assert any("<b>no & sub</b>" in t for t in page.text["td"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the tutorial audits a class defined in a cell")
def test_the_tutorial_notebook_runs_in_a_real_kernel_and_finds_both_bugs() -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(TUTORIAL, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(TUTORIAL.parent)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback, if any cell fails
    code = [c for c in notebook.cells if c.cell_type == "code"]
    outputs = [c.outputs for c in code]
    audit_html = next(o["data"]["text/html"] for out in outputs for o in out
                      if o.get("output_type") == "execute_result" and "text/html" in o.get("data", {})
                      and "finding" in o["data"]["text/html"])
    page = _parsed(audit_html)
    assert page.text["span"][0] == "fail"
    printed = "".join(o.get("text", "") for out in outputs for o in out if o.get("output_type") == "stream")
    assert "lost-contribution in mul" in printed and "wrong-rule in tanh" in printed
    results = [o["data"]["text/plain"] for out in outputs for o in out
               if o.get("output_type") == "execute_result"]
    assert "'pass'" in results  # the fixed engine's verdict
    check_html = next(o["data"]["text/html"] for o in outputs[-1] if "text/html" in o.get("data", {}))
    assert _parsed(check_html).text["span"][0] == "pass"  # verify.check in a cell shows its table
