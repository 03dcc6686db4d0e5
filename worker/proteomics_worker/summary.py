"""The result documents of one file: summary.json (contracts' file-summary) or error.json.

The analysis (analyse.py) computes; the functions here turn its results into the documents'
sections, check summary.json against its schema and write either document.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import time
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Any

from . import TOOL_NAME, __version__
from .errors import WorkerError, one_line
from .log import log
from .schemas import errors as schema_errors
from .storage import sha256_file

SCHEMA_VERSION = 2
LOCAL_EXECUTION = "local"


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("pyteomics", "psims", "lxml", "numpy", "pyarrow", "matplotlib", "jsonschema", "ms_deisotope", "pymzqc"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def experiment_type(c: Counter[str], ms1_profile: Counter[str], searched: bool) -> tuple[str, str]:
    """The experiment type and why: peptide_map, intact_ms1 or qc_only."""
    msn = c["ms2"] + c["msn"]
    if msn > 0 and (searched or c["precursors"] > 0):
        reason = (
            "MSn spectra present and a protein sequence was given"
            if searched
            else "MSn spectra with precursors present; no sequence given, so nothing was searched"
        )
        return "peptide_map", reason
    if msn == 0 and c["ms1"] > 0 and ms1_profile["profile"] > c["ms1"] / 2:
        return "intact_ms1", "MS1 only, profile mode"
    return "qc_only", "MS1 only in centroid mode" if msn == 0 else "MSn spectra without precursor information"


def identification_doc(
    engine: dict[str, str],
    settings: dict[str, Any],
    fragment_tolerance: dict[str, Any],
    db: Any,
    fdr: Any,
    threshold: float,
    estimator: str,
    contaminants_source: str | None,
    has_background: bool,
) -> dict[str, Any]:
    """The `identification` section: engine, database, FDR (with why a level is not estimable)."""
    from .search import DECOY_PREFIX, ESTIMATORS, min_decoys

    lv = fdr.levels
    notes = []
    for key, label in (("psm", "PSM"), ("peptide", "peptide"), ("proteinGroup", "protein-group")):
        level = lv[key]
        if not level.estimable and level.floor is None:
            notes.append(f"{label}-level FDR cannot be estimated: no target matched; nothing accepted")
        elif not level.estimable and estimator == "target-decoy-plus-one":
            notes.append(f"{label}-level FDR cannot be estimated at {threshold:g} with q = (D+1)/T (the smallest "
                         f"q-value is {level.floor:.4f}; fewer than {min_decoys(threshold)} targets pass): "
                         "nothing accepted")
        elif not level.estimable:
            notes.append(f"{label}-level FDR cannot be estimated at {threshold:g}: only {level.decoys} decoy "
                         f"winners compete (at least {min_decoys(threshold)} are needed for q = D/T): "
                         "nothing accepted")
    if contaminants_source is None and not has_background:
        notes.append("searched without contaminants or a background proteome: add them to let decoys compete")
    fdr_doc: dict[str, Any] = {
        "threshold": threshold,
        "estimator": ESTIMATORS[estimator],
        "estimable": lv["psm"].estimable,
        "psmQValueFloor": lv["psm"].floor,
        "peptideQValueFloor": lv["peptide"].floor,
        "proteinGroupQValueFloor": lv["proteinGroup"].floor,
    }
    if notes:
        fdr_doc["note"] = one_line("; ".join(notes))[:1000]
    engine_settings = {k: settings[k] for k in ("peptide_mass_tolerance", "isotope_error", "search_enzyme_number",
                                                "allowed_missed_cleavage", "precursor_charge", "fragment_bin_tol",
                                                "fragment_bin_offset", "theoretical_fragment_ions",
                                                "decoy_search", "num_output_lines")}
    doc: dict[str, Any] = {
        "engine": engine,
        "settings": engine_settings,
        "fragmentTolerance": fragment_tolerance,
        "database": {
            "targetProteins": db.targets,
            "sampleProteins": db.sample,
            "contaminantProteins": db.contaminants,
            "backgroundProteins": db.background,
            "decoyProteins": db.targets,
            "decoyPrefix": DECOY_PREFIX,
            "decoyMethod": "reversed protein sequences (Comet decoy_search 1, concatenated)",
            "sha256": db.sha256,
        },
        "fdr": fdr_doc,
        "accepted": {
            "psms": lv["psm"].accepted,
            "peptides": lv["peptide"].accepted,
            "proteinGroups": lv["proteinGroup"].accepted,
            "decoyPsms": 0,
        },
    }
    if contaminants_source is not None:
        doc["database"]["contaminantsSource"] = contaminants_source[:300]
    return doc


def _missed_cleavages(peptide: str, enzyme: str) -> int:
    from pyteomics import parser

    rule = parser.expasy_rules.get(enzyme, parser.expasy_rules["trypsin"])
    return int(parser.num_sites(peptide, rule)) if peptide else 0


def identification_qc(accepted: list[Any], peptides: list[dict[str, Any]], n_ms2: int,
                      enzyme: str) -> tuple[dict[str, Any], dict[int, int]]:
    """`qc.identification` from the accepted PSMs and peptides, and the missed-cleavage counts (for mzQC)."""
    charges: Counter[str] = Counter(str(p.charge) for p in accepted)
    missed = Counter(_missed_cleavages(pp["peptide"], enzyme) for pp in peptides if pp["accepted"])
    con_share = None
    if accepted:
        con_share = round(sum(1 for p in accepted if all(a.startswith("CON_") for a in p.proteins))
                          / len(accepted), 4)
    ident_qc = {
        "ms2IdentificationRate": round(len(accepted) / n_ms2, 4) if n_ms2 else 0.0,
        "missedCleavageRate": round(sum(v for k, v in missed.items() if k > 0) / sum(missed.values()), 4)
        if missed else None,
        "identifiedChargeStates": dict(sorted(charges.items(), key=lambda kv: int(kv[0]))),
        "contaminantPsmShare": con_share,
    }
    return ident_qc, dict(missed)


def accepted_counts(ident_doc: dict[str, Any]) -> dict[str, int]:
    """The counters of accepted identifications added to `counts`."""
    return {
        "psmsAccepted": ident_doc["accepted"]["psms"],
        "peptidesAccepted": ident_doc["accepted"]["peptides"],
        "proteinGroupsAccepted": ident_doc["accepted"]["proteinGroups"],
    }


def fdr_flags(ident_doc: dict[str, Any], peptide_fdr_estimable: bool) -> list[dict[str, str]]:
    """`qcFlags` of a search whose FDR (PSM level, else peptide level) cannot be estimated."""
    if not ident_doc["fdr"]["estimable"]:
        return [{"code": "FDR_NOT_ESTIMABLE", "message": one_line(ident_doc["fdr"].get("note", "FDR not estimable"))[:500]}]
    if not peptide_fdr_estimable:
        return [{"code": "PEPTIDE_FDR_NOT_ESTIMABLE",
                 "message": "peptide-level q-values do not reach the threshold: coverage is empty"}]
    return []


def counts_doc(c: Counter[str], extra: dict[str, int]) -> dict[str, int]:
    """The `counts` section: spectra and peaks read and kept, then `extra` (accepted identifications)."""
    counts = {
        "spectra": c["spectra"],
        "ms1": c["ms1"],
        "ms2": c["ms2"],
        "msn": c["msn"],
        "spectraKept": c["spectraKept"],
        "spectraFiltered": c["spectraFiltered"],
        "peaksRead": c["peaksRead"],
        "peaksKept": c["peaksKept"],
        "precursorsWithCharge": c["precursorsWithCharge"],
        "precursorsChargeUnknown": c["precursorsChargeUnknown"],
    }
    counts.update(extra)
    return counts


def qc_doc(
    r: dict[str, Any],
    trace: tuple[list[float], list[float], list[float]],
    deconvolution: dict[str, Any],
    ident_qc: dict[str, Any] | None,
) -> dict[str, Any]:
    """The `qc` section from the streaming pass's accumulators `r` and the chosen TIC trace."""
    c: Counter[str] = r["counts"]
    msn = c["ms2"] + c["msn"]
    rts, tics, bps = trace
    charge_hist = dict(sorted(r["classes"]["charge"].items(), key=lambda kv: (kv[0] == "unknown", kv[0].zfill(3))))
    return {
        "retentionTimeSeconds": r["rt_range"].result(),
        "mz": r["mz_range"].result(),
        "precursorMz": r["prec_range"].result(),
        "totalIonCurrent": float(r["total_ms1_tic"]),
        "ticTrace": {"rtSeconds": rts, "intensity": tics},
        "basePeakTrace": {"rtSeconds": rts, "intensity": bps},
        "chargeHistogram": charge_hist,
        "precursorMzHistogram": r["prec_hist"].result(),
        "ms2PerMs1": round(msn / c["ms1"], 3) if c["ms1"] else None,
        "deconvolution": deconvolution,
        "identification": ident_qc,
    }


def build_summary(
    *,
    execution_name: str,
    analysis_id: str | None,
    file_id: str | None,
    params: dict[str, Any],
    input_info: dict[str, Any],
    experiment: tuple[str, str],
    acquisition: dict[str, Any],
    counts: dict[str, int],
    classes: dict[str, Counter[str]],
    identification: dict[str, Any] | None,
    coverage: dict[str, Any] | None,
    mass_error: dict[str, Any] | None,
    qc: dict[str, Any],
    qc_flags: list[dict[str, str]],
    warnings: list[str],
    outputs: list[dict[str, Any]],
    started: str,
    t0: float,
) -> dict[str, Any]:
    """summary.json of a file analysed; raises WorkerError (INTERNAL) if it does not match its schema."""
    summary: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, "executionName": execution_name,
                               "status": "SUCCEEDED"}
    if analysis_id:
        summary["analysisId"] = analysis_id
    if file_id:
        summary["fileId"] = file_id
    summary.update(
        {
            "tool": {"name": TOOL_NAME, "version": __version__},
            "libraries": library_versions(),
            "parameters": params,
            "input": input_info,
            "experimentType": experiment[0],
            "experimentTypeReason": experiment[1],
            "acquisition": acquisition,
            "counts": counts,
            "classes": {k: dict(v) for k, v in classes.items()},
            "identification": identification,
            "coverage": coverage,
            "massError": mass_error,
            "qc": qc,
            "qcFlags": qc_flags,
            "warnings": [one_line(w) for w in warnings],
            "outputs": outputs,
            "startedAt": started,
            "finishedAt": now_iso(),
            "durationSeconds": round(time.monotonic() - t0, 3),
        }
    )
    problems = schema_errors("file-summary", summary)
    if problems:
        raise WorkerError("INTERNAL", f"summary does not match its schema: {problems[0]}")
    return summary


def write_summary(out_dir: Path, summary: dict[str, Any]) -> None:
    """summary.json, written whole (through a temporary file) so that a reader never sees part of it."""
    tmp = out_dir / "summary.json.tmp"
    tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "summary.json")


def write_error(
    out_dir: Path,
    exc: WorkerError,
    file_id: str | None,
    analysis_id: str | None,
    input_info: dict[str, Any] | None,
    input_path: Path | None = None,
    display_name: str | None = None,
    execution_name: str = LOCAL_EXECUTION,
) -> dict[str, Any]:
    doc: dict[str, Any] = {"schemaVersion": SCHEMA_VERSION, "executionName": execution_name, "status": "FAILED"}
    if analysis_id:
        doc["analysisId"] = analysis_id
    if file_id:
        doc["fileId"] = file_id
    doc["errorCode"] = exc.code
    doc["message"] = exc.message
    info = input_info
    if info is None and input_path is not None:
        info = {"name": display_name or input_path.name}
        try:
            info["sizeBytes"] = input_path.stat().st_size
            info["sha256"] = sha256_file(input_path)
        except OSError:
            pass
    if info is not None:
        doc["input"] = info
    doc["tool"] = {"name": TOOL_NAME, "version": __version__}
    doc["failedAt"] = now_iso()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "summary.json").unlink(missing_ok=True)
    (out_dir / "error.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    log("ERROR", "file_failed", code=exc.code, fileId=file_id, analysisId=analysis_id, executionName=execution_name,
        message=exc.message)
    return doc
