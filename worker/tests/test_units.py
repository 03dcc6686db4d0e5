"""In-process checks of the building blocks (fast, no subprocess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import CONTRACTS, assert_valid, run_main

from proteomics_worker import storage
from proteomics_worker.acquisition import AcquisitionDetector
from proteomics_worker.errors import WorkerError
from proteomics_worker.mapping import Protein, parse_fasta
from proteomics_worker.params import resolve
from proteomics_worker.qc import ErrorStats, TraceDownsampler
from proteomics_worker.search import Psm, build_database, comet_settings, control, fragment_settings, tdc_qvalues


def test_psims_is_kept_offline(data: Path) -> None:
    from psims.controlled_vocabulary import controlled_vocabulary as cv

    from proteomics_worker.readers import iter_spectra

    next(iter(iter_spectra(data / "pyteomics_tiny.pwiz.1.1.mzML", "mzML")))

    assert cv.obo_cache.use_remote is False


NO_NETWORK = """
import socket, sys
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)  # recorded: a library might swallow the error and fall back
    raise OSError("network access attempted")
socket.socket.connect = refuse
socket.create_connection = refuse
from proteomics_worker.cli import main
codes = [main(["analyse", "--input", path, "--output", sys.argv[2] + "/" + str(i)]) for i, path in enumerate(sys.argv[3:])]
print(codes, len(attempts))
"""


def test_reading_mzml_and_mzxml_never_opens_a_socket(data: Path, tmp_path: Path) -> None:
    """A fresh interpreter with sockets disabled analyses mzML and mzXML without trying the network."""
    import os
    import subprocess
    import sys

    from conftest import WORKER_DIR

    env = dict(os.environ, PYTHONPATH=str(WORKER_DIR))
    files = [str(data / "pyteomics_tiny.pwiz.1.1.mzML"), str(data / "pyteomics_test.mzXML")]
    proc = subprocess.run(
        [sys.executable, "-c", NO_NETWORK, "x", str(tmp_path), *files], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[0, 0] 0"


def test_trace_downsampler_is_bounded_and_keeps_the_range() -> None:
    ds = TraceDownsampler(100)
    for i in range(100_000):
        ds.add(float(i), 1.0, float(i % 7))
        assert len(ds.points) < 200
    rts, tics, bps = ds.result()
    assert len(rts) <= 100
    assert rts[0] < 1000 and rts[-1] > 99_000
    assert all(t == pytest.approx(1.0) for t in tics)
    assert max(bps) == 6.0


def test_error_stats_median() -> None:
    es = ErrorStats(10.0)
    for v in [-3.0, -1.0, 0.5, 1.0, 2.0]:
        es.add(v, 100.0)
    s = es.summary()
    assert s is not None
    assert s["medianPpm"] == pytest.approx(0.5, abs=0.011)
    assert s["medianAbsPpm"] == pytest.approx(1.0, abs=0.011)
    assert s["n"] == 5 and s["minPpm"] == -3.0 and s["maxPpm"] == 2.0


def test_fasta_accessions() -> None:
    prots = parse_fasta(">sp|P1|TEST test\nMKGPEPTIDERAAGGKLLYYR\n>tr|Q2|X\nPEPTIDEK\n>plain desc\nAAK\n")
    assert [p.accession for p in prots] == ["P1", "Q2", "plain"]


def test_tdc_q_values_are_d_plus_one_over_t_and_monotone() -> None:
    # score-ordered: T T D T T T ; q = min over later thresholds of (D+1)/T
    score = np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0])
    decoy = np.array([False, False, True, False, False, False])
    q = tdc_qvalues(score, decoy, plus_one=True)
    # (D+1)/T at each rank: 1/1, 1/2, 2/2, 2/3, 2/4, 2/5 -> running minimum from the bottom
    assert q.tolist() == pytest.approx([0.4, 0.4, 0.4, 0.4, 0.4, 0.4])
    # a tie between a target and a decoy counts the decoy first (conservative)
    q = tdc_qvalues(np.array([5.0, 5.0]), np.array([False, True]), plus_one=True)
    assert q[0] == 1.0


def test_tdc_q_values_d_over_t() -> None:
    score = np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0])
    decoy = np.array([False, False, True, False, False, False])
    # D/T at each rank: 0/1, 0/2, 1/2, 1/3, 1/4, 1/5 -> running minimum from the bottom
    assert tdc_qvalues(score, decoy).tolist() == pytest.approx([0.0, 0.0, 0.2, 0.2, 0.2, 0.2])
    q = tdc_qvalues(np.array([5.0, 5.0]), np.array([False, True]))
    assert q[0] == 1.0


def _psm(scan: int, score: float, peptide: str, proteins: list[str]) -> Psm:
    decoy = all(p.startswith("DECOY_") for p in proteins)
    return Psm(scan, 2, 1000.0, 1000.0, 10**-score, 1.0, peptide, peptide, proteins, decoy, score=score)


def test_fdr_control_accepts_only_where_the_threshold_is_reachable() -> None:
    # 150 targets above every decoy: PSM floor 1/150 < 1 %; peptide level has only 3 peptides
    psms = [_psm(i, 100.0 - i * 0.1, ["PEPTIDEK", "ELVISK", "LIVESK"][i % 3], ["P1"]) for i in range(150)]
    psms += [_psm(1000 + i, 1.0 - i * 0.01, f"DECOYPEP{i}K", ["DECOY_P1"]) for i in range(20)]
    res = control(psms, 0.01, "target-decoy-plus-one")
    assert res.levels["psm"].estimable and res.levels["psm"].accepted == 150
    assert res.levels["psm"].floor == pytest.approx(1 / 150, abs=1e-6)
    assert not res.levels["peptide"].estimable and res.levels["peptide"].floor == pytest.approx(1 / 3, abs=1e-6)
    assert not any(p["accepted"] for p in res.peptides)
    assert all(p.accepted for p in res.psms if not p.decoy) and not any(p.accepted for p in res.psms if p.decoy)


def test_d_over_t_needs_enough_decoy_winners() -> None:
    # D/T is 0 above the first decoy however few decoys there are: with 20 decoy winners (< 100 at 1 %)
    # the level is not estimable and nothing is accepted; with 100 it is.
    targets = [_psm(i, 100.0 - i * 0.1, f"PEP{i}K", ["P1"]) for i in range(150)]
    few = [_psm(1000 + i, 1.0 - i * 0.001, f"DECOYPEP{i}K", ["DECOY_P1"]) for i in range(20)]
    res = control(targets + few, 0.01)
    assert res.levels["psm"].decoys == 20
    assert not res.levels["psm"].estimable and res.levels["psm"].accepted == 0
    assert not any(p.accepted for p in res.psms)
    enough = [_psm(1000 + i, 1.0 - i * 0.001, f"DECOYPEP{i}K", ["DECOY_P1"]) for i in range(100)]
    res = control([_psm(i, 100.0 - i * 0.1, f"PEP{i}K", ["P1"]) for i in range(150)] + enough, 0.01)
    assert res.levels["psm"].estimable and res.levels["psm"].accepted == 150
    assert res.levels["peptide"].estimable and res.levels["peptide"].accepted == 150


def test_unknown_estimator_is_refused() -> None:
    with pytest.raises(WorkerError, match="fdrEstimator"):
        control([], 0.01, "d-over-t")


def test_shared_peptides_group_proteins() -> None:
    psms = [_psm(i, 50.0 - i, f"PEP{i}K", ["A", "B"] if i < 2 else ["C"]) for i in range(4)]
    res = control(psms, 0.5)
    groups = {tuple(g["proteins"]) for g in res.groups}
    assert groups == {("A", "B"), ("C",)}


def test_database_drops_contaminant_copies_of_the_sample(tmp_path: Path) -> None:
    bsa = Protein("P02769", "BSA", "MKWVTFISLLLLFSSAYSR")
    cons = [Protein("CON_P02769", "BSA copy", "MKWVTFISLLLLFSSAYSR"), Protein("CON_X", "other", "MAAAK")]
    db = build_database([bsa], cons, [], tmp_path / "db.fasta")
    assert (db.sample, db.contaminants) == (1, 1)
    assert db.contaminant_accessions == {"CON_X"}
    with pytest.raises(Exception, match="reserved decoy prefix"):
        build_database([Protein("DECOY_1", "", "MK")], [], [], tmp_path / "db2.fasta")


def test_bundled_contaminants_match_their_provenance() -> None:
    from proteomics_worker import contaminants

    prov = contaminants.provenance()
    assert prov["package"] == "alphabase" and prov["version"] == "1.10.2"
    assert "Apache" in prov["licence"]
    prots = contaminants.load()
    assert len(prots) == prov["entries"] == 246
    assert all(p.accession.startswith("CON_") for p in prots)


def test_comet_settings_follow_the_parameters(tmp_path: Path) -> None:
    params = resolve({"variableModifications": ["Oxidation:M", "Pyro-glu:Q"], "isotopeErrors": [0, 1, 2]})
    frag, tol = fragment_settings(params, "high_res")
    assert tol == {"value": 0.02, "unit": "Da", "source": "analyser"}
    st = comet_settings(params, tmp_path / "db.fasta", frag)
    assert st["add_C_cysteine"] == pytest.approx(57.021464)
    assert st["variable_mod01"].startswith("15.994915 M ")
    assert st["variable_mod02"] == "-17.026549 Q 0 1 0 2 0 0.0"
    assert st["isotope_error"] == 2 and st["fragment_bin_tol"] == 0.02
    with pytest.raises(Exception, match="not supported by the search engine"):
        comet_settings(resolve({"enzyme": "thermolysin"}), tmp_path / "db.fasta", frag)


def test_acquisition_detector_tells_dia_from_dda() -> None:
    import random

    random.seed(1)
    dia = AcquisitionDetector()
    for _cycle in range(40):
        for w in range(32):
            dia.add(2, 400 + 25 * w + 12.5, 25.0)
    assert dia.result()["mode"] == "DIA"
    dda = AcquisitionDetector()
    for _ in range(1000):
        dda.add(2, random.uniform(350, 1500), 2.0)
    assert dda.result()["mode"] == "DDA"
    prm = AcquisitionDetector()
    for _cycle in range(100):
        for t in (500.25, 622.8, 785.3):
            prm.add(2, t, 0.7)
    assert prm.result()["mode"] == "targeted"
    none = AcquisitionDetector()
    for _ in range(30):
        none.add(2, None, None)
    assert none.result()["mode"] == "undetermined"


def test_deconvolution_recovers_a_synthetic_protein_mass() -> None:
    """A 15,000 Da averagine envelope at charges 10-20 (profile) deconvolutes to 15,000 Da."""
    from ms_deisotope.averagine import peptide

    from proteomics_worker.deconvolution import deconvolute

    proton, mass = 1.007276466812, 15000.0
    mz = np.arange(700.0, 1600.0, 0.005)
    inten = np.zeros_like(mz)
    for z in range(10, 21):
        weight = np.exp(-0.5 * ((z - 15) / 3.0) ** 2)
        for peak in peptide.isotopic_cluster((mass + z * proton) / z, z, truncate_after=0.99):
            inten += weight * peak.intensity * 1e6 * np.exp(-0.5 * ((mz - peak.mz) / 0.01) ** 2)
    masses, how = deconvolute(mz, inten)
    assert "ms_deisotope" in how
    top = masses[0]
    assert top["neutralMass"] == pytest.approx(mass, abs=0.05)
    assert set(range(11, 20)) <= set(top["charges"])


def test_upload_order_and_checksums(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Fake:
        def upload_file(self, _path: str, _bucket: str, key: str, ExtraArgs: dict[str, Any]) -> None:  # noqa: N803
            calls.append((key, ExtraArgs))

    monkeypatch.setattr(storage, "_CLIENT", Fake())
    for name in ("summary.json", "a.png", "spectra.parquet", "z.csv"):
        (tmp_path / name).write_text("x")
    storage.upload_dir(tmp_path, "s3://bucket/analyses/a/files/f1/")
    keys = [k for k, _ in calls]
    assert keys[-1] == "analyses/a/files/f1/summary.json"
    assert len(keys) == 4
    assert all(extra["ChecksumAlgorithm"] == "SHA256" for _, extra in calls)


def _manifest(tmp_path: Path, n: int) -> Path:
    doc = {
        "schemaVersion": 2,
        "analysisId": "an1",
        "sampleId": "s1",
        "ownerId": "o1",
        "createdAt": "2026-03-01T10:00:00Z",
        "parameters": {},
        "files": [{"fileId": f"f{i}", "key": f"u/f{i}.mgf", "format": "mgf"} for i in range(n)],
    }
    path = tmp_path / "manifests" / "an1.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def _write(results: Path, fid: str, name: str, doc: dict[str, Any]) -> None:
    d = results / "files" / fid
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_text(json.dumps(doc))


def _example(name: str, **changes: Any) -> dict[str, Any]:
    """A contract v2 example document (contracts/examples), with changes."""
    doc: dict[str, Any] = json.loads((CONTRACTS / "examples" / f"{name}.v2.example.json").read_text())
    doc.update(changes)
    return doc


@pytest.mark.parametrize("ok,expected", [(3, "SUCCEEDED"), (0, "FAILED"), (2, "PARTIAL")])
def test_rollup_status_rule(tmp_path: Path, ok: int, expected: str) -> None:
    manifest = _manifest(tmp_path, 3)
    results = tmp_path / "results" / "analyses" / "an1"
    for i in range(3):
        if i < ok:
            _write(results, f"f{i}", "summary.json", _example("file-summary", fileId=f"f{i}", executionName="an1-1"))
        else:
            _write(results, f"f{i}", "error.json", _example("file-error", fileId=f"f{i}", executionName="an1-1"))
    code, out, _err = run_main("rollup", "--manifest", str(manifest), "--results", str(results),
                               "--execution-name", "an1-1")
    assert code == 0
    doc = json.loads(out)
    assert_valid("analysis-summary", doc)
    assert doc["schemaVersion"] == 2 and doc["executionName"] == "an1-1"
    assert doc["status"] == expected
    assert doc["filesSucceeded"] == ok and doc["filesFailed"] == 3 - ok
    assert json.loads((results / "summary.json").read_text()) == doc
    if ok:
        row = doc["files"][0]
        assert row["psmsAccepted"] == 140 and row["fdrEstimable"] is True and row["coveragePercent"] == 35.3


def test_rollup_counts_only_this_executions_files(tmp_path: Path) -> None:
    """A summary from an earlier execution, or a version-1 summary, is read but never counted."""
    manifest = _manifest(tmp_path, 3)
    results = tmp_path / "results"
    _write(results, "f0", "summary.json", _example("file-summary", fileId="f0", executionName="an1-2"))
    _write(results, "f1", "summary.json", _example("file-summary", fileId="f1", executionName="an1-1"))
    v1 = json.loads((CONTRACTS / "examples" / "file-summary.example.json").read_text())
    assert v1["schemaVersion"] == 1
    _write(results, "f2", "summary.json", v1)
    code, out, _ = run_main("rollup", "--manifest", str(manifest), "--results", str(results),
                            "--execution-name", "an1-2")
    assert code == 0
    doc = json.loads(out)
    assert_valid("analysis-summary", doc)
    assert [f["status"] for f in doc["files"]] == ["SUCCEEDED", "FAILED", "FAILED"]
    assert "an1-1" in doc["files"][1]["reason"] and "version-1" in doc["files"][2]["reason"]
    assert doc["status"] == "PARTIAL"


def test_rollup_prefers_this_executions_summary_over_its_stale_error(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 1)
    results = tmp_path / "results"
    _write(results, "f0", "error.json", _example("file-error", fileId="f0", executionName="an1-1"))
    _write(results, "f0", "summary.json", _example("file-summary", fileId="f0", executionName="an1-2"))
    code, out, _ = run_main("rollup", "--manifest", str(manifest), "--results", str(results),
                            "--execution-name", "an1-2")
    assert code == 0 and json.loads(out)["status"] == "SUCCEEDED"


def test_chunk_local_and_limits(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 25)
    code, out, _ = run_main("chunk", "--manifest", str(manifest), "--chunk-size", "10")
    assert code == 0
    res = json.loads(out)
    assert res["chunkCount"] == 3
    docs = [json.loads((tmp_path / key).read_text()) for key in res["manifestKeys"]]
    for d in docs:
        assert_valid("chunk-manifest", d)
    assert [len(d["files"]) for d in docs] == [10, 10, 5]
    assert [d["firstFileIndex"] for d in docs] == [0, 10, 20]
    code, _, err = run_main("chunk", "--manifest", str(manifest), "--chunk-size", "10001")
    assert code != 0 and "chunk-size" in err


def test_parameter_defaults_are_documented_values() -> None:
    p = resolve({})
    assert p["enzyme"] == "trypsin" and p["missedCleavages"] == 2 and p["minPeptideLength"] == 5
    assert p["fixedModifications"] == ["Carbamidomethyl:C"]
    assert p["precursorTolerancePpm"] == 10 and p["isotopeErrors"] == [0, 1]
    assert resolve({"enzyme": "LysC"})["enzyme"] == "lysc"
    assert p["fdrThreshold"] == 0.01 and p["contaminants"] is True and p["backgroundProteome"] is None
    # parameters of a version-1 manifest that the search no longer has are ignored, not refused
    assert "fragmentConfirmation" not in resolve({"fragmentConfirmation": True, "minFragmentIons": 4})


def test_error_codes_are_the_contracts() -> None:
    from proteomics_worker.errors import ERROR_CODES

    enum = json.loads((CONTRACTS / "schemas" / "file-error.v2.schema.json").read_text())["properties"]["errorCode"]["enum"]
    assert sorted(ERROR_CODES) == sorted(enum)


def test_fragment_ladder_and_matching() -> None:
    from proteomics_worker.search import fragment_errors, fragment_ions

    psm = Psm(1, 2, 0.0, 0.0, 1.0, 1.0, "PEPTIDEK", "PEPTIDEK", ["P1"], False, mods=((2, 10.0),))
    ions = fragment_ions(psm)
    assert ions is not None and len(ions) == 14  # b1..b7 and y1..y7, singly charged
    assert ions[0] == pytest.approx(97.05276 + 1.007276, abs=1e-4)  # b1 = P
    assert ions[1] == pytest.approx(97.05276 + 129.04259 + 10.0 + 1.007276, abs=1e-4)  # b2 carries the mod
    assert ions[7] == pytest.approx(128.09496 + 18.010565 + 1.007276, abs=1e-4)  # y1 = K
    err, theo = fragment_errors(ions, np.array([ions[0] + 0.3, ions[7] - 0.2, 5000.0]), 0.5, "Da")
    assert sorted(np.round(err, 6).tolist()) == [-0.2, 0.3] and len(theo) == 2
    assert fragment_ions(Psm(1, 2, 0.0, 0.0, 1.0, 1.0, "PEPK", "PEPK", ["P1"], False, mods=None)) is None


def test_rollup_cost_from_durations_and_the_rates_given(tmp_path: Path) -> None:
    """cost = sum of the counted files' durationSeconds x (vCPU x $/vCPU-h + GiB x $/GB-h) / 3600."""
    manifest = _manifest(tmp_path, 3)
    results = tmp_path / "results"
    _write(results, "f0", "summary.json", _example("file-summary", fileId="f0", executionName="an1-1", durationSeconds=100.0))
    _write(results, "f1", "summary.json", _example("file-summary", fileId="f1", executionName="an1-1", durationSeconds=200.0))
    # Another execution's summary is not this analysis' compute.
    _write(results, "f2", "summary.json", _example("file-summary", fileId="f2", executionName="an1-0", durationSeconds=999.0))
    code, out, _ = run_main("rollup", "--manifest", str(manifest), "--results", str(results), "--execution-name", "an1-1",
                            "--task-vcpu", "2", "--task-memory-gib", "8", "--vcpu-hour-usd", "0.012",
                            "--gb-hour-usd", "0.0013", "--price-source", "PriceTable us-east-1 Fargate Spot")
    assert code == 0
    doc = json.loads(out)
    assert_valid("analysis-summary", doc)
    cost = doc["cost"]
    assert cost["vcpuSeconds"] == 600.0 and cost["memoryGiBSeconds"] == 2400.0
    assert cost["estimatedCostUsd"] == round(600 / 3600 * 0.012 + 2400 / 3600 * 0.0013, 6)
    assert "PriceTable us-east-1 Fargate Spot" in cost["basis"] and "S3" in cost["basis"]
    # The pipeline reads only the head of the document (before "files"): cost must be there.
    text = (results / "summary.json").read_text()
    assert text.index('"cost"') < text.index('"files"')


def test_rollup_cost_is_null_without_rates_and_refuses_half_of_them(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 1)
    results = tmp_path / "results"
    _write(results, "f0", "summary.json", _example("file-summary", fileId="f0", executionName="an1-1"))
    code, out, _ = run_main("rollup", "--manifest", str(manifest), "--results", str(results), "--execution-name", "an1-1")
    assert code == 0 and json.loads(out)["cost"] is None
    code, _out, err = run_main("rollup", "--manifest", str(manifest), "--results", str(results), "--execution-name", "an1-1",
                               "--task-vcpu", "2")
    assert code != 0 and "give all of --task-vcpu, --task-memory-gib, --vcpu-hour-usd and --gb-hour-usd" in err
