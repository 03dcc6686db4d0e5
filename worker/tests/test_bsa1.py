"""Database search of BSA1 (real LTQ Orbitrap XL tryptic digest, ion-trap CID MS2) with Comet.

Database: BSA + the bundled contaminants (244 after dropping the copy of BSA), reversed decoys.
q-values by target-decoy competition, q = (D+1)/T. Figures measured on this file: 135 PSMs accepted
at 1 % (smallest PSM q 0.74 %); peptide level cannot reach 1 % (about 50 target peptides, smallest
q 2.0 %), so no peptide and no coverage is reported at 1 %; at 5 % about 23 BSA peptides and
~37 % coverage are accepted.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from conftest import analyse, assert_valid, load_json

# Tryptic BSA peptides that a QC digest of this slice reliably shows.
KNOWN_BSA_PEPTIDES = {"DLGEEHFK", "YLYEIAR", "HLVDEPQNLIK", "LVTDLTK", "YICDNQDTISSK"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def bsa1_plus_one(tmp_path_factory: pytest.TempPathFactory, data: Path) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bsa1-plus-one")
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(data / "P02769_BSA.fasta"),
                   "--params", '{"fdrEstimator": "target-decoy-plus-one"}')
    assert proc.returncode == 0, proc.stderr
    return {"dir": out, "summary": load_json(out / "summary.json")}


def test_summary_is_valid_v2_and_typed_as_peptide_map(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    assert_valid("file-summary", s, version=2)
    assert s["schemaVersion"] == 2
    assert s["executionName"] == "bsa1-exec-1"
    assert s["status"] == "SUCCEEDED"
    assert s["fileId"] == "bsa1"
    assert s["experimentType"] == "peptide_map"
    assert s["counts"]["spectra"] == 1684
    assert s["counts"]["ms1"] == 564
    assert s["counts"]["ms2"] == 1120
    assert s["acquisition"]["mode"] == "DDA"
    assert s["acquisition"]["medianIsolationWidth"] == 2.0


def test_search_and_fdr_are_described(bsa1: dict[str, Any]) -> None:
    ident = bsa1["summary"]["identification"]
    assert ident["engine"]["name"] == "Comet"
    assert ident["engine"]["version"].startswith("2019.01")
    assert ident["fragmentTolerance"] == {"value": 0.5, "unit": "Da", "source": "analyser"}
    db = ident["database"]
    assert db["sampleProteins"] == 1
    assert db["contaminantProteins"] == 244  # 246 entries, CON_P02769 (= BSA) and one duplicate dropped
    assert db["decoyProteins"] == db["targetProteins"] == 245
    assert "alphabase 1.10.2" in db["contaminantsSource"]
    fdr = ident["fdr"]
    assert fdr["threshold"] == 0.01
    assert fdr["estimator"].endswith("q = D/T")
    assert fdr["estimable"] is True
    # about 90 decoy protein groups compete: fewer than the 100 that D/T needs at 1 %
    assert "protein-group-level FDR cannot be estimated at 0.01: only" in fdr["note"]


def test_psms_and_peptides_accepted_at_one_percent(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    acc = s["identification"]["accepted"]
    assert 100 <= acc["psms"] <= 170
    assert 15 <= acc["peptides"] <= 80 and acc["proteinGroups"] == 0
    assert 25.0 <= s["coverage"]["percent"] <= 50.0
    assert s["coverage"]["basis"].startswith("peptides accepted at peptide-level q <= 0.01")
    assert s["qcFlags"] == []
    psms = read_csv(Path(bsa1["dir"]) / "psms.csv")
    accepted = [r for r in psms if r["accepted"] == "1"]
    assert len(accepted) == acc["psms"]
    assert all(float(r["qValue"]) <= 0.01 and r["decoy"] == "0" for r in accepted)
    assert all(float(r["qValue"]) > 0.01 or r["decoy"] == "1" for r in psms if r["accepted"] == "0")
    bsa_peptides = {r["peptide"] for r in accepted if "P02769" in r["proteins"].split(";")}
    assert KNOWN_BSA_PEPTIDES <= bsa_peptides
    assert len(bsa_peptides) >= 15


def test_mass_errors_come_from_accepted_psms_only(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    err = s["massError"]["precursor"]
    assert err["n"] == s["identification"]["accepted"]["psms"]
    assert err["medianAbsPpm"] < 2.0
    assert -10.0 <= err["minPpm"] <= err["maxPpm"] <= 10.0
    frag = s["massError"]["fragment"]  # b/y ions of accepted PSMs, ion-trap MS2: within 0.5 Da
    assert frag["unit"] == "Da" and frag["n"] > 10 * err["n"]
    assert abs(frag["median"]) < 0.2 and frag["medianAbs"] < 0.25
    qci = s["qc"]["identification"]
    assert qci["ms2IdentificationRate"] == round(err["n"] / 1120, 4)
    assert sum(qci["identifiedChargeStates"].values()) == err["n"]
    assert 0 < qci["contaminantPsmShare"] < 1


def test_coverage_counts_only_peptides_accepted_at_peptide_level(bsa1: dict[str, Any]) -> None:
    s = bsa1["summary"]
    peptides = read_csv(Path(bsa1["dir"]) / "peptides.csv")
    accepted = [r for r in peptides if r["accepted"] == "1"]
    assert all(float(r["qValue"]) <= 0.01 and r["decoy"] == "0" for r in accepted)
    assert [r for r in peptides if r["accepted"] == "0" and r["decoy"] == "0" and float(r["qValue"]) > 0.01]
    bsa = {r["peptide"] for r in accepted if "P02769" in r["proteins"].split(";")}
    assert len(bsa) >= 15
    prot = next(p for p in s["coverage"]["proteins"] if p["accession"] == "P02769")
    assert prot["length"] == 607 and len(prot["residueCoverage"]) == 607
    assert prot["peptides"] == len(bsa)
    # recompute coverage from the accepted peptides and compare
    seq = "".join(
        line.strip() for line in (Path(__file__).resolve().parents[2] / "testdata/ms/P02769_BSA.fasta")
        .read_text().splitlines() if not line.startswith(">")
    )
    covered = [False] * len(seq)
    for pep in bsa:
        i = seq.find(pep)
        while i >= 0:
            covered[i : i + len(pep)] = [True] * len(pep)
            i = seq.find(pep, i + 1)
    assert prot["residueCoverage"] == "".join("+" if c else "." for c in covered)
    assert 25.0 <= prot["percent"] <= 50.0
    assert s["coverage"]["percent"] == prot["percent"]


def test_plus_one_estimator_claims_no_peptide_below_its_floor(bsa1_plus_one: dict[str, Any]) -> None:
    """q = (D+1)/T: PSMs pass 1 %, but about 50 target peptides cannot reach it (floor 1/50)."""
    s = bsa1_plus_one["summary"]
    assert_valid("file-summary", s, version=2)
    fdr = s["identification"]["fdr"]
    assert fdr["estimator"].endswith("q = (D+1)/T")
    assert fdr["psmQValueFloor"] <= 0.01 < fdr["peptideQValueFloor"]
    assert "peptide-level FDR cannot be estimated at 0.01 with q = (D+1)/T" in fdr["note"]
    acc = s["identification"]["accepted"]
    assert 100 <= acc["psms"] <= 170 and acc["peptides"] == 0
    assert s["coverage"]["percent"] == 0.0
    assert "not reported from unaccepted peptides" in s["coverage"]["basis"]
    assert {f["code"] for f in s["qcFlags"]} == {"PEPTIDE_FDR_NOT_ESTIMABLE"}


def test_fdr_not_estimable_is_reported_honestly(tmp_path: Path, data: Path) -> None:
    """BSA alone (no contaminants): a handful of decoys compete, so D/T has nothing to stand on."""
    out = tmp_path / "out"
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(data / "P02769_BSA.fasta"),
                   "--params", '{"contaminants": false}')
    assert proc.returncode == 0, proc.stderr
    s = load_json(out / "summary.json")
    assert_valid("file-summary", s, version=2)
    fdr = s["identification"]["fdr"]
    assert fdr["estimable"] is False
    assert "PSM-level FDR cannot be estimated at 0.01: only" in fdr["note"]
    assert "searched without contaminants" in fdr["note"]
    assert s["identification"]["accepted"] == {"psms": 0, "peptides": 0, "proteinGroups": 0, "decoyPsms": 0}
    assert s["massError"] is None
    assert "FDR_NOT_ESTIMABLE" in {f["code"] for f in s["qcFlags"]}
    assert not [r for r in read_csv(out / "psms.csv") if r["accepted"] == "1"]


def test_reversed_bsa_is_not_identified(tmp_path: Path, data: Path) -> None:
    """A reversed BSA as the 'sample': its matches are chance, so it must not collect accepted PSMs."""
    text = (data / "P02769_BSA.fasta").read_text()
    seq = "".join(line.strip() for line in text.splitlines() if not line.startswith(">"))
    fasta = tmp_path / "reversed.fasta"
    fasta.write_text(">REV_P02769 reversed BSA\n" + seq[::-1] + "\n")
    out = tmp_path / "out"
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(fasta), "--params", '{"fdrThreshold": 0.05}')
    assert proc.returncode == 0, proc.stderr
    accepted = [r for r in read_csv(out / "psms.csv") if r["accepted"] == "1"]
    rev = [r for r in accepted if r["proteins"].split(";") == ["REV_P02769"]]
    assert len(rev) <= max(1, 0.05 * len(accepted)), f"{len(rev)} of {len(accepted)} accepted PSMs on reversed BSA"


def test_spectrum_table_in_parquet(bsa1: dict[str, Any]) -> None:
    path = Path(bsa1["dir"]) / "spectra.parquet"
    assert pq.ParquetFile(path).metadata.num_rows == 1684
    t = pq.read_table(path).to_pydict()
    ms2 = [i for i, lvl in enumerate(t["ms_level"]) if lvl == 2]
    assert all(t["analyser"][i] == "low_res" for i in ms2)
    assert {t["identification"][i] for i in ms2} <= {"accepted", "rejected", "unmatched"}
    n_acc = sum(1 for x in t["identification"] if x == "accepted")
    assert n_acc == bsa1["summary"]["identification"]["accepted"]["psms"]
    assert bsa1["summary"]["classes"]["identification"]["accepted"] == n_acc
    assert all(t["ppm_error"][i] is None for i in ms2 if t["identification"][i] != "accepted")


def test_outputs_are_listed_and_read_by_independent_readers(bsa1: dict[str, Any]) -> None:
    from mzqc import MZQCFile
    from pyteomics import mztab

    s = bsa1["summary"]
    out = Path(bsa1["dir"])
    kinds = {o["name"]: o.get("kind") for o in s["outputs"]}
    assert kinds["psms.csv"] == "psms" and kinds["peptides.csv"] == "peptides"
    assert kinds["proteins.csv"] == "proteins" and kinds["results.mzTab"] == "mztab" and kinds["qc.mzQC"] == "mzqc"
    assert {"tic_bpc.png", "charge_histogram.png", "coverage_map.png", "mass_errors.png"} <= set(kinds)
    for o in s["outputs"]:
        assert (out / o["name"]).stat().st_size == o["sizeBytes"]
    for name in ("psms.csv", "peptides.csv", "proteins.csv"):
        header = read_csv(out / name)[0].keys()
        assert "qValue" in header and "proteins" in header
    tab = mztab.MzTab(str(out / "results.mzTab"))
    assert tab.version == "1.0.0"
    psm_table = tab.spectrum_match_table
    assert len(psm_table) == s["identification"]["accepted"]["psms"]
    assert (psm_table["search_engine_score[2]"].astype(float) <= 0.01).all()
    # fixed carbamidomethyl C is reported with its position
    cys = psm_table[psm_table["sequence"] == "YICDNQDTISSK"]
    assert len(cys) and set(cys["modifications"]) == {"3-UNIMOD:4"}
    doc = MZQCFile.JsonSerialisable.from_json((out / "qc.mzQC").read_text())
    metrics = {m.accession: m.value for m in doc.runQualities[0].qualityMetrics}
    assert metrics["MS:4000060"] == 1120
    assert metrics["MS:1003251"] == s["identification"]["accepted"]["psms"]
    assert metrics["MS:4000178"] == s["massError"]["precursor"]["meanPpm"]
    assert sum(metrics["MS:4000209"]["UO:0000191"]) == pytest.approx(1.0, abs=1e-4)
    assert metrics["MS:4000177"] == s["qc"]["identification"]["contaminantPsmShare"]
    assert metrics["MS:4000026"] == s["massError"]["fragment"]["medianPpm"]
    assert len(metrics["MS:4000104"]["MS:1000285"]) == len(s["qc"]["ticTrace"]["intensity"])
