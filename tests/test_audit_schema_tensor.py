"""One schema for both audits: ``verify/audit/audit.schema.json`` validates a scalar engine's
``audit --json`` and a tensor engine's, each by its own branch (``$defs/scalar``,
``$defs/tensor``) and never by the other; ``verify.tensor.schema.SCHEMA`` is the file's tensor
branch, and its words are the tensor audit's."""

from __future__ import annotations

import copy
import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from verify.audit.render import schema
from verify.cli.audit import main
from verify.report import schema as report_schema
from verify.tensor.check import FAULTS
from verify.tensor.ops import DIALECTS
from verify.tensor.schema import SCHEMA as TENSOR_SCHEMA

ENGINES = Path(__file__).parent / "engines"
ONE = schema()
REGISTRY = Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in (ONE, report_schema()))


def _validator(ref: str = "") -> jsonschema.Draft202012Validator:
    """The whole file, or (``ref`` = ``scalar`` or ``tensor``) one of its branches alone."""
    return jsonschema.Draft202012Validator(ONE if not ref else {"$ref": f"{ONE['$id']}#/$defs/{ref}"},
                                           registry=REGISTRY)


def _document(engine: str, *extra: str) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        main(["--engine", str(ENGINES / engine), "--json", "-q", *extra])
    document: dict[str, Any] = json.loads(out.getvalue())
    return document


Documents = dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def documents() -> Documents:
    return {"scalar": _document("zoo/base.py:Value", "--max-examples", "5"),
            "tensor": _document("tensor/planted_sum_axis.py:Tensor")}


def test_a_real_scalar_audit_and_a_real_tensor_audit_both_validate(documents: Documents) -> None:
    jsonschema.Draft202012Validator.check_schema(ONE)
    scalar, tensor = documents["scalar"], documents["tensor"]
    assert [e.message for e in _validator().iter_errors(scalar)] == []
    assert [e.message for e in _validator().iter_errors(tensor)] == []
    assert scalar["verdict"] == "pass" and "kind" not in scalar
    assert tensor["kind"] == "tensor" and tensor["findings"][0]["op"] == "sum"  # a finding is checked too


def test_each_document_matches_its_own_branch_and_fails_the_other(documents: Documents) -> None:
    scalar, tensor = documents["scalar"], documents["tensor"]
    assert _validator("scalar").is_valid(scalar) and not _validator("tensor").is_valid(scalar)
    assert _validator("tensor").is_valid(tensor) and not _validator("scalar").is_valid(tensor)
    # why they never both match: the scalar branch requires `class`, which the tensor branch forbids,
    # and the tensor branch requires `kind`, which the scalar branch forbids
    branches = ONE["$defs"]["scalar"], ONE["$defs"]["tensor"]
    assert ONE["oneOf"] == [{"$ref": "#/$defs/scalar"}, {"$ref": "#/$defs/tensor"}]
    assert all(branch["additionalProperties"] is False for branch in branches)
    assert "class" in branches[0]["required"] and "class" not in branches[1]["properties"]
    assert "kind" in branches[1]["required"] and "kind" not in branches[0]["properties"]


def test_a_wrong_missing_or_extra_field_of_a_tensor_audit_fails(documents: Documents) -> None:
    edits = {
        "a scalar kind": lambda d: d.update(kind="scalar"),
        "no kind": lambda d: d.pop("kind"),
        "a scalar field added": lambda d: d.update({"class": "Tensor"}),
        "a dialect the table lacks": lambda d: d.update(dialect="jax"),
        "an unknown finding kind": lambda d: d["findings"][0].update(kind="oops"),
        "a finding without its snippet": lambda d: d["findings"][0].pop("snippet"),
        "a negative dimension": lambda d: d["findings"][0]["shapes"][0].append(-1),
        "exit code 2 in a finished audit": lambda d: d.update(exit_code=2),
    }
    for what, edit in edits.items():
        bad = copy.deepcopy(documents["tensor"])
        edit(bad)
        assert not _validator().is_valid(bad), what
        assert not jsonschema.Draft202012Validator(TENSOR_SCHEMA).is_valid(bad), what


def test_the_tensor_schema_is_the_files_branch_in_the_tensor_audits_words() -> None:
    branch = ONE["$defs"]["tensor"]
    assert {k: v for k, v in TENSOR_SCHEMA.items() if k not in ("$schema", "title", "$defs")} == branch
    assert TENSOR_SCHEMA["$defs"] == {k: v for k, v in ONE["$defs"].items() if k.startswith("tensor_")}
    jsonschema.Draft202012Validator.check_schema(TENSOR_SCHEMA)
    assert branch["properties"]["dialect"]["enum"] == list(DIALECTS)
    assert ONE["$defs"]["tensor_finding"]["properties"]["kind"]["enum"] == list(FAULTS)
