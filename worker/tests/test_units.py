"""In-process checks of the building blocks (fast, no subprocess)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import assert_valid, run_main

from proteomics_worker import storage
from proteomics_worker.mapping import PeptideIndex, count_matches, fragment_ions, parse_fasta
from proteomics_worker.params import resolve
from proteomics_worker.qc import ErrorStats, TraceDownsampler


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


def test_digest_and_precursor_match_with_isotope_error() -> None:
    params = resolve({"minPeptideLength": 4, "fixedModifications": []})
    prots = parse_fasta(">sp|P1|TEST test\nMKGPEPTIDERAAGGKLLYYR\n")
    assert prots[0].accession == "P1"
    index = PeptideIndex(prots, params)
    assert "GPEPTIDER" in index.seqs
    i = index.seqs.index("GPEPTIDER")
    mass = index.masses[i]
    mz2 = (mass + 2 * 1.007276466812) / 2
    cands = index.match(mz2, (2,), "positive")
    assert cands and index.seqs[cands[0].peptide] == "GPEPTIDER" and abs(cands[0].ppm) < 0.01
    # the +1 isotope peak picked by the instrument still matches, with isotope error 1
    cands = index.match(mz2 + 1.0033548378 / 2, (2,), "positive")
    assert any(c.isotope_error == 1 and index.seqs[c.peptide] == "GPEPTIDER" for c in cands)
    # unknown charge: the assumed charges are tried
    cands = index.match(mz2, (), "positive")
    assert any(c.charge_assumed for c in cands)


def test_variable_modifications_add_candidates() -> None:
    params = resolve({"minPeptideLength": 4, "variableModifications": ["Oxidation:M"], "fixedModifications": []})
    index = PeptideIndex(parse_fasta(">p\nAMMKGGGGR\n"), params)
    labels = {index.label(i) for i in range(len(index))}
    assert "AMMK" in labels and "AMMK[M2:Oxidation]" in labels and "AMMK[M3:Oxidation]" in labels


def test_fragment_ions_and_decoy_differ() -> None:
    params = resolve({"minPeptideLength": 4})
    index = PeptideIndex(parse_fasta(">p\nLVNELTEFAK\n"), params)
    i = index.seqs.index("LVNELTEFAK")
    target = fragment_ions(index.residue_masses[i], 2)
    decoy = fragment_ions(index.decoy_residues(i), 2)
    assert len(target) == 18
    assert abs(index.decoy_residues(i).sum() - index.residue_masses[i].sum()) < 1e-9
    peaks = np.sort(target)
    assert count_matches(target, peaks, 0.5, "Da") == 18
    assert count_matches(decoy, peaks, 0.5, "Da") < 9
    assert count_matches(target, peaks + 0.01, 20, "ppm") < 18


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
        "schemaVersion": 1,
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


@pytest.mark.parametrize("ok,expected", [(3, "SUCCEEDED"), (0, "FAILED"), (2, "PARTIAL")])
def test_rollup_status_rule(tmp_path: Path, ok: int, expected: str) -> None:
    manifest = _manifest(tmp_path, 3)
    results = tmp_path / "results" / "analyses" / "an1"
    for i in range(3):
        if i < ok:
            _write(results, f"f{i}", "summary.json", {"experimentType": "qc_only", "coverage": None})
        else:
            _write(results, f"f{i}", "error.json", {"errorCode": "CORRUPT", "message": "bad"})
    code, out, _err = run_main("rollup", "--manifest", str(manifest), "--results", str(results))
    assert code == 0
    doc = json.loads(out)
    assert_valid("analysis-summary", doc)
    assert doc["status"] == expected
    assert doc["filesSucceeded"] == ok and doc["filesFailed"] == 3 - ok
    assert json.loads((results / "summary.json").read_text()) == doc


def test_rollup_prefers_summary_over_stale_error(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, 1)
    results = tmp_path / "results"
    _write(results, "f0", "error.json", {"errorCode": "INTERNAL", "message": "first attempt"})
    _write(results, "f0", "summary.json", {})
    code, out, _ = run_main("rollup", "--manifest", str(manifest), "--results", str(results))
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
