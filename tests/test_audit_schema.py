"""``verify/audit/audit.schema.json``: every ``audit --json`` document, from engines that pass, fail,
crash, give unreadable gradients, have fragilities or ops built from others, validates; and the
schema is strict: a wrong, missing or extra field fails."""

from __future__ import annotations

import copy
import io
import json
import typing
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from micrograd.ops import OPS
from verify.audit.api import audit
from verify.audit.coverage import FEATURES
from verify.audit.engine.terms import KINDS, STAGES, Phase, Where
from verify.audit.render import schema
from verify.cli.audit import main
from verify.report import schema as report_schema

ROOT = Path(__file__).resolve().parent.parent
ZOO = Path(__file__).parent / "engines" / "zoo"
SCHEMA = schema()
REGISTRY = Registry().with_resources(
    (s["$id"], Resource.from_contents(s)) for s in (SCHEMA, report_schema()))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, registry=REGISTRY)

ENGINES = {  # engine -> what its document must show
    "reference.py:Value": "pass",
    "zoo/rules.py:SaturatedTanh": "a fault and a fragility",
    "zoo/crashes.py:SigmoidBackwardNameError": "a crash with the engine's exception and frame",
    "zoo/unreadable.py:NoneWhenZero": "an unreadable gradient",
    "zoo/composite.py:ComposedAbsMul": "an op that follows from another",
}


def _document(engine: str) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--engine", f"{Path(__file__).parent / 'engines' / engine}", "--max-examples", "5",
              "--json", "-q"])
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {engine: _document(engine) for engine in ENGINES}


def test_the_schema_is_a_valid_json_schema_and_ships_with_the_package() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert '"verify.audit" = ["audit.schema.json"]' in (ROOT / "pyproject.toml").read_text()


def test_the_schemas_words_are_the_audits_words() -> None:
    defs = SCHEMA["$defs"]
    assert tuple(defs["kind"]["enum"]) == KINDS
    assert tuple(defs["where"]["enum"]) == typing.get_args(Where)
    assert tuple(defs["finding"]["properties"]["phase"]["enum"]) == typing.get_args(Phase)
    assert tuple(defs["finding"]["properties"]["stage"]["enum"]) == ("", *STAGES)
    assert SCHEMA["$defs"]["scalar"]["properties"]["ops"]["required"] == list(OPS)
    assert SCHEMA["$defs"]["scalar"]["properties"]["features"]["required"] == [key for key, _ in FEATURES]


def test_real_audits_validate(documents: dict[str, dict[str, Any]]) -> None:
    for engine, document in documents.items():
        errors = [e.message for e in VALIDATOR.iter_errors(document)]
        assert errors == [], (engine, errors[:3])
    by = documents
    assert by["reference.py:Value"]["verdict"] == "pass" and by["reference.py:Value"]["findings"] == []
    tanh = by["zoo/rules.py:SaturatedTanh"]
    assert tanh["findings"][0]["report"] is not None and tanh["fragilities"][0]["fragility"] is not None
    crash = by["zoo/crashes.py:SigmoidBackwardNameError"]["findings"][0]
    assert crash["kind"] == "crash" and crash["error"]["type"] == "NameError" and crash["error"]["frame"]
    assert by["zoo/unreadable.py:NoneWhenZero"]["findings"][0]["kind"] == "unreadable"
    assert any(f["follows_from"] for f in by["zoo/composite.py:ComposedAbsMul"]["findings"])


def _fails(document: dict[str, Any]) -> bool:
    return not VALIDATOR.is_valid(document)


def test_a_wrong_missing_or_extra_field_fails(documents: dict[str, dict[str, Any]]) -> None:
    good = documents["zoo/crashes.py:SigmoidBackwardNameError"]
    assert not _fails(good)
    edits = {
        "an extra top-level field": lambda d: d.update(colour="red"),
        "a missing top-level field": lambda d: d.pop("verdict"),
        "a verdict no audit gives": lambda d: d.update(verdict="inconclusive"),
        "ok as text": lambda d: d.update(ok="false"),
        "an unknown finding kind": lambda d: d["findings"][0].update(kind="oops"),
        "a layout written with the ring": lambda d: d["findings"][0].update(layout="x∘y"),
        "an extra finding field": lambda d: d["findings"][0].update(program="x = Value(1.0)"),
        "a fault filed as a fragility": lambda d: d["findings"][0].update(category="fragility"),
        "a frame without its line": lambda d: d["findings"][0]["error"]["frame"].pop("line"),
        "an op the table lacks": lambda d: d["ops"].update(gelu=d["ops"]["tanh"]),
        "a negative count": lambda d: d["features"].update(shared=-1),
        "a layout an op lacks": lambda d: d["ops"]["tanh"]["layouts"].update({"x o y": True}),
    }
    for what, edit in edits.items():
        bad = copy.deepcopy(good)
        edit(bad)
        assert _fails(bad), what
    judged = copy.deepcopy(documents["zoo/rules.py:SaturatedTanh"])
    judged["findings"][0]["report"]["verdict"] = "bad"  # report.schema.json holds the judge's report
    assert _fails(judged)


def test_to_dict_is_the_json_document() -> None:
    result = audit(f"{ZOO / 'rules.py'}:SaturatedTanh", max_examples=5, ops=["tanh", "add", "mul"])
    assert VALIDATOR.is_valid(json.loads(json.dumps(result.to_dict())))


def test_each_op_has_only_its_own_layouts_in_the_schema() -> None:
    from verify.audit.engine.probes import layouts_of

    for name in OPS:
        own = SCHEMA["$defs"]["scalar"]["properties"]["ops"]["properties"][name]["allOf"][1]["properties"]
        assert tuple(own["layouts"]["propertyNames"]["enum"]) == layouts_of(name)


def test_a_nan_after_two_backward_calls_is_valid_json_and_follows_the_schema() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--engine", f"{Path(__file__).parent / 'engines' / 'sandbox' / 'nan_twice.py'}:Value",
              "--max-examples", "2", "--json", "-q"])

    def refuse(constant: str) -> Any:
        raise ValueError(f"{constant} is not JSON")

    document = json.loads(out.getvalue(), parse_constant=refuse)
    assert document["backward_twice"]["second"] == "nan"
    assert [e.message for e in VALIDATOR.iter_errors(document)] == []
