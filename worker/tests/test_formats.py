"""Every other real file: read, typed and classified."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import analyse, assert_valid, load_json


def _run(tmp_path: Path, inp: Path, *extra: str) -> dict:
    proc = analyse(tmp_path, inp, *extra)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "error.json").exists()
    s = load_json(tmp_path / "summary.json")
    assert_valid("file-summary", s)
    return s


def test_missing_precursor_charges_are_reported_unknown(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "ms_deisotope_has_missing_charge_state_info.mzML")
    assert s["counts"]["spectra"] == 5
    assert s["counts"]["ms1"] == 3 and s["counts"]["ms2"] == 2
    assert s["classes"]["charge"] == {"unknown": 2}
    assert s["counts"]["precursorsChargeUnknown"] == 2
    assert s["experimentType"] == "peptide_map"  # MS2 with precursors
    assert s["coverage"] is None
    t = pq.read_table(tmp_path / "spectra.parquet").to_pydict()
    ms2 = [i for i, lvl in enumerate(t["ms_level"]) if lvl == 2]
    assert [t["charge_class"][i] for i in ms2] == ["unknown", "unknown"]
    assert [t["precursor_charge"][i] for i in ms2] == [None, None]
    # RT stored in minutes in the file, reported in seconds
    assert s["qc"]["retentionTimeSeconds"]["max"] == pytest.approx(0.027433696 * 60, rel=1e-6)
    assert s["classes"]["dataMode"].get("profile", 0) >= 3


def test_ms2_only_file(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "ms_deisotope_only_ms2_mzml.mzML")
    assert s["counts"]["ms1"] == 0 and s["counts"]["ms2"] == s["counts"]["spectra"] >= 1
    assert s["experimentType"] == "peptide_map"
    assert s["qc"]["ms2PerMs1"] is None
    assert s["classes"]["polarity"] == {"negative": s["counts"]["spectra"]}
    assert s["classes"]["charge"] == {"unknown": s["counts"]["ms2"]}
    assert len(s["qc"]["ticTrace"]["rtSeconds"]) >= 1  # falls back to all spectra


def test_tiny_pwiz_mzml(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "pyteomics_tiny.pwiz.1.1.mzML")
    assert s["input"]["format"] == "mzML"
    assert s["counts"]["spectra"] == 4
    assert s["counts"]["ms1"] >= 1 and s["counts"]["ms2"] >= 1
    assert s["experimentType"] == "peptide_map"
    # the file mixes units: two scans in minutes, one in seconds; all reported in seconds
    assert s["qc"]["retentionTimeSeconds"]["min"] == pytest.approx(42.05, rel=1e-6)
    assert s["qc"]["retentionTimeSeconds"]["max"] == pytest.approx(5.9905 * 60, rel=1e-6)


def test_indexed_zlib_mzml_profile_ms1_is_intact_and_deconvoluted(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "pyteomics_test.mzML")
    assert s["counts"]["spectra"] == 2
    assert s["counts"]["ms2"] == 0
    assert s["experimentType"] == "intact_ms1"
    assert s["classes"]["dataMode"] == {"profile": 2}
    dec = s["qc"]["deconvolution"]
    assert dec["performed"] is True
    assert dec["masses"] and all(m["neutralMass"] > 0 for m in dec["masses"])


def test_mzxml(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "pyteomics_test.mzXML")
    assert s["input"]["format"] == "mzXML"
    assert s["counts"]["spectra"] >= 2
    assert s["counts"]["ms1"] >= 1 and s["counts"]["ms2"] >= 1
    assert s["classes"]["polarity"].get("positive") == s["counts"]["spectra"]
    assert s["qc"]["retentionTimeSeconds"]["min"] == pytest.approx(5.8905 * 60, rel=1e-4)


def test_pyteomics_mgf_with_charges(tmp_path: Path, data: Path) -> None:
    fasta = tmp_path / "t.fasta"
    fasta.write_text((data / "pyteomics_test.fasta").read_text())
    s = _run(tmp_path / "o", data / "pyteomics_test.mgf", "--fasta", str(fasta))
    assert s["input"]["format"] == "mgf"
    assert s["counts"]["spectra"] == 2
    assert s["counts"]["ms2"] == 2
    assert "2" in s["classes"]["charge"]
    assert s["experimentType"] == "peptide_map"
    assert s["coverage"] is not None  # mapped (even if nothing matches)


def test_small_mgf_without_charges(tmp_path: Path, data: Path) -> None:
    s = _run(tmp_path, data / "ms_deisotope_small.mgf")
    assert s["counts"]["spectra"] == 34
    assert s["classes"]["charge"].get("unknown", 0) == 34
    assert s["counts"]["precursorsChargeUnknown"] == 34
    assert s["qc"]["retentionTimeSeconds"]["min"] is not None


def test_filters_are_applied_and_labelled(tmp_path: Path, data: Path) -> None:
    params = '{"filters": {"msLevels": [2], "minPeaks": 10, "topN": 50}}'
    s = _run(tmp_path, data / "ms_deisotope_has_missing_charge_state_info.mzML", "--params", params)
    flt = s["classes"]["filter"]
    assert flt["dropped_ms_level"] == 3
    assert s["counts"]["spectraKept"] + s["counts"]["spectraFiltered"] == 5
    assert s["parameters"]["filters"]["topN"] == 50
    t = pq.read_table(tmp_path / "spectra.parquet").to_pydict()
    assert max(t["peaks_kept"]) <= 50


SPECTRUM_FILES = [
    "BSA1.mzML.gz",
    "pyteomics_test.mzML",
    "pyteomics_tiny.pwiz.1.1.mzML",
    "pyteomics_test.mzXML",
    "pyteomics_test.mgf",
    "ms_deisotope_has_missing_charge_state_info.mzML",
    "ms_deisotope_only_ms2_mzml.mzML",
    "ms_deisotope_small.mgf",
]


@pytest.mark.parametrize("name", SPECTRUM_FILES)
def test_every_real_file_is_searched_with_a_sequence(tmp_path: Path, data: Path, name: str) -> None:
    """Every real spectrum file runs through the search path and yields a valid v2 summary."""
    fasta = data / ("P02769_BSA.fasta" if name == "BSA1.mzML.gz" else "pyteomics_test.fasta")
    s = _run(tmp_path, data / name, "--fasta", str(fasta), "--execution-name", "an1-1")
    assert s["schemaVersion"] == 2 and s["executionName"] == "an1-1"
    ident = s["identification"]
    assert ident["engine"]["name"] == "Comet"
    assert ident["database"]["sampleProteins"] >= 1 and ident["database"]["contaminantProteins"] == 244 or name != "BSA1.mzML.gz"
    psms = (tmp_path / "psms.csv").read_text().splitlines()
    assert psms[0].startswith("spectrumIndex,") and len(psms) - 1 <= s["counts"]["ms2"]
    if s["identification"]["accepted"]["psms"] == 0:
        # small files: too few PSMs for 1 %; nothing is claimed and the reason is given
        assert s["massError"] is None
        assert s["identification"]["fdr"]["estimable"] is False or s["counts"]["ms2"] == 0
    assert s["acquisition"]["mode"] in ("DDA", "undetermined")


def _dia_like_copy(src: Path, dst: Path) -> Path:
    """SYNTHETIC: BSA1 with its MS2 isolation windows rewritten as a DIA cycle (32 windows of 25 m/z).

    Derived from a real file (peaks, MS1 and everything else unchanged): only the isolation window
    target and offsets of each MS2 spectrum change, as a SWATH-style acquisition would record them.
    """
    import gzip
    import re

    text = gzip.open(src, "rt", encoding="utf-8").read()
    counter = iter(range(10**6))

    def window(match: re.Match[str]) -> str:
        k = next(counter) % 32
        target, half = 400 + 25 * k + 12.5, 12.5
        block = match.group(0)
        block = re.sub(r'(accession="MS:1000827"[^>]*value=")[^"]*"', rf'\g<1>{target}"', block)
        block = re.sub(r'(accession="MS:1000828"[^>]*value=")[^"]*"', rf'\g<1>{half}"', block)
        return re.sub(r'(accession="MS:1000829"[^>]*value=")[^"]*"', rf'\g<1>{half}"', block)

    text = re.sub(r"<isolationWindow>.*?</isolationWindow>", window, text, flags=re.S)
    dst.write_text(text, encoding="utf-8")
    return dst


def test_dia_is_recognised_and_refused_clearly(tmp_path: Path, data: Path) -> None:
    dia = _dia_like_copy(data / "BSA1.mzML.gz", tmp_path / "BSA1-synthetic-dia.mzML")
    out = tmp_path / "out"
    proc = analyse(out, dia, "--fasta", str(data / "P02769_BSA.fasta"), "--execution-name", "an1-1")
    assert proc.returncode != 0
    assert not (out / "summary.json").exists()
    err = load_json(out / "error.json")
    assert_valid("file-error", err)
    assert err["errorCode"] == "UNSUPPORTED_ACQUISITION"
    assert "DIA" in err["message"] and "25 m/z" in err["message"]
    # the unchanged real file is DDA
    s = _run(tmp_path / "dda", data / "BSA1.mzML.gz")
    assert s["acquisition"]["mode"] == "DDA"
