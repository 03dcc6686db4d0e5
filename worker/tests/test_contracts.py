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


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    doc = json.loads((CONTRACTS / "schemas" / f"{name}.v1.schema.json").read_text())
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(doc)


@pytest.mark.parametrize("name", NAMES)
def test_example_fixture_is_valid(name: str) -> None:
    example = json.loads((CONTRACTS / "examples" / f"{name}.example.json").read_text())
    assert_valid(name, example)


def test_worker_carries_an_identical_copy_of_the_schemas() -> None:
    for name in NAMES:
        ours = (WORKER_DIR / "proteomics_worker" / "schema_files" / f"{name}.v1.schema.json").read_bytes()
        theirs = (CONTRACTS / "schemas" / f"{name}.v1.schema.json").read_bytes()
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
