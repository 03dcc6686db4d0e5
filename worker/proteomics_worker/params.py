"""Worker parameters: defaults, validation and resolution."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .errors import WorkerError
from .schemas import parameters_validator

DEFAULTS: dict[str, Any] = {
    "enzyme": "trypsin",
    "missedCleavages": 2,
    "minPeptideLength": 5,
    "maxPeptideLength": 60,
    "fixedModifications": ["Carbamidomethyl:C"],
    "variableModifications": [],
    "maxVariableModifications": 1,
    "precursorTolerancePpm": 10,
    "isotopeErrors": [0, 1],
    "assumedCharges": [2, 3],
    "fragmentTolerance": None,
    "filters": {
        "msLevels": [1, 2],
        "mzMin": 0,
        "mzMax": None,
        "dropEmpty": True,
        "minPeaks": 1,
        "relativeIntensityFloor": 0,
        "noiseFactor": 0,
        "topN": None,
    },
    "traceMaxPoints": 1000,
    "deconvolution": True,
    "fdrThreshold": 0.01,
    "fdrEstimator": "target-decoy",
    "contaminants": True,
    "backgroundProteome": None,
}

# Built-in modifications: name -> (residues, monoisotopic mass delta in Da).
BUILTIN_MODS: dict[str, tuple[str, float]] = {
    "Carbamidomethyl:C": ("C", 57.021464),
    "Carboxymethyl:C": ("C", 58.005479),
    "Oxidation:M": ("M", 15.994915),
    "Deamidation:N": ("N", 0.984016),
    "Deamidation:Q": ("Q", 0.984016),
    "Phospho:S": ("S", 79.966331),
    "Phospho:T": ("T", 79.966331),
    "Phospho:Y": ("Y", 79.966331),
    # N-terminal modifications (searched as variable modifications at the peptide / protein N-terminus)
    "Pyro-glu:Q": ("Q", -17.026549),
    "Acetyl:ProteinN-term": ("", 42.010565),
}


def load_raw(source: str | None) -> dict[str, Any]:
    """Parse --params: inline JSON, or a path to a JSON file (already local)."""
    if source is None or source == "":
        return {}
    text = source
    if not source.lstrip().startswith("{"):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise WorkerError("BAD_PARAMETERS", f"cannot read parameters file {source}: {exc.strerror or exc}") from exc
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkerError("BAD_PARAMETERS", f"parameters are not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise WorkerError("BAD_PARAMETERS", "parameters must be a JSON object")
    return raw


# Version-1 parameters of the retired home-made fragment check: ignored when an old manifest is re-read.
RETIRED_V1 = ("fragmentConfirmation", "decoyMethod", "minFragmentIons", "minFragmentScoreMargin")


def resolve(raw: dict[str, Any]) -> dict[str, Any]:
    """Validate user parameters (contract version 2) and merge them over the defaults."""
    raw = {k: v for k, v in raw.items() if k not in RETIRED_V1}
    problems = sorted(parameters_validator().iter_errors(raw), key=lambda e: list(e.absolute_path))
    if problems:
        first = problems[0]
        where = "/".join(str(p) for p in first.absolute_path) or "parameters"
        raise WorkerError("BAD_PARAMETERS", f"{where}: {first.message}")
    out = copy.deepcopy(DEFAULTS)
    for key, value in raw.items():
        if key == "filters":
            out["filters"].update(copy.deepcopy(value))
        else:
            out[key] = copy.deepcopy(value)
    from pyteomics import parser

    enzyme = str(out["enzyme"]).strip().lower()
    if enzyme not in parser.expasy_rules:
        known = ", ".join(sorted(parser.expasy_rules))
        raise WorkerError("BAD_PARAMETERS", f"enzyme: unknown enzyme '{out['enzyme']}' (known: {known})")
    out["enzyme"] = enzyme
    if out["maxPeptideLength"] < out["minPeptideLength"]:
        raise WorkerError("BAD_PARAMETERS", "maxPeptideLength is smaller than minPeptideLength")
    flt = out["filters"]
    if flt["mzMax"] is not None and flt["mzMax"] <= flt["mzMin"]:
        raise WorkerError("BAD_PARAMETERS", "filters: mzMax must be greater than mzMin")
    out["isotopeErrors"] = sorted(out["isotopeErrors"])
    return out


def modification_table(items: list[Any]) -> list[tuple[str, str, float]]:
    """Return (name, residues, delta) for each fixed/variable modification."""
    table = []
    for item in items:
        if isinstance(item, str):
            residues, delta = BUILTIN_MODS[item]
            table.append((item, residues, delta))
        else:
            table.append((str(item["name"]), str(item["residues"]), float(item["monoisotopicDelta"])))
    return table
