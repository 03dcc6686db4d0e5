"""Standard result files: mzTab 1.0 (identification summary) and mzQC 1.0 (pymzqc).

Both are written from accepted identifications only. Tests read them back with independent readers
(pyteomics for mzTab, pymzqc for mzQC).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

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
