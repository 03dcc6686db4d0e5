"""The API's parameter model is the contract: the same answers as the worker's copy of the schema."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from biotech_api.schemas import AnalysisCreate
from tests.conftest import REPO_ROOT

API_COPY = Path(__file__).resolve().parents[1] / "biotech_api/contract/analysis-manifest.v2.schema.json"
CONTRACT = REPO_ROOT / "contracts/schemas/analysis-manifest.v2.schema.json"
# Read as JSON, never imported: the worker package is another program with its own dependencies.
WORKER_COPY = REPO_ROOT / "worker/proteomics_worker/schema_files/analysis-manifest.v2.schema.json"


def test_api_carries_an_identical_copy_of_the_manifest_schema() -> None:
    assert API_COPY.exists(), f"missing {API_COPY}: cp {CONTRACT} {API_COPY}"
    assert API_COPY.read_bytes() == CONTRACT.read_bytes(), f"copy differs: cp {CONTRACT} {API_COPY}"


def _worker_accepts(parameters: dict[str, Any]) -> bool:
    schema = json.loads(WORKER_COPY.read_text())
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/parameters"}
    return Draft202012Validator(sub, format_checker=FormatChecker()).is_valid(parameters)


def _api_accepts(parameters: dict[str, Any]) -> bool:
    try:
        AnalysisCreate.model_validate({"parameters": parameters})
    except ValidationError:
        return False
    return True


TMT = {"name": "TMT", "residues": "K", "monoisotopicDelta": 229.16}

CASES: dict[str, dict[str, Any]] = {
    "empty": {},
    "typical": {"enzyme": "trypsin", "missedCleavages": 1, "fixedModifications": ["Carbamidomethyl:C"]},
    "pyro-glu (v2 built-in)": {"variableModifications": ["Pyro-glu:Q"]},
    "protein n-term acetyl": {"variableModifications": ["Acetyl:ProteinN-term"]},
    "unknown built-in name": {"variableModifications": ["Oxidation:W"]},
    "duplicate fixed": {"fixedModifications": ["Carbamidomethyl:C", "Carbamidomethyl:C"]},
    "duplicate variable": {"variableModifications": ["Oxidation:M", "Oxidation:M"]},
    "duplicate custom": {
        "variableModifications": [
            {"name": "x", "residues": "K", "monoisotopicDelta": 1.0},
            {"name": "x", "residues": "K", "monoisotopicDelta": 1.0},
        ]
    },
    "duplicate charges": {"assumedCharges": [2, 2]},
    "duplicate isotope errors": {"isotopeErrors": [0, 0]},
    "duplicate ms levels": {"filters": {"msLevels": [2, 2]}},
    "custom modification": {
        "fixedModifications": [{"name": "TMT", "residues": "K", "monoisotopicDelta": 229.16}]
    },
    "custom delta too large": {
        "fixedModifications": [{"name": "x", "residues": "K", "monoisotopicDelta": 2001}]
    },
    "unknown key": {"bogus": 1},
    "missed cleavages above 5": {"missedCleavages": 6},
    "missed cleavages 5": {"missedCleavages": 5},
    "too many variable mods": {
        "variableModifications": [
            "Oxidation:M",
            "Deamidation:N",
            "Deamidation:Q",
            "Phospho:S",
            "Phospho:T",
            "Phospho:Y",
        ]
    },
    "precursor tolerance 0": {"precursorTolerancePpm": 0},
    "fragment tolerance null": {"fragmentTolerance": None},
    "fragment tolerance ppm": {"fragmentTolerance": {"value": 20, "unit": "ppm"}},
    "fragment tolerance unit": {"fragmentTolerance": {"value": 20, "unit": "mmu"}},
    "fragment tolerance 150 ppm": {"fragmentTolerance": {"value": 150, "unit": "ppm"}},
    "fragment tolerance 6 Da": {"fragmentTolerance": {"value": 6, "unit": "Da"}},
    "filters nulls": {"filters": {"mzMax": None, "topN": None}},
    "filters minPeaks null": {"filters": {"minPeaks": None}},
    "enzyme null": {"enzyme": None},
    "fdr 1%": {"fdrThreshold": 0.01},
    "fdr 0": {"fdrThreshold": 0},
    "fdr above 10%": {"fdrThreshold": 0.2},
    "fdr estimator D/T": {"fdrEstimator": "target-decoy"},
    "fdr estimator (D+1)/T": {"fdrEstimator": "target-decoy-plus-one"},
    "fdr estimator unknown": {"fdrEstimator": "percolator"},
    "contaminants off": {"contaminants": False},
    "background proteome": {"backgroundProteome": {"key": "uploads/u1/host.fasta"}},
    "background proteome null": {"backgroundProteome": None},
    "background proteome absolute key": {"backgroundProteome": {"key": "/etc/passwd"}},
    "background proteome extra key": {"backgroundProteome": {"key": "a.fasta", "bucket": "other"}},
    "retired fragmentConfirmation": {"fragmentConfirmation": True},
    "retired decoyMethod": {"decoyMethod": "reverse"},
    "retired minFragmentIons": {"minFragmentIons": 2},
    "retired minFragmentScoreMargin": {"minFragmentScoreMargin": 0.1},
    "boolean as integer": {"missedCleavages": True},
    "string as number": {"precursorTolerancePpm": "10"},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_api_and_worker_schema_give_the_same_answer(name: str) -> None:
    parameters = CASES[name]
    worker = _worker_accepts(parameters)
    api = _api_accepts(parameters)
    said = {True: "accepts", False: "refuses"}
    assert api == worker, f"{name}: API {said[api]}, worker schema {said[worker]}"


def test_the_table_has_both_answers() -> None:
    answers = {_worker_accepts(p) for p in CASES.values()}
    assert answers == {True, False}


@pytest.mark.parametrize(
    ("value", "unit", "accepted"),
    [(20, "ppm", True), (100, "ppm", True), (101, "ppm", False), (5, "Da", True), (5.01, "Da", False)],
)
def test_the_fragment_tolerance_bound_follows_its_unit(value: float, unit: str, accepted: bool) -> None:
    # v2 bounds Da at 5 and ppm at 100: 20 ppm (high-resolution MS2) must be settable.
    parameters = {"fragmentTolerance": {"value": value, "unit": unit}}
    assert _api_accepts(parameters) is accepted
    assert _worker_accepts(parameters) is accepted


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    # Python's json module reads NaN/Infinity, which JSON Schema's bounds do not catch.
    assert not _api_accepts({"precursorTolerancePpm": value})
    assert not _api_accepts({"filters": {"mzMax": value}})


def test_the_contract_example_manifest_passes_the_api_checks() -> None:
    from biotech_api.contract import manifest_problem

    example = json.loads((REPO_ROOT / "contracts/examples/analysis-manifest.v2.example.json").read_text())
    assert manifest_problem(example) is None
    assert _api_accepts(example["parameters"])
    broken = {**example, "files": [{**example["files"][0], "format": "raw"}]}
    assert (manifest_problem(broken) or "").startswith("$.files[0].format: ")
