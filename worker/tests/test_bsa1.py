"""Peptide map of BSA1 (real LTQ Orbitrap XL tryptic digest) against BSA.

Expected figures come from testdata/ms/README.md: about 27 distinct
peptides, ~42 % precursor-only coverage (trypsin, <=2 missed cleavages,
>=5 residues, fixed carbamidomethyl C, 10 ppm, isotope error 0/+1), median
|error| < 1 ppm.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from conftest import analyse, assert_valid, load_json

# Tryptic BSA peptides that a QC digest of this slice reliably shows.
KNOWN_BSA_PEPTIDES = {"DLGEEHFK", "YLYEIAR", "HLVDEPQNLIK", "LVTDLTK", "YICDNQDTISSK", "LGEYGFQNALIVR"}


def test_summary_is_valid_and_typed_as_peptide_map(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    assert_valid("file-summary", s)
    assert s["status"] == "SUCCEEDED"
    assert s["fileId"] == "bsa1"
    assert s["experimentType"] == "peptide_map"
    assert s["input"]["format"] == "mzML.gz"
    assert s["counts"]["spectra"] == 1684
    assert s["counts"]["ms1"] == 564
    assert s["counts"]["ms2"] == 1120
    assert s["classes"]["dataMode"] == {"centroid": 1684}
    assert s["classes"]["polarity"] == {"positive": 1684}


def test_precursor_only_coverage_matches_the_data_readme(bsa1: dict[str, Any]) -> None:
    """Checks PRECURSOR-ONLY coverage (README: ~42 %, ~27 peptides)."""
    cov = bsa1["summary"]["coverage"]
    assert 35.0 <= cov["precursorOnlyPercent"] <= 50.0
    prot = cov["proteins"][0]
    assert prot["accession"] == "P02769"
    assert prot["length"] == 607
    assert 20 <= prot["peptidesPrecursorOnly"] <= 35
    assert 20 <= bsa1["summary"]["counts"]["peptidesPrecursorOnly"] <= 35
    assert len(prot["residueCoverage"]) == 607


def test_fragment_confirmed_coverage_is_lower_but_substantial(bsa1: dict[str, Any]) -> None:
    """Checks FRAGMENT-CONFIRMED coverage: b/y ions at 0.5 Da (ion-trap MS2), beating a reversed decoy."""
    cov = bsa1["summary"]["coverage"]
    assert cov["fragmentTolerance"] == {"value": 0.5, "unit": "Da", "source": "analyser"}
    assert 20.0 <= cov["fragmentConfirmedPercent"] <= cov["precursorOnlyPercent"]
    assert bsa1["summary"]["counts"]["peptidesFragmentConfirmed"] >= 12


def test_mass_errors_are_sub_ppm(bsa1: dict[str, Any]) -> None:
    err = bsa1["summary"]["massError"]
    assert err["n"] >= 50
    assert err["medianAbsPpm"] < 2.0
    assert abs(err["medianPpm"]) < 2.0
    assert -10.0 <= err["minPpm"] <= err["maxPpm"] <= 10.0


def test_peptide_table_lists_evidence(bsa1: dict[str, Any]) -> None:
    rows = list(csv.DictReader(open(Path(bsa1["dir"]) / "peptides.csv", encoding="utf-8")))
    assert 20 <= len(rows) <= 35
    seqs = {r["peptide"] for r in rows}
    assert KNOWN_BSA_PEPTIDES <= seqs
    for r in rows:
        assert len(r["peptide"]) >= 5
        assert r["proteins"] == "P02769"
        assert float(r["best_rt_seconds"]) > 1400
        assert abs(float(r["best_ppm_error"])) <= 10.0
        assert int(r["best_charge"]) >= 1
        assert r["status"] in ("precursor_only", "fragment_confirmed")
    psms = list(csv.DictReader(open(Path(bsa1["dir"]) / "psms.csv", encoding="utf-8")))
    assert len(psms) >= len(rows)


def test_spectrum_table_in_parquet(bsa1: dict[str, Any]) -> None:
    path = Path(bsa1["dir"]) / "spectra.parquet"
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == 1684
    t = pq.read_table(path).to_pydict()
    assert set(t["ms_level"]) == {1, 2}
    rts = [x for x in t["rt_seconds"] if x is not None]
    # README: RT 1501-2500 s, stored in seconds
    assert 1500 <= min(rts) and max(rts) <= 2501
    ms2 = [i for i, lvl in enumerate(t["ms_level"]) if lvl == 2]
    assert all(t["precursor_mz"][i] is not None for i in ms2)
    assert all(t["analyser"][i] == "low_res" for i in ms2)
    assert {t["identification"][i] for i in ms2} <= {"fragment_confirmed", "precursor_only", "unidentified"}
    assert (
        sum(1 for x in t["identification"] if x == "fragment_confirmed")
        == bsa1["summary"]["counts"]["psmsFragmentConfirmed"]
    )
    assert all(t["charge_class"][i] != "unknown" for i in ms2)


def test_qc_metrics_and_outputs(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    qc = s["qc"]
    assert 1500 <= qc["retentionTimeSeconds"]["min"] < qc["retentionTimeSeconds"]["max"] <= 2501
    assert 0 < len(qc["ticTrace"]["rtSeconds"]) <= s["parameters"]["traceMaxPoints"]
    assert sum(qc["chargeHistogram"].values()) == 1120
    assert qc["chargeHistogram"]["2"] > qc["chargeHistogram"]["4"]
    assert sum(qc["precursorMzHistogram"]["counts"]) == 1120
    assert qc["deconvolution"]["performed"] is False
    names = {o["name"] for o in s["outputs"]}
    assert {
        "spectra.parquet",
        "peptides.csv",
        "psms.csv",
        "tic_bpc.png",
        "charge_histogram.png",
        "coverage_map.png",
        "mass_errors.png",
    } <= names
    assert "summary.json" not in names
    for o in s["outputs"]:
        p = Path(bsa1["dir"]) / o["name"]
        assert p.stat().st_size == o["sizeBytes"]
    png = (Path(bsa1["dir"]) / "tic_bpc.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (Path(bsa1["dir"]) / "error.json").exists()


def test_reversed_sequence_is_kept_out_by_fragments(tmp_path: Path, data: Path) -> None:
    """Decoy control: a reversed BSA picks up chance precursor matches, which the b/y check rejects."""
    text = (data / "P02769_BSA.fasta").read_text()
    seq = "".join(line.strip() for line in text.splitlines() if not line.startswith(">"))
    fasta = tmp_path / "reversed.fasta"
    fasta.write_text(">REV_P02769 reversed BSA\n" + seq[::-1] + "\n")
    out = tmp_path / "out"
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(fasta))
    assert proc.returncode == 0, proc.stderr
    cov = load_json(out / "summary.json")["coverage"]
    assert cov["precursorOnlyPercent"] > 5.0  # chance precursor matches exist ...
    assert cov["fragmentConfirmedPercent"] < 5.0  # ... but are not fragment-confirmed
