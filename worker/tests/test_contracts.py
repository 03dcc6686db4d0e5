"""The JSON Schemas and their fixtures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import CONTRACTS, WORKER_DIR, assert_valid
from jsonschema import Draft202012Validator

NAMES = [
    "analysis-manifest",
    "chunk-manifest",
    "execution-input",
    "file-summary",
    "file-error",
    "analysis-summary",
    "completion-event",
]


VERSIONS = [1, 2]
# v1 is frozen: results written with it are read for 5 years. Its files must never change.
V1_SHA256 = {
    "analysis-manifest": "cdda991f98cf78c9dcdaf7a04a479fcb90c931345392c1c3b4dad0c44ac2d50c",
    "chunk-manifest": "ab1144f2c036979c6cf70022f2b7bfcdcfb9f8ad40493e8ea86b7192153ffbcd",
    "execution-input": "41b1b149e1baeaf359a36695fd61d2c9ea568b1cb2eaebfdfddde452a5f15c49",
    "file-summary": "a4f63826fa57047cc67fcdbbf124617aa6b48ddba78af77cf35ee162fc7f9f5a",
    "file-error": "c9b14c650a850b189d52b6371264b943e3acfcee7631af370b2919137d7bcc44",
    "analysis-summary": "c1f68a4c237dc3a9c0eaca407528b0c3e668f017557b69537d139847cd8bee00",
    "completion-event": "bfe93741fc9581ecd13f5f62f39fd10d71d8287ecd11a633038f7a9867899c98",
}


def _schema(name: str, version: int) -> dict:
    return json.loads((CONTRACTS / "schemas" / f"{name}.v{version}.schema.json").read_text())


def _example_of(name: str, version: int) -> dict:
    suffix = "" if version == 1 else f".v{version}"
    return json.loads((CONTRACTS / "examples" / f"{name}{suffix}.example.json").read_text())


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str, version: int) -> None:
    doc = _schema(name, version)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"].endswith(f":v{version}")
    assert doc["properties"]["schemaVersion"] == {"const": version}
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", NAMES)
def test_example_fixture_is_valid(name: str, version: int) -> None:
    example = _example_of(name, version)
    problems = [e.message for e in Draft202012Validator(_schema(name, version)).iter_errors(example)]
    assert not problems, problems[:3]


@pytest.mark.parametrize("name", NAMES)
def test_a_v1_document_is_not_a_v2_document(name: str) -> None:
    """A reader tells the versions apart by schemaVersion alone."""
    assert list(Draft202012Validator(_schema(name, 2)).iter_errors(_example_of(name, 1)))
    assert list(Draft202012Validator(_schema(name, 1)).iter_errors(_example_of(name, 2)))


@pytest.mark.parametrize("name", NAMES)
def test_v1_is_frozen(name: str) -> None:
    import hashlib

    digest = hashlib.sha256((CONTRACTS / "schemas" / f"{name}.v1.schema.json").read_bytes()).hexdigest()
    assert digest == V1_SHA256[name], f"{name}.v1 changed: v1 results must stay readable; change v2 instead"


@pytest.mark.parametrize("version", VERSIONS)
def test_worker_carries_an_identical_copy_of_the_schemas(version: int) -> None:
    for name in NAMES:
        ours = (WORKER_DIR / "proteomics_worker" / "schema_files" / f"{name}.v{version}.schema.json").read_bytes()
        theirs = (CONTRACTS / "schemas" / f"{name}.v{version}.schema.json").read_bytes()
        assert ours == theirs, f"copy of {name} differs: cp contracts/schemas/*.json worker/proteomics_worker/schema_files/"


def test_committed_schemas_match_the_generator() -> None:
    proc = subprocess.run(
        [sys.executable, str(CONTRACTS / "scripts" / "generate_schemas.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def _example(name: str) -> dict:
    return json.loads((CONTRACTS / "examples" / f"{name}.example.json").read_text())


def test_ids_are_limited_to_64_safe_characters() -> None:
    from jsonschema import ValidationError, validate

    doc = _example("execution-input")
    for bad in ["a" * 65, "-leading", "has space", "slash/x", ""]:
        doc["analysisId"] = bad
        with pytest.raises(ValidationError):
            validate(doc, json.loads((CONTRACTS / "schemas" / "execution-input.v1.schema.json").read_text()))
    doc["analysisId"] = "A" * 64
    assert_valid("execution-input", doc)


def test_execution_input_rejects_extra_properties() -> None:
    from jsonschema import ValidationError, validate

    doc = _example("execution-input")
    doc["unexpected"] = True
    with pytest.raises(ValidationError):
        validate(doc, json.loads((CONTRACTS / "schemas" / "execution-input.v1.schema.json").read_text()))


def test_manifest_needs_a_file_and_a_known_format() -> None:
    from jsonschema import ValidationError, validate

    sch = json.loads((CONTRACTS / "schemas" / "analysis-manifest.v1.schema.json").read_text())
    doc = _example("analysis-manifest")
    doc["files"] = []
    with pytest.raises(ValidationError):
        validate(doc, sch)
    doc = _example("analysis-manifest")
    doc["files"][0]["format"] = "raw"
    with pytest.raises(ValidationError):
        validate(doc, sch)
    doc = _example("analysis-manifest")
    doc["files"][0]["sequence"] = {"fasta": ">x\nPEPTIDE", "key": "both/not-allowed.fasta"}
    with pytest.raises(ValidationError):
        validate(doc, sch)
