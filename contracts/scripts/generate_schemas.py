#!/usr/bin/env python3
"""Generate the v1 and v2 JSON Schemas in ../schemas from one Python description.

The schemas are committed as JSON (the TypeScript pipeline and the Python API
load them directly); this script only exists so that the definitions shared
by several documents (ids, file entries, worker parameters) stay identical.
It also refreshes the copy inside the worker package
(worker/proteomics_worker/schema_files). Run it after editing, then run the
worker tests, which check that the committed JSON matches what this script
produces:

    python3 contracts/scripts/generate_schemas.py          # rewrite
    python3 contracts/scripts/generate_schemas.py --check  # exit 1 if stale
"""
from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:cdk-proteomics-platform:schema:"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
# The worker image is built from worker/ alone, so the worker package carries a copy.
WORKER_COPY = Path(__file__).resolve().parent.parent.parent / "worker" / "proteomics_worker" / "schema_files"

ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
SHA256_PATTERN = "^[a-f0-9]{64}$"
ONE_LINE = "^[^\\r\\n]*$"

ID = {"type": "string", "pattern": ID_PATTERN}
S3_KEY = {"type": "string", "minLength": 1, "maxLength": 1024, "pattern": "^[^/].*$"}
COUNT = {"type": "integer", "minimum": 0}
DATETIME = {"type": "string", "format": "date-time"}
ANALYSIS_STATUS = {"type": "string", "enum": ["SUCCEEDED", "PARTIAL", "FAILED"]}
FORMAT = {"type": "string", "enum": ["mzML", "mzML.gz", "mzXML", "mgf"]}
NUM_OR_NULL = {"type": ["number", "null"]}

MODIFICATION = {
    "description": (
        "A residue modification: either a built-in name such as "
        "'Carbamidomethyl:C', 'Oxidation:M', 'Deamidation:N', 'Deamidation:Q', "
        "'Phospho:S', 'Phospho:T', 'Phospho:Y', or an explicit object."
    ),
    "oneOf": [
        {
            "type": "string",
            "enum": [
                "Carbamidomethyl:C",
                "Carboxymethyl:C",
                "Oxidation:M",
                "Deamidation:N",
                "Deamidation:Q",
                "Phospho:S",
                "Phospho:T",
                "Phospho:Y",
            ],
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "residues", "monoisotopicDelta"],
            "properties": {
                "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,32}$"},
                "residues": {"type": "string", "pattern": "^[ACDEFGHIKLMNPQRSTVWY]{1,20}$"},
                "monoisotopicDelta": {"type": "number", "minimum": -500, "maximum": 2000},
            },
        },
    ],
}

PARAMETERS = {
    "type": "object",
    "description": (
        "Worker parameters. Every field is optional; the worker fills in the "
        "documented default (see worker/README.md) and reports the resolved "
        "set in each file summary."
    ),
    "additionalProperties": False,
    "properties": {
        "enzyme": {
            "type": "string",
            "minLength": 1,
            "maxLength": 64,
            "description": "A pyteomics expasy_rules name, e.g. 'trypsin', 'lysc', 'asp-n', 'glutamyl endopeptidase', 'chymotrypsin high specificity'. Default 'trypsin'.",
        },
        "missedCleavages": {"type": "integer", "minimum": 0, "maximum": 5, "default": 2},
        "minPeptideLength": {"type": "integer", "minimum": 1, "maximum": 100, "default": 5},
        "maxPeptideLength": {"type": "integer", "minimum": 1, "maximum": 200, "default": 60},
        "fixedModifications": {
            "type": "array",
            "maxItems": 10,
            "items": {"$ref": "#/$defs/modification"},
            "default": ["Carbamidomethyl:C"],
        },
        "variableModifications": {
            "type": "array",
            "maxItems": 5,
            "items": {"$ref": "#/$defs/modification"},
            "default": [],
        },
        "maxVariableModifications": {"type": "integer", "minimum": 0, "maximum": 3, "default": 1},
        "precursorTolerancePpm": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000, "default": 10},
        "isotopeErrors": {
            "type": "array",
            "minItems": 1,
            "maxItems": 5,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": -1, "maximum": 3},
            "default": [0, 1],
        },
        "assumedCharges": {
            "type": "array",
            "description": "Charges tried when a precursor's charge is missing.",
            "minItems": 1,
            "maxItems": 6,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": 1, "maximum": 10},
            "default": [2, 3],
        },
        "fragmentTolerance": {
            "description": "Fragment tolerance. Omit or null for the default chosen from the analyser: 0.5 Da for ion-trap or unknown low-resolution MS2, 20 ppm for Orbitrap/FT/TOF MS2.",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["value", "unit"],
                    "properties": {
                        "value": {"type": "number", "exclusiveMinimum": 0, "maximum": 5},
                        "unit": {"type": "string", "enum": ["Da", "ppm"]},
                    },
                },
            ],
        },
        "fragmentConfirmation": {"type": "boolean", "default": True},
        "decoyMethod": {"type": "string", "enum": ["reverse", "shuffle"], "default": "reverse"},
        "minFragmentIons": {"type": "integer", "minimum": 1, "maximum": 50, "default": 4},
        "minFragmentScoreMargin": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "default": 0.1,
            "description": "A precursor match is fragment-confirmed when its matched b/y fraction exceeds its decoy's by at least this much.",
        },
        "filters": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "msLevels": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": {"type": "integer", "minimum": 1, "maximum": 10},
                    "default": [1, 2],
                },
                "mzMin": {"type": "number", "minimum": 0, "default": 0},
                "mzMax": {"type": ["number", "null"], "exclusiveMinimum": 0, "default": None},
                "dropEmpty": {"type": "boolean", "default": True},
                "minPeaks": {"type": "integer", "minimum": 0, "maximum": 100000, "default": 1},
                "relativeIntensityFloor": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1,
                    "default": 0,
                    "description": "Peaks below this fraction of the base peak are dropped before counting and matching.",
                },
                "noiseFactor": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1000,
                    "default": 0,
                    "description": "Peaks below noiseFactor x the spectrum's median intensity are dropped (0 disables).",
                },
                "topN": {"type": ["integer", "null"], "minimum": 1, "maximum": 100000, "default": None},
            },
        },
        "traceMaxPoints": {"type": "integer", "minimum": 10, "maximum": 100000, "default": 1000},
        "deconvolution": {
            "type": "boolean",
            "default": True,
            "description": "Attempt intact-mass deconvolution of MS1 spectra for intact_ms1 experiments.",
        },
    },
}

SEQUENCE = {
    "description": "Protein sequence(s) to map against: inline FASTA text, or the key of a FASTA object in the uploads bucket.",
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["fasta"],
            "properties": {"fasta": {"type": "string", "minLength": 1, "maxLength": 5000000}},
        },
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["key"],
            "properties": {"key": S3_KEY},
        },
    ],
}

FILE_ENTRY = {
    "type": "object",
    "additionalProperties": False,
    "required": ["fileId", "key", "format"],
    "properties": {
        "fileId": {"$ref": "#/$defs/id"},
        "key": {**S3_KEY, "description": "S3 key of the raw file in the uploads bucket (the bucket holding the manifest)."},
        "sha256": {"type": "string", "pattern": SHA256_PATTERN, "description": "Lower-case hex SHA-256 of the object; checked after download when present."},
        "sizeBytes": COUNT,
        "format": FORMAT,
        "sequence": {"$ref": "#/$defs/sequence"},
        "name": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": ONE_LINE},
    },
}

BASE_DEFS = {
    "id": ID,
    "modification": MODIFICATION,
    "parameters": PARAMETERS,
    "sequence": SEQUENCE,
    "fileEntry": FILE_ENTRY,
}


def schema(name: str, title: str, description: str, body: dict, defs: list[str], version: int = 1, base_defs: dict | None = None) -> dict:
    out = {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}{name}:v{version}",
        "title": title,
        "description": description,
    }
    out.update(body)
    if defs:
        out["$defs"] = {k: copy.deepcopy((base_defs or BASE_DEFS)[k]) for k in defs}
    return out


def ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{name}"}


MANIFEST_COMMON = {
    "schemaVersion": {"const": 1},
    "analysisId": ref("id"),
    "sampleId": ref("id"),
    "ownerId": ref("id"),
    "createdAt": DATETIME,
    "parameters": ref("parameters"),
}
PARAM_DEFS = ["id", "modification", "parameters", "sequence", "fileEntry"]

STATS = {
    "type": "object",
    "additionalProperties": False,
    "required": ["n"],
    "properties": {
        "n": COUNT,
        "medianPpm": NUM_OR_NULL,
        "medianAbsPpm": NUM_OR_NULL,
        "meanPpm": NUM_OR_NULL,
        "sdPpm": NUM_OR_NULL,
        "minPpm": NUM_OR_NULL,
        "maxPpm": NUM_OR_NULL,
    },
}
RANGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["min", "max"],
    "properties": {"min": NUM_OR_NULL, "max": NUM_OR_NULL},
}
TRACE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["rtSeconds", "intensity"],
    "properties": {
        "rtSeconds": {"type": "array", "items": {"type": "number"}},
        "intensity": {"type": "array", "items": {"type": "number"}},
    },
}
HISTOGRAM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["binEdges", "counts"],
    "properties": {
        "binEdges": {"type": "array", "items": {"type": "number"}},
        "counts": {"type": "array", "items": COUNT},
    },
}
COUNT_MAP = {"type": "object", "additionalProperties": COUNT}
INPUT_INFO = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 1024},
        "sha256": {"type": "string", "pattern": SHA256_PATTERN},
        "sizeBytes": COUNT,
        "format": {"type": "string", "enum": ["mzML", "mzML.gz", "mzXML", "mzXML.gz", "mgf", "mgf.gz", "unknown"]},
    },
}
TOOL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "version"],
    "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
}
PROTEIN_COVERAGE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["accession", "length", "precursorOnlyPercent", "fragmentConfirmedPercent"],
    "properties": {
        "accession": {"type": "string"},
        "description": {"type": "string"},
        "length": {"type": "integer", "minimum": 1},
        "precursorOnlyPercent": {"type": "number", "minimum": 0, "maximum": 100},
        "fragmentConfirmedPercent": {"type": "number", "minimum": 0, "maximum": 100},
        "peptidesPrecursorOnly": COUNT,
        "peptidesFragmentConfirmed": COUNT,
        "residueCoverage": {
            "type": "string",
            "description": "One character per residue: '.' not covered, 'p' precursor-only, 'F' fragment-confirmed.",
            "pattern": "^[.pF]*$",
        },
    },
}

# Version 1 is frozen: results written with it stay readable for their 5 years, so these
# definitions never change (the worker tests compare the committed files with this output).
SCHEMAS_V1 = {
    "analysis-manifest": schema(
        "analysis-manifest",
        "Analysis manifest v1",
        "Written by the API at manifests/<analysisId>.json in the uploads bucket; read by the pipeline and the worker (batch, chunk, rollup).",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["schemaVersion", "analysisId", "sampleId", "ownerId", "createdAt", "parameters", "files"],
            "properties": {**MANIFEST_COMMON, "files": {"type": "array", "minItems": 1, "items": ref("fileEntry")}},
        },
        PARAM_DEFS,
    ),
    "chunk-manifest": schema(
        "chunk-manifest",
        "Chunk manifest v1",
        "Written by `proteomics_worker chunk` at manifests/<analysisId>/chunk-<n>.json; one slice of at most 10,000 file entries of an analysis manifest.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "schemaVersion", "analysisId", "sampleId", "ownerId", "chunkIndex", "chunkCount",
                "firstFileIndex", "parameters", "files",
            ],
            "properties": {
                **{k: v for k, v in MANIFEST_COMMON.items() if k != "createdAt"},
                "createdAt": DATETIME,
                "chunkIndex": COUNT,
                "chunkCount": {"type": "integer", "minimum": 1},
                "firstFileIndex": COUNT,
                "files": {"type": "array", "minItems": 1, "maxItems": 10000, "items": ref("fileEntry")},
            },
        },
        PARAM_DEFS,
    ),
    "execution-input": schema(
        "execution-input",
        "Execution input v1",
        "Input of one Step Functions execution (name '<analysisId>-<attempt>'), started by the API.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["schemaVersion", "analysisId", "sampleId", "ownerId", "manifestKey", "fileCount"],
            "properties": {
                "schemaVersion": {"const": 1},
                "analysisId": ref("id"),
                "sampleId": ref("id"),
                "ownerId": ref("id"),
                "manifestKey": {"type": "string", "pattern": "^manifests/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.json$"},
                "fileCount": {"type": "integer", "minimum": 1},
                "filesPerTask": {"type": "integer", "minimum": 1, "maximum": 1000},
                "attempt": {"type": "integer", "minimum": 1, "maximum": 999},
            },
        },
        ["id"],
    ),
    "file-summary": schema(
        "file-summary",
        "Per-file summary v1",
        "Written by the worker LAST, at analyses/<analysisId>/files/<fileId>/summary.json in the results bucket, only when the file was analysed completely.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "schemaVersion", "status", "tool", "libraries", "parameters", "input", "experimentType",
                "counts", "classes", "coverage", "massError", "qc", "outputs", "startedAt", "finishedAt",
            ],
            "properties": {
                "schemaVersion": {"const": 1},
                "status": {"const": "SUCCEEDED"},
                "analysisId": ref("id"),
                "fileId": ref("id"),
                "tool": TOOL,
                "libraries": {"type": "object", "additionalProperties": {"type": "string"}},
                "parameters": ref("parameters"),
                "input": INPUT_INFO,
                "experimentType": {"type": "string", "enum": ["peptide_map", "intact_ms1", "qc_only"]},
                "experimentTypeReason": {"type": "string"},
                "counts": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["spectra", "ms1", "ms2", "msn", "spectraKept", "spectraFiltered"],
                    "properties": {
                        "spectra": COUNT,
                        "ms1": COUNT,
                        "ms2": COUNT,
                        "msn": {**COUNT, "description": "Spectra of MS level 3 or higher."},
                        "spectraKept": COUNT,
                        "spectraFiltered": COUNT,
                        "peaksRead": COUNT,
                        "peaksKept": COUNT,
                        "precursorsWithCharge": COUNT,
                        "precursorsChargeUnknown": COUNT,
                        "candidatePeptides": COUNT,
                        "psmsPrecursor": COUNT,
                        "psmsFragmentConfirmed": COUNT,
                        "peptidesPrecursorOnly": COUNT,
                        "peptidesFragmentConfirmed": COUNT,
                    },
                },
                "classes": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["charge", "dataMode", "quality", "identification", "filter"],
                    "properties": {
                        "charge": {**COUNT_MAP, "description": "MSn spectra per precursor charge ('1', '2', ..., 'unknown')."},
                        "dataMode": COUNT_MAP,
                        "quality": COUNT_MAP,
                        "identification": COUNT_MAP,
                        "filter": COUNT_MAP,
                        "polarity": COUNT_MAP,
                    },
                },
                "coverage": {
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["precursorOnlyPercent", "fragmentConfirmedPercent", "proteins"],
                            "properties": {
                                "precursorOnlyPercent": {"type": "number", "minimum": 0, "maximum": 100},
                                "fragmentConfirmedPercent": {"type": "number", "minimum": 0, "maximum": 100},
                                "fragmentTolerance": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "required": ["value", "unit", "source"],
                                    "properties": {
                                        "value": {"type": "number"},
                                        "unit": {"type": "string", "enum": ["Da", "ppm"]},
                                        "source": {"type": "string", "enum": ["parameter", "analyser", "default"]},
                                    },
                                },
                                "proteins": {"type": "array", "items": PROTEIN_COVERAGE},
                            },
                        },
                    ]
                },
                "massError": {"oneOf": [{"type": "null"}, STATS]},
                "qc": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["retentionTimeSeconds", "mz", "ticTrace", "basePeakTrace", "chargeHistogram", "precursorMzHistogram", "deconvolution"],
                    "properties": {
                        "retentionTimeSeconds": RANGE,
                        "mz": RANGE,
                        "precursorMz": RANGE,
                        "totalIonCurrent": {"type": "number", "minimum": 0},
                        "ticTrace": TRACE,
                        "basePeakTrace": TRACE,
                        "chargeHistogram": COUNT_MAP,
                        "precursorMzHistogram": HISTOGRAM,
                        "ms2PerMs1": NUM_OR_NULL,
                        "deconvolution": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["performed"],
                            "properties": {
                                "performed": {"type": "boolean"},
                                "reason": {"type": "string"},
                                "masses": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": False,
                                        "required": ["neutralMass", "intensity"],
                                        "properties": {
                                            "neutralMass": {"type": "number"},
                                            "intensity": {"type": "number"},
                                            "charges": {"type": "array", "items": {"type": "integer"}},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
                "warnings": {"type": "array", "items": {"type": "string", "pattern": ONE_LINE}},
                "outputs": {
                    "type": "array",
                    "description": "Files written beside summary.json (summary.json itself excluded).",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["name", "sizeBytes", "sha256", "contentType"],
                        "properties": {
                            "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]+$"},
                            "sizeBytes": COUNT,
                            "sha256": {"type": "string", "pattern": SHA256_PATTERN},
                            "contentType": {"type": "string"},
                        },
                    },
                },
                "startedAt": DATETIME,
                "finishedAt": DATETIME,
                "durationSeconds": {"type": "number", "minimum": 0},
            },
        },
        ["id", "modification", "parameters"],
    ),
    "file-error": schema(
        "file-error",
        "Per-file error v1",
        "Written by the worker at analyses/<analysisId>/files/<fileId>/error.json when a file cannot be analysed; no summary.json is written then.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["schemaVersion", "status", "errorCode", "message"],
            "properties": {
                "schemaVersion": {"const": 1},
                "status": {"const": "FAILED"},
                "analysisId": ref("id"),
                "fileId": ref("id"),
                "errorCode": {
                    "type": "string",
                    "enum": [
                        "UNREADABLE", "CORRUPT", "TRUNCATED", "EMPTY", "UNKNOWN_FORMAT", "BAD_FASTA",
                        "BAD_PARAMETERS", "BAD_MANIFEST", "CHECKSUM_MISMATCH", "DOWNLOAD_FAILED",
                        "UPLOAD_FAILED", "TIMEOUT", "INTERNAL",
                    ],
                },
                "message": {"type": "string", "minLength": 1, "maxLength": 1000, "pattern": ONE_LINE},
                "input": INPUT_INFO,
                "tool": TOOL,
                "failedAt": DATETIME,
            },
        },
        ["id"],
    ),
    "analysis-summary": schema(
        "analysis-summary",
        "Analysis roll-up summary v1",
        "Written by `proteomics_worker rollup` at analyses/<analysisId>/summary.json in the results bucket.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "schemaVersion", "analysisId", "sampleId", "ownerId", "status", "filesSucceeded",
                "filesFailed", "fileCount", "files", "createdAt",
            ],
            "properties": {
                "schemaVersion": {"const": 1},
                "analysisId": ref("id"),
                "sampleId": ref("id"),
                "ownerId": ref("id"),
                "status": ANALYSIS_STATUS,
                "filesSucceeded": COUNT,
                "filesFailed": COUNT,
                "fileCount": {"type": "integer", "minimum": 1},
                "files": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["fileId", "status"],
                        "properties": {
                            "fileId": ref("id"),
                            "status": {"type": "string", "enum": ["SUCCEEDED", "FAILED"]},
                            "name": {"type": "string"},
                            "summaryKey": S3_KEY,
                            "errorKey": S3_KEY,
                            "errorCode": {"type": "string"},
                            "reason": {"type": "string", "pattern": ONE_LINE},
                            "experimentType": {"type": "string", "enum": ["peptide_map", "intact_ms1", "qc_only"]},
                            "precursorOnlyCoveragePercent": NUM_OR_NULL,
                            "fragmentConfirmedCoveragePercent": NUM_OR_NULL,
                        },
                    },
                },
                "createdAt": DATETIME,
            },
        },
        ["id"],
    ),
    "completion-event": schema(
        "completion-event",
        "Analysis Completed event detail v1",
        "EventBridge event detail, source 'cdk-proteomics-platform', detail-type 'Analysis Completed', put by the pipeline when an execution ends.",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["schemaVersion", "analysisId", "sampleId", "ownerId", "status", "filesSucceeded", "filesFailed", "summaryKey"],
            "properties": {
                "schemaVersion": {"const": 1},
                "analysisId": ref("id"),
                "sampleId": ref("id"),
                "ownerId": ref("id"),
                "status": ANALYSIS_STATUS,
                "filesSucceeded": COUNT,
                "filesFailed": COUNT,
                "summaryKey": S3_KEY,
                "cause": {"type": "string", "maxLength": 2000},
            },
        },
        ["id"],
    ),
}


# ---------------------------------------------------------------------------------------------
# Version 2: one set of changes for the search engine (target-decoy FDR and standard outputs),
# reruns that never overwrite earlier results, the cost of each analysis and the results views.
# Writers produce v2; readers accept v1 and v2 (results live 5 years). What changed, by document:
#   parameters         - home-made fragment confirmation removed (fragmentConfirmation, decoyMethod,
#                        minFragmentIons, minFragmentScoreMargin); fdrThreshold, fdrEstimator,
#                        contaminants and backgroundProteome added; modification lists hold no duplicates; the
#                        built-in modifications gain Pyro-glu:Q (N-terminal Q) and Acetyl:ProteinN-term.
#   analysis manifest  - rerunOf (the analysis this one reruns); files[].proteinName.
#   execution input    - unchanged but for schemaVersion.
#   file summary       - executionName (the roll-up trusts only files of its own execution);
#                        identification (engine, database, FDR estimator and threshold, accepted
#                        PSMs / peptides / protein groups, q-value floors, whether FDR was estimable);
#                        coverage counts only peptides accepted at the peptide-level threshold;
#                        massError from accepted PSMs only (precursor and fragment); acquisition
#                        (DDA / DIA / ...); qc.identification; qcFlags; outputs[].kind.
#   file error         - executionName; UNSUPPORTED_ACQUISITION (e.g. DIA data).
#   analysis summary   - executionName, rerunOf, cost; per-file accepted counts and coverage.
#   completion event   - executionName, rerunOf, estimatedCostUsd.
V2 = 2
EXECUTION_NAME = {
    "type": "string",
    "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$",
    "description": "Name of the Step Functions execution that wrote the document ('<analysisId>-<attempt>').",
}

MODIFICATION_V2 = copy.deepcopy(MODIFICATION)
MODIFICATION_V2["description"] = (
    "A residue modification: either a built-in name such as 'Carbamidomethyl:C', 'Oxidation:M', "
    "'Deamidation:N', 'Phospho:S', 'Pyro-glu:Q' (N-terminal Q) or 'Acetyl:ProteinN-term', or an explicit object."
)
MODIFICATION_V2["oneOf"][0]["enum"] = MODIFICATION["oneOf"][0]["enum"] + ["Pyro-glu:Q", "Acetyl:ProteinN-term"]

PARAMETERS_V2 = copy.deepcopy(PARAMETERS)
for dropped in ("fragmentConfirmation", "decoyMethod", "minFragmentIons", "minFragmentScoreMargin"):
    del PARAMETERS_V2["properties"][dropped]
PARAMETERS_V2["properties"]["fixedModifications"]["uniqueItems"] = True
PARAMETERS_V2["properties"]["variableModifications"]["uniqueItems"] = True
# v1 capped a fragment tolerance at 5 whatever its unit, which refused any ppm setting above 5
# (Orbitrap work uses ~20 ppm). v2's bound follows the unit.
_FRAGMENT_V2 = PARAMETERS_V2["properties"]["fragmentTolerance"]["oneOf"][1]
_FRAGMENT_V2["properties"]["value"] = {"type": "number", "exclusiveMinimum": 0}
_FRAGMENT_V2["allOf"] = [
    {
        "if": {"properties": {"unit": {"const": unit}}},
        "then": {"properties": {"value": {"type": "number", "maximum": maximum}}},
    }
    for unit, maximum in (("Da", 5), ("ppm", 100))
]
PARAMETERS_V2["properties"]["fdrThreshold"] = {
    "type": "number",
    "exclusiveMinimum": 0,
    "maximum": 0.1,
    "default": 0.01,
    "description": "q-value threshold applied at PSM, peptide and protein-group level (target-decoy competition).",
}
PARAMETERS_V2["properties"]["fdrEstimator"] = {
    "type": "string",
    "enum": ["target-decoy", "target-decoy-plus-one"],
    "default": "target-decoy",
    "description": (
        "How q-values are estimated from target-decoy competition: 'target-decoy' is q = D/T, the classic "
        "estimate; 'target-decoy-plus-one' is q = (D+1)/T, which controls FDR in finite samples but cannot "
        "reach 1 % with fewer than 100 accepted targets (a single protein rarely gives 100 peptides)."
    ),
}
PARAMETERS_V2["properties"]["contaminants"] = {
    "type": "boolean",
    "default": True,
    "description": "Also search the worker's bundled common-contaminants FASTA (accessions prefixed 'CON_').",
}
PARAMETERS_V2["properties"]["backgroundProteome"] = {
    "description": (
        "A FASTA object in the uploads bucket searched as extra targets (e.g. the expression host's proteome): "
        "it catches co-purified proteins and gives the decoy competition enough candidates to estimate FDR."
    ),
    "oneOf": [
        {"type": "null"},
        {"type": "object", "additionalProperties": False, "required": ["key"], "properties": {"key": S3_KEY}},
    ],
}

FILE_ENTRY_V2 = copy.deepcopy(FILE_ENTRY)
FILE_ENTRY_V2["properties"]["proteinName"] = {
    "type": "string", "minLength": 1, "maxLength": 255, "pattern": ONE_LINE,
    "description": "Display name of the protein the file characterises (used in result and download names).",
}

BASE_DEFS_V2 = {
    "id": ID,
    "modification": MODIFICATION_V2,
    "parameters": PARAMETERS_V2,
    "sequence": SEQUENCE,
    "fileEntry": FILE_ENTRY_V2,
}

FRACTION = {"type": "number", "minimum": 0, "maximum": 1}
FRACTION_OR_NULL = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
FRAGMENT_TOLERANCE_USED = {
    "type": "object",
    "additionalProperties": False,
    "required": ["value", "unit", "source"],
    "properties": {
        "value": {"type": "number"},
        "unit": {"type": "string", "enum": ["Da", "ppm"]},
        "source": {"type": "string", "enum": ["parameter", "analyser", "default"]},
    },
}
IDENTIFICATION = {
    "description": "The database search and its false-discovery control; null when no sequence was given.",
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["engine", "database", "fdr", "accepted"],
            "properties": {
                "engine": TOOL,
                "settings": {"type": "object", "description": "Engine settings that differ from its defaults, as the engine names them."},
                "fragmentTolerance": FRAGMENT_TOLERANCE_USED,
                "database": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["targetProteins", "decoyProteins", "decoyPrefix"],
                    "properties": {
                        "targetProteins": COUNT,
                        "sampleProteins": COUNT,
                        "contaminantProteins": COUNT,
                        "backgroundProteins": COUNT,
                        "decoyProteins": COUNT,
                        "decoyPrefix": {"type": "string", "minLength": 1, "maxLength": 16},
                        "decoyMethod": {"type": "string", "maxLength": 200},
                        "contaminantsSource": {"type": "string", "maxLength": 300},
                        "sha256": {"type": "string", "pattern": SHA256_PATTERN},
                    },
                },
                "fdr": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["threshold", "estimator", "estimable"],
                    "properties": {
                        "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                        "estimator": {"type": "string", "minLength": 1, "maxLength": 300, "description": "How q-values were computed, e.g. 'target-decoy competition, q = (D+1)/T'."},
                        "estimable": {"type": "boolean", "description": "False when too few decoys compete for the threshold to be reachable; nothing is then reported as accepted."},
                        "note": {"type": "string", "maxLength": 1000, "pattern": ONE_LINE},
                        "psmQValueFloor": FRACTION_OR_NULL,
                        "peptideQValueFloor": FRACTION_OR_NULL,
                        "proteinGroupQValueFloor": FRACTION_OR_NULL,
                        "rescoring": {"type": "string", "maxLength": 200},
                    },
                },
                "accepted": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["psms", "peptides", "proteinGroups"],
                    "properties": {"psms": COUNT, "peptides": COUNT, "proteinGroups": COUNT, "decoyPsms": COUNT},
                },
            },
        },
    ],
}
PROTEIN_COVERAGE_V2 = {
    "type": "object",
    "additionalProperties": False,
    "required": ["accession", "length", "percent", "peptides"],
    "properties": {
        "accession": {"type": "string"},
        "description": {"type": "string"},
        "length": {"type": "integer", "minimum": 1},
        "percent": {"type": "number", "minimum": 0, "maximum": 100},
        "peptides": {**COUNT, "description": "Distinct peptides accepted at the peptide-level threshold."},
        "psms": COUNT,
        "residueCoverage": {
            "type": "string",
            "description": "One character per residue: '.' not covered, '+' covered by an accepted peptide.",
            "pattern": "^[.+]*$",
        },
    },
}
COVERAGE_V2 = {
    "description": "Sequence coverage by peptides accepted at the peptide-level FDR threshold; null without a sequence.",
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["percent", "basis", "proteins"],
            "properties": {
                "percent": {"type": "number", "minimum": 0, "maximum": 100},
                "basis": {"type": "string", "maxLength": 300},
                "proteins": {"type": "array", "items": PROTEIN_COVERAGE_V2},
            },
        },
    ],
}
MASS_ERROR_V2 = {
    "description": "Mass errors of accepted PSMs only; null when none were accepted.",
    "oneOf": [
        {"type": "null"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["precursor"],
            "properties": {
                "precursor": STATS,
                "fragment": {"oneOf": [{"type": "null"}, {**copy.deepcopy(STATS), "properties": {**STATS["properties"], "unit": {"type": "string", "enum": ["Da", "ppm"]}, "median": NUM_OR_NULL, "medianAbs": NUM_OR_NULL}}]},
            },
        },
    ],
}
QC_FLAG = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,63}$"},
        "message": {"type": "string", "maxLength": 500, "pattern": ONE_LINE},
    },
}


def v2_of(doc: dict, name: str, title: str) -> dict:
    """A v2 schema derived from its frozen v1: new $id and title, schemaVersion 2, v2 $defs."""
    out = copy.deepcopy(doc)
    out["$id"] = f"{ID_BASE}{name}:v{V2}"
    out["title"] = title
    out["properties"]["schemaVersion"] = {"const": V2}
    for key in out.get("$defs", {}):
        out["$defs"][key] = copy.deepcopy(BASE_DEFS_V2[key])
    return out


def _file_summary_v2() -> dict:
    out = v2_of(SCHEMAS_V1["file-summary"], "file-summary", "Per-file summary v2")
    props = out["properties"]
    props["executionName"] = EXECUTION_NAME
    counts = props["counts"]["properties"]
    for dropped in ("candidatePeptides", "psmsPrecursor", "psmsFragmentConfirmed", "peptidesPrecursorOnly", "peptidesFragmentConfirmed"):
        del counts[dropped]
    counts["psmsAccepted"] = COUNT
    counts["peptidesAccepted"] = COUNT
    counts["proteinGroupsAccepted"] = COUNT
    props["classes"]["properties"]["identification"] = {**COUNT_MAP, "description": "MSn spectra per outcome: 'accepted', 'rejected' (best match above the threshold), 'unmatched', 'not_applicable'."}
    props["acquisition"] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["mode"],
        "properties": {
            "mode": {"type": "string", "enum": ["DDA", "DIA", "targeted", "undetermined"]},
            "medianIsolationWidth": NUM_OR_NULL,
            "reason": {"type": "string", "maxLength": 500, "pattern": ONE_LINE},
        },
    }
    props["identification"] = IDENTIFICATION
    props["coverage"] = COVERAGE_V2
    props["massError"] = MASS_ERROR_V2
    props["qc"]["properties"]["identification"] = {
        "description": "Identification-based QC from accepted PSMs; null without a database search.",
        "oneOf": [
            {"type": "null"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["ms2IdentificationRate"],
                "properties": {
                    "ms2IdentificationRate": FRACTION,
                    "missedCleavageRate": FRACTION_OR_NULL,
                    "identifiedChargeStates": COUNT_MAP,
                    "contaminantPsmShare": FRACTION_OR_NULL,
                },
            },
        ],
    }
    props["qcFlags"] = {"type": "array", "items": QC_FLAG}
    outputs = props["outputs"]["items"]["properties"]
    outputs["kind"] = {"type": "string", "enum": ["psms", "peptides", "proteins", "mztab", "mzqc", "mzidentml", "spectra", "plot", "other"]}
    out["required"] = [r for r in out["required"] if r != "schemaVersion"]
    out["required"] = ["schemaVersion", "executionName", *out["required"], "identification", "acquisition"]
    return out


def _file_error_v2() -> dict:
    out = v2_of(SCHEMAS_V1["file-error"], "file-error", "Per-file error v2")
    out["properties"]["executionName"] = EXECUTION_NAME
    out["properties"]["errorCode"]["enum"] = [*out["properties"]["errorCode"]["enum"], "UNSUPPORTED_ACQUISITION"]
    out["required"] = ["schemaVersion", "executionName", "status", "errorCode", "message"]
    return out


def _analysis_manifest_v2(name: str, title: str) -> dict:
    out = v2_of(SCHEMAS_V1[name], name, title)
    out["properties"]["rerunOf"] = {**ID, "description": "The analysis this one reruns; that analysis and its results are kept as they were."}
    return out


def _analysis_summary_v2() -> dict:
    out = v2_of(SCHEMAS_V1["analysis-summary"], "analysis-summary", "Analysis roll-up summary v2")
    props = out["properties"]
    props["executionName"] = EXECUTION_NAME
    props["rerunOf"] = ID
    props["cost"] = {
        "description": "Estimated compute cost of the analysis' Batch jobs; null when it could not be computed.",
        "oneOf": [
            {"type": "null"},
            {
                "type": "object",
                "additionalProperties": False,
                "required": ["estimatedCostUsd", "vcpuSeconds", "memoryGiBSeconds", "basis"],
                "properties": {
                    "estimatedCostUsd": {"type": "number", "minimum": 0},
                    "vcpuSeconds": {"type": "number", "minimum": 0},
                    "memoryGiBSeconds": {"type": "number", "minimum": 0},
                    "basis": {"type": "string", "maxLength": 500, "description": "Formula and price source; S3, requests and data transfer are not included."},
                },
            },
        ],
    }
    entry = props["files"]["items"]["properties"]
    del entry["precursorOnlyCoveragePercent"]
    del entry["fragmentConfirmedCoveragePercent"]
    entry["proteinName"] = {"type": "string"}
    entry["coveragePercent"] = NUM_OR_NULL
    entry["psmsAccepted"] = COUNT
    entry["peptidesAccepted"] = COUNT
    entry["proteinGroupsAccepted"] = COUNT
    entry["ms2IdentificationRate"] = FRACTION_OR_NULL
    entry["medianAbsPpm"] = NUM_OR_NULL
    entry["fdrEstimable"] = {"type": "boolean"}
    entry["qcFlags"] = {"type": "array", "items": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]{0,63}$"}}
    out["required"] = [*out["required"], "executionName"]
    return out


def _completion_event_v2() -> dict:
    out = v2_of(SCHEMAS_V1["completion-event"], "completion-event", "Analysis Completed event detail v2")
    props = out["properties"]
    props["executionName"] = EXECUTION_NAME
    props["rerunOf"] = ID
    props["estimatedCostUsd"] = {"type": ["number", "null"], "minimum": 0}
    out["required"] = [*out["required"], "executionName"]
    return out


SCHEMAS_V2 = {
    "analysis-manifest": _analysis_manifest_v2("analysis-manifest", "Analysis manifest v2"),
    "chunk-manifest": _analysis_manifest_v2("chunk-manifest", "Chunk manifest v2"),
    "execution-input": v2_of(SCHEMAS_V1["execution-input"], "execution-input", "Execution input v2"),
    "file-summary": _file_summary_v2(),
    "file-error": _file_error_v2(),
    "analysis-summary": _analysis_summary_v2(),
    "completion-event": _completion_event_v2(),
}


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    targets = [SCHEMA_DIR] + ([WORKER_COPY] if WORKER_COPY.parent.is_dir() else [])
    for version, schemas in ((1, SCHEMAS_V1), (2, SCHEMAS_V2)):
        for name, doc in schemas.items():
            text = render(doc)
            for folder in targets:
                path = folder / f"{name}.v{version}.schema.json"
                if check:
                    if not path.exists() or path.read_text(encoding="utf-8") != text:
                        stale.append(str(path))
                else:
                    folder.mkdir(parents=True, exist_ok=True)
                    path.write_text(text, encoding="utf-8")
    if stale:
        print("stale schemas (run generate_schemas.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
