"""The result files of one file besides its summary: spectra.parquet, the PSM, peptide and protein
tables (CSV), and the standard files mzTab 1.0 (identification summary) and mzQC 1.0 (pymzqc).

mzTab and mzQC are written from accepted identifications only. Tests read them back with independent
readers (pyteomics for mzTab, pymzqc for mzQC).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .storage import sha256_file

ROW_GROUP = 10000
CONTENT_TYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv",
    ".png": "image/png",
    ".json": "application/json",
    ".mzTab": "text/tab-separated-values",
    ".mzQC": "application/json",
}
OUTPUT_KINDS = {
    "spectra.parquet": "spectra",
    "psms.csv": "psms",
    "peptides.csv": "peptides",
    "proteins.csv": "proteins",
    "results.mzTab": "mztab",
    "qc.mzQC": "mzqc",
}

PARQUET_SCHEMA = pa.schema(
    [
        ("index", pa.int64()),
        ("native_id", pa.string()),
        ("ms_level", pa.int16()),
        ("rt_seconds", pa.float64()),
        ("polarity", pa.string()),
        ("data_mode", pa.string()),
        ("peak_count", pa.int32()),
        ("peaks_kept", pa.int32()),
        ("tic", pa.float64()),
        ("base_peak_mz", pa.float64()),
        ("base_peak_intensity", pa.float64()),
        ("precursor_mz", pa.float64()),
        ("precursor_charge", pa.int16()),
        ("charge_class", pa.string()),
        ("analyser", pa.string()),
        ("filter_string", pa.string()),
        ("filter_status", pa.string()),
        ("quality_class", pa.string()),
        ("identification", pa.string()),
        ("peptide", pa.string()),
        ("ppm_error", pa.float64()),
    ]
)

PSM_COLUMNS = [
    "spectrumIndex",
    "nativeId",
    "rtSeconds",
    "precursorMz",
    "charge",
    "peptide",
    "modifiedPeptide",
    "proteins",
    "decoy",
    "eValue",
    "xcorr",
    "score",
    "observedMass",
    "calculatedMass",
    "ppmError",
    "qValue",
    "peptideQValue",
    "accepted",
]
PEPTIDE_COLUMNS = ["peptide", "proteins", "decoy", "psms", "bestEValue", "bestCharge", "bestNativeId", "qValue", "accepted"]
PROTEIN_COLUMNS = ["proteins", "decoy", "contaminant", "peptides", "psms", "bestScore", "qValue", "accepted"]


class SpectraTable:
    """spectra.parquet, one row per spectrum (no peaks), written in row groups while streaming."""

    def __init__(self, path: Path) -> None:
        self.writer = pq.ParquetWriter(str(path), PARQUET_SCHEMA, compression="zstd")
        self.cols: dict[str, list[Any]] = {f.name: [] for f in PARQUET_SCHEMA}
        self.n = 0

    def add(self, row: dict[str, Any]) -> None:
        for k, v in row.items():
            self.cols[k].append(v)
        self.n += 1
        if self.n >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.n:
            self.writer.write_table(pa.Table.from_pydict(self.cols, schema=PARQUET_SCHEMA))
            self.cols = {f.name: [] for f in PARQUET_SCHEMA}
            self.n = 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


def fill_identifications(path: Path, by_index: dict[int, Any], ident_counts: Counter[str]) -> None:
    """Fill the identification columns of spectra.parquet (one small row per spectrum, no peaks).

    `by_index` maps a spectrum index to its best PSM; `ident_counts` (the identification classes)
    moves each matched spectrum from unmatched to accepted or rejected.
    """
    table = pq.read_table(path)
    idx = table.column("index").to_pylist()
    old = table.column("identification").to_pylist()
    ident: list[Any] = []
    peps: list[str | None] = []
    ppms: list[float | None] = []
    for i, o in zip(idx, old, strict=True):
        psm = by_index.get(i)
        if psm is None or o == "not_applicable":
            ident.append(o)
            peps.append(None)
            ppms.append(None)
            continue
        outcome = "accepted" if psm.accepted else "rejected"
        ident_counts["unmatched"] -= 1
        ident_counts[outcome] += 1
        ident.append(outcome)
        peps.append(psm.peptide)
        ppms.append(round(psm.ppm, 4) if psm.accepted else None)
    if ident_counts["unmatched"] <= 0:
        del ident_counts["unmatched"]
    for name, values in (("identification", ident), ("peptide", peps), ("ppm_error", ppms)):
        pos = table.schema.get_field_index(name)
        table = table.set_column(pos, PARQUET_SCHEMA.field(name), pa.array(values, type=PARQUET_SCHEMA.field(name).type))
    pq.write_table(table, path, compression="zstd")


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def write_tables(out_dir: Path, fdr: Any, scans: list[Any],
                 written: list[Path]) -> tuple[list[dict[str, Any]], dict[int, Any]]:
    """psms.csv, peptides.csv and proteins.csv of a search, every row with its q-value and acceptance.

    Each path is added to `written` before it is opened, so that a failed analysis removes it.
    Returns the accepted PSMs' rows (for mzTab) and the PSMs by spectrum index (for spectra.parquet).
    """
    from .search import CONTAMINANT_PREFIX

    accepted_rows: list[dict[str, Any]] = []
    by_index: dict[int, Any] = {}
    path = out_dir / "psms.csv"
    written.append(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PSM_COLUMNS)
        for psm in sorted(fdr.psms, key=lambda x: (x.q, -x.score)):
            idx, native, rt, pmz = scans[psm.scan - 1]
            row = {
                "spectrumIndex": idx, "nativeId": native, "rtSeconds": _fmt(rt), "precursorMz": f"{pmz:.5f}",
                "charge": psm.charge, "peptide": psm.peptide, "modifiedPeptide": psm.modified,
                "proteins": ";".join(psm.proteins), "decoy": int(psm.decoy), "eValue": f"{psm.evalue:.3g}",
                "xcorr": f"{psm.xcorr:.4f}", "score": f"{psm.score:.4f}", "observedMass": f"{psm.exp_mass:.5f}",
                "calculatedMass": f"{psm.calc_mass:.5f}", "ppmError": f"{psm.ppm:.3f}",
                "qValue": f"{psm.q:.6g}", "peptideQValue": f"{psm.peptide_q:.6g}", "accepted": int(psm.accepted),
            }
            w.writerow([row[k] for k in PSM_COLUMNS])
            by_index[idx] = psm
            if psm.accepted:
                row["mods"] = psm.mods
                row["calcMz"] = f"{(psm.calc_mass + psm.charge * 1.007276466812) / psm.charge:.5f}"
                accepted_rows.append(row)
    path = out_dir / "peptides.csv"
    written.append(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PEPTIDE_COLUMNS)
        for pep in sorted(fdr.peptides, key=lambda x: (x["qValue"], -x["bestScore"])):
            w.writerow([pep["peptide"], ";".join(pep["proteins"]), int(pep["decoy"]), pep["psms"],
                        f"{pep['bestEvalue']:.3g}", pep["bestCharge"], scans[pep["bestScan"] - 1][1],
                        f"{pep['qValue']:.6g}", int(pep["accepted"])])
    path = out_dir / "proteins.csv"
    written.append(path)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(PROTEIN_COLUMNS)
        for g in sorted(fdr.groups, key=lambda x: (x["qValue"], -x["bestScore"])):
            w.writerow([";".join(g["proteins"]), int(g["decoy"]),
                        int(all(a.startswith(CONTAMINANT_PREFIX) for a in g["proteins"])),
                        ";".join(g["peptides"]), g["psms"], f"{g['bestScore']:.4f}", f"{g['qValue']:.6g}",
                        int(g["accepted"])])
    return accepted_rows, by_index


def describe_outputs(paths: list[Path]) -> list[dict[str, Any]]:
    """summary.json's `outputs`: name, size, SHA-256, content type and kind of each file written."""
    outputs = []
    for path in paths:
        if path.exists():
            outputs.append(
                {
                    "name": path.name,
                    "sizeBytes": path.stat().st_size,
                    "sha256": sha256_file(path),
                    "contentType": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                    "kind": OUTPUT_KINDS.get(path.name, "plot" if path.suffix == ".png" else "other"),
                }
            )
    return outputs

# PSI-MS CV release the accessions below were checked against (psims' vendored psi-ms.obo).
PSI_MS_VERSION = "4.1.258"
PSI_MS_URI = f"https://github.com/HUPO-PSI/psi-ms-CV/releases/download/v{PSI_MS_VERSION}/psi-ms.obo"

_UNIMOD = {
    "Carbamidomethyl:C": "[UNIMOD, UNIMOD:4, Carbamidomethyl, ]",
    "Carboxymethyl:C": "[UNIMOD, UNIMOD:6, Carboxymethyl, ]",
    "Oxidation:M": "[UNIMOD, UNIMOD:35, Oxidation, ]",
    "Deamidation:N": "[UNIMOD, UNIMOD:7, Deamidated, ]",
    "Deamidation:Q": "[UNIMOD, UNIMOD:7, Deamidated, ]",
    "Phospho:S": "[UNIMOD, UNIMOD:21, Phospho, ]",
    "Phospho:T": "[UNIMOD, UNIMOD:21, Phospho, ]",
    "Phospho:Y": "[UNIMOD, UNIMOD:21, Phospho, ]",
    "Pyro-glu:Q": "[UNIMOD, UNIMOD:28, Gln->pyro-Glu, ]",
    "Acetyl:ProteinN-term": "[UNIMOD, UNIMOD:1, Acetyl, ]",
}


def _mod_param(item: Any) -> str:
    if isinstance(item, str) and item in _UNIMOD:
        return _UNIMOD[item]
    name = item if isinstance(item, str) else item.get("name", "custom")
    return f"[, , {name}, ]"


def _mod_accession(delta: float, params: dict[str, Any]) -> str:
    """UNIMOD accession of a searched modification by its mass delta, else a CHEMMOD mass."""
    from .params import modification_table

    for item in (params.get("fixedModifications") or []) + (params.get("variableModifications") or []):
        name, _res, d = modification_table([item])[0]
        if abs(d - delta) < 1e-3 and isinstance(item, str) and item in _UNIMOD:
            return _UNIMOD[item].split(", ")[1]
    return f"CHEMMOD:{delta:+.4f}"


def mztab_modifications(mods: Any, params: dict[str, Any]) -> str:
    """mzTab 1.0 modifications column: '3-UNIMOD:35,6-UNIMOD:4' (1-based positions), or null."""
    if not mods:
        return "null"
    return ",".join(f"{pos}-{_mod_accession(delta, params)}" for pos, delta in mods)


def _esc(value: Any) -> str:
    text = "null" if value is None or value == "" else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def write_mztab(
    path: Path,
    input_name: str,
    engine: dict[str, str],
    params: dict[str, Any],
    psm_rows: list[dict[str, Any]],
    fdr_note: str,
) -> None:
    """mzTab 1.0.0, mode Summary, type Identification: metadata and the accepted PSMs."""
    mtd: list[tuple[str, str]] = [
        ("mzTab-version", "1.0.0"),
        ("mzTab-mode", "Summary"),
        ("mzTab-type", "Identification"),
        ("description", f"Accepted PSMs of {input_name} ({fdr_note})"),
        ("ms_run[1]-location", f"file:///{input_name}"),
        ("software[1]", f"[MS, MS:1002251, Comet, {engine['version']}]"),
        ("psm_search_engine_score[1]", "[MS, MS:1002257, Comet:expectation value, ]"),
        ("psm_search_engine_score[2]", "[MS, MS:1002354, PSM-level q-value, ]"),
    ]
    fixed = params.get("fixedModifications") or []
    variable = params.get("variableModifications") or []
    if fixed:
        mtd += [(f"fixed_mod[{i}]", _mod_param(m)) for i, m in enumerate(fixed, start=1)]
    else:
        mtd.append(("fixed_mod[1]", "[MS, MS:1002453, No fixed modifications searched, ]"))
    if variable:
        mtd += [(f"variable_mod[{i}]", _mod_param(m)) for i, m in enumerate(variable, start=1)]
    else:
        mtd.append(("variable_mod[1]", "[MS, MS:1002454, No variable modifications searched, ]"))
    cols = [
        "sequence", "PSM_ID", "accession", "unique", "database", "database_version", "search_engine",
        "search_engine_score[1]", "search_engine_score[2]", "modifications", "retention_time", "charge",
        "exp_mass_to_charge", "calc_mass_to_charge", "spectra_ref", "pre", "post", "start", "end",
    ]
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for key, value in mtd:
            fh.write(f"MTD\t{key}\t{_esc(value)}\n")
        fh.write("\nPSH\t" + "\t".join(cols) + "\n")
        for i, r in enumerate(psm_rows, start=1):
            accs = r["proteins"].split(";")
            vals = [
                r["peptide"], i, ",".join(accs), 1 if len(accs) == 1 else 0, "null", "null",
                f"[MS, MS:1002251, Comet, {engine['version']}]", r["eValue"], r["qValue"],
                mztab_modifications(r.get("mods"), params),
                r["rtSeconds"], r["charge"], r["precursorMz"], r["calcMz"],
                f"ms_run[1]:{r['nativeId']}" if "=" in str(r["nativeId"]) else f"ms_run[1]:index={r['spectrumIndex']}",
                "null", "null", "null", "null",
            ]
            fh.write("PSM\t" + "\t".join(_esc(v) for v in vals) + "\n")


def write_mzqc(
    path: Path,
    input_name: str,
    input_format: str,
    engine: dict[str, str],
    tool_version: str,
    counts: dict[str, Any],
    ident_qc: dict[str, Any] | None,
    precursor_error: dict[str, Any] | None,
    tic: tuple[list[float], list[float]],
    fragment_error: dict[str, Any] | None = None,
) -> None:
    from mzqc import MZQCFile as qc

    fmt = {"mzML": ("MS:1000584", "mzML format"), "mzXML": ("MS:1000566", "ISB mzXML format"),
           "mgf": ("MS:1001062", "Mascot MGF format")}.get(input_format.split(".")[0], ("MS:1000560", "mass spectrometer file format"))
    meta = qc.MetaDataParameters(
        inputFiles=[qc.InputFile(location=f"file:///{input_name}", name=input_name,
                                 fileFormat=qc.CvParameter(fmt[0], fmt[1]))],
        analysisSoftware=[
            qc.AnalysisSoftware(accession="MS:1002251", name="Comet", version=engine["version"],
                                uri="https://uwpr.github.io/Comet/"),
            qc.AnalysisSoftware(accession="MS:1000799", name="custom unreleased software tool",
                                version=tool_version, uri="https://github.com/"),
        ],
    )
    m: list[Any] = [
        qc.QualityMetric(accession="MS:4000059", name="number of MS1 spectra", value=int(counts["ms1"])),
        qc.QualityMetric(accession="MS:4000060", name="number of MS2 spectra", value=int(counts["ms2"])),
    ]
    if ident_qc is not None:
        m.append(qc.QualityMetric(
            accession="MS:1003251", name="count of identified spectra", value=int(counts.get("psmsAccepted", 0)),
            description=f"MS2 spectra with a target PSM accepted at the FDR threshold; MS2 identification rate "
                        f"{ident_qc['ms2IdentificationRate']:.4f} (no PSI-MS term for the rate itself)"))
        if ident_qc.get("identifiedChargeStates"):
            charges = sorted(ident_qc["identifiedChargeStates"].items(), key=lambda kv: int(kv[0]))
            total = sum(v for _k, v in charges) or 1
            m.append(qc.QualityMetric(accession="MS:4000209", name="peptide spectrum matches charges fractions",
                                      value={"MS:1000041": [int(k) for k, _v in charges],
                                             "UO:0000191": [round(v / total, 6) for _k, v in charges]}))
        if ident_qc.get("missedCleavageCounts"):
            mc = sorted(ident_qc["missedCleavageCounts"].items())
            total = sum(v for _k, v in mc) or 1
            m.append(qc.QualityMetric(accession="MS:4000215", name="missed cleavages fractions",
                                      value={"MS:1003044": [int(k) for k, _v in mc],
                                             "UO:0000191": [round(v / total, 6) for _k, v in mc]}))
        if ident_qc.get("contaminantPsmShare") is not None:
            m.append(qc.QualityMetric(
                accession="MS:4000177", name="contaminant protein abundance fraction",
                value=float(ident_qc["contaminantPsmShare"]),
                description="share of accepted PSMs (spectral counts) whose proteins are all CON_ contaminants"))
    if precursor_error and precursor_error.get("n"):
        m.append(qc.QualityMetric(accession="MS:4000178", name="precursor ppm deviation mean",
                                  value=precursor_error["meanPpm"]))
        if precursor_error.get("sdPpm") is not None:
            m.append(qc.QualityMetric(accession="MS:4000179", name="precursor ppm deviation sigma",
                                      value=precursor_error["sdPpm"]))
    if fragment_error and fragment_error.get("n"):
        m.append(qc.QualityMetric(accession="MS:4000026", name="fragment ppm deviation median",
                                  value=fragment_error["medianPpm"]))
        m.append(qc.QualityMetric(accession="MS:4000027", name="fragment ppm deviation mean",
                                  value=fragment_error["meanPpm"]))
        m.append(qc.QualityMetric(accession="MS:4000028", name="fragment ppm deviation sigma",
                                  value=fragment_error["sdPpm"]))
    if tic[0]:
        m.append(qc.QualityMetric(
            accession="MS:4000104", name="total ion currents",
            description="TIC of MS1 spectra (or of all spectra without MS1), downsampled; base peak trace in summary.json",
            value={"MS:1000894": list(tic[0]), "MS:1000285": list(tic[1])}))
    doc = qc.MzQcFile(
        version="1.0.0",
        creationDate=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None),
        runQualities=[qc.RunQuality(metadata=meta, qualityMetrics=m)],
        controlledVocabularies=[
            qc.ControlledVocabulary(name="Proteomics Standards Initiative Mass Spectrometry Ontology",
                                    uri=PSI_MS_URI, version=PSI_MS_VERSION),
            qc.ControlledVocabulary(name="Unit Ontology", uri="http://purl.obolibrary.org/obo/uo.obo"),
        ],
    )
    path.write_text(qc.JsonSerialisable.to_json(doc, readability=1), encoding="utf-8")
