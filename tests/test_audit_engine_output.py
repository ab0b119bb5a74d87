"""The engine's own output (at import, in its ops, in backward()) is shown trimmed and labelled, never bare.

Reports: the text (``render``), the JSON (``to_dict``), the HTML (``render_html``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.audit.api import AuditResult, audit
from verify.audit.html import render_html
from verify.audit.render import render, to_dict

SANDBOX = Path(__file__).resolve().parent / "engines" / "sandbox"


@pytest.fixture(scope="module")
def chatty() -> AuditResult:
    return audit(f"{SANDBOX / 'prints_everywhere.py'}:Chatty", max_examples=5)


def test_the_text_report_shows_each_stream_labelled(chatty: AuditResult) -> None:
    text = render(chatty).splitlines()
    assert "the engine's own output:" in text
    assert "    engine stdout | at import: <b>loaded</b>" in text
    assert "    engine stdout | in backward" in text
    assert "    engine stderr | in mul" in text
    assert not any(line.strip() in ("in backward", "in mul") for line in text)  # never bare


def test_a_flood_is_trimmed_to_a_few_lines_and_counted(chatty: AuditResult) -> None:
    shown = [line for line in render(chatty).splitlines() if "engine stdout |" in line]
    assert len(shown) <= 11  # ten lines and the count
    assert shown[-1].endswith("in all]")
    assert chatty.engine_output.stdout.total > 1000  # every backward printed


def test_the_json_carries_both_streams(chatty: AuditResult) -> None:
    data = json.loads(json.dumps(to_dict(chatty)))
    output = data["engine_output"]
    assert output["stdout"]["kept"].startswith("at import: <b>loaded</b>\n")
    assert "in backward" in output["stdout"]["kept"] and "in mul" in output["stderr"]["kept"]
    assert output["stdout"]["bytes"] == chatty.engine_output.stdout.total


def test_the_html_shows_it_escaped_in_its_own_block(chatty: AuditResult) -> None:
    page = render_html(chatty)
    assert "engine stdout | at import: &lt;b&gt;loaded&lt;/b&gt;" in page
    assert "<b>loaded</b>" not in page


def test_forged_verdict_lines_are_shown_as_the_engines() -> None:
    result = audit(f"{SANDBOX / 'prints_at_import.py'}:Quiet", max_examples=5)
    lines = render(result).splitlines()
    forged = [line for line in lines if "PASS: all 2 input gradients" in line]
    assert forged and all(line.lstrip().startswith("engine std") for line in forged)


def test_a_quiet_engine_has_no_output_block() -> None:
    result = audit(f"{SANDBOX / 'tiny.py'}:Value", max_examples=5)
    assert "the engine's own output:" not in render(result)
    assert to_dict(result)["engine_output"]["stdout"]["bytes"] == 0


def test_the_cli_json_stays_json_while_the_engine_prints(capfd: pytest.CaptureFixture[str]) -> None:
    from verify.cli.audit import main

    engine = f"{SANDBOX / 'prints_everywhere.py'}:Chatty"
    code = main(["--engine", engine, "--max-examples", "3", "--json", "-q"])
    out, err = capfd.readouterr()
    assert code == 0 and err == ""
    data = json.loads(out)  # nothing the engine printed is mixed into it
    assert "in backward" in data["engine_output"]["stdout"]["kept"]
