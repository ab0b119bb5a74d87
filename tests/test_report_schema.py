"""One JSON schema for every report: ``verify/report/report.schema.json``, shipped with the package.

Every JSON document ``verify expr`` prints, for every verdict and refusal,
with and without ``--explain``, is validated against it; ``--explain`` only
adds the fields the schema marks as explain, and ``Report.to_dict`` is the
schema's ``report``, non-finite numbers included.
"""

from __future__ import annotations

import io
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import verify
from verify.cli.expr import main
from verify.program import Const, Program, Step
from verify.report import schema

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
EXPLAIN_NODE = {"expression"}
EXPLAIN_LOCAL = {"value", "upstream", "adds", "total"}


def validate(document: Any, definition: str | None = None) -> None:
    if definition is None:
        VALIDATOR.validate(document)
    else:
        jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": f"#/$defs/{definition}"}) \
            .validate(document)


def without_explain(document: dict[str, Any]) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    for node in copy.get("nodes", []):
        for key in EXPLAIN_NODE:
            node.pop(key, None)
        for local in node["local"]:
            for key in EXPLAIN_LOCAL:
                local.pop(key, None)
    return copy


def test_the_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_ships_with_the_package() -> None:
    config = (ROOT / "pyproject.toml").read_text()
    assert '"verify.report" = ["report.schema.json"]' in config  # [tool.setuptools.package-data]
    assert (ROOT / "verify" / "report" / "report.schema.json").is_file()


SNIPPET = "from micrograd import Value\nc = Value(2.0)\nc += c * 3\nd = (c - 1).relu()\nd.backward()\n"
CASES: dict[str, tuple[list[str], int]] = {
    "pass": (["a*b + b**3", "--at", "a=-4", "b=2"], 0),
    "constant first": (["2 ** x * x", "--at", "x=0.5"], 0),
    "kink": (["relu(x) + abs(x)", "--at", "x=0"], 0),
    "inconclusive": (["(x + 1e200 - 1e200) * y", "--at", "x=1", "y=2"], 2),
    "undefined": (["log(a)", "--at", "a=-1"], 2),
    "undefined gradient": (["sqrt(a)", "--at", "a=0"], 2),
    "bad input": (["tahn(x)", "--at", "x=1"], 2),
    "unlocated bad input": (["x", "--at", "x=1", "y=2"], 2),
    "snippet": (["-"], 0),
    "seed": (["--file", str(ROOT / "examples" / "seed.py")], 0),
}


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[
        int, dict[str, Any]]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SNIPPET.encode())))
    code = main(argv)
    out = capsys.readouterr().out
    document = json.loads(out)
    return code, document


@pytest.mark.parametrize("case", list(CASES))
def test_every_document_is_valid_and_explain_only_adds(case: str, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    argv, expected = CASES[case]
    code, plain = run_json([*argv, "--json"], capsys, monkeypatch)
    validate(plain)
    code_explained, explained = run_json([*argv, "--json", "--explain"], capsys, monkeypatch)
    validate(explained)
    assert code == code_explained == expected == plain["exit_code"]
    assert without_explain(explained) == plain
    if plain.get("nodes"):
        assert any(set(node) >= EXPLAIN_NODE for node in explained["nodes"])
        assert all("expression" not in node for node in plain["nodes"])


def test_a_planted_fault_is_a_valid_document(plant_rule: Callable[..., None],
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    plant_rule("tanh", lambda out, x: 1.0 + out * out)
    for extra in ([], ["--explain"]):
        code, document = run_json(["tanh(x) * 3", "--at", "x=0.5", "--json", *extra], capsys, monkeypatch)
        validate(document)
        assert code == 1 and document["verdict"] == "fail" and document["faults"][0]["op"] == "tanh"


def test_explain_fields_are_the_chain_rule(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # f = a*b + b**3 at a=-4, b=2: v2 = b**3 passes 12 * 1 to b, v1 = a*b passes -4 * 1: b's total is 8.
    _, document = run_json(["a*b + b**3", "--at", "a=-4", "b=2", "--json", "--explain"], capsys, monkeypatch)
    nodes = {node["name"]: node for node in document["nodes"]}
    assert nodes["v1"]["expression"] == "a * b" and nodes["v1"]["args"] == ["a", "b"]
    cube, = nodes["v2"]["local"]
    assert (cube["index"], cube["partial"], cube["value"], cube["upstream"], cube["adds"], cube["total"]) == (
        0, "3*b**2", 12.0, 1.0, 12.0, 12.0)
    _, to_b = nodes["v1"]["local"]
    assert (to_b["index"], to_b["partial"], to_b["value"], to_b["total"]) == (1, "a", -4.0, 8.0)


def test_names_are_the_users_in_both_modes(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    _, document = run_json(["-", "--json"], capsys, monkeypatch)
    assert [node["name"] for node in document["nodes"]] == ["c", "v1", "c_1", "v2", "d"]
    assert document["nodes"][2]["args"] == ["c", "v1"] and document["output"] == "d"


def test_report_to_dict_is_the_schemas_report() -> None:
    from micrograd import Value

    a = Value(0.5)
    out = (a * a).tanh()
    out.backward()
    validate(verify.check(out, inputs={"a": a}).to_dict(), "report")


def test_non_finite_numbers_are_strict_json() -> None:
    # A foreign engine may hand back nan and inf; the document stays strict JSON and valid.
    program = Program((("x", 2.0),), (Step("mul", (0, Const(3.0))),))
    report = verify.check_run(program, [2.0, math.inf], [math.nan, 1.0])
    document = report.to_dict()
    text = json.dumps(document, allow_nan=False)
    validate(json.loads(text), "report")
    assert document["value"] == "inf" and document["inputs"][0]["autograd"] == "nan"
