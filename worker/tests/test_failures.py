"""Bad inputs fail cleanly: non-zero exit, one ERROR JSON log line, error.json (v2), no summary.json."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import analyse, assert_valid, load_json, run_main


def _fails(out: Path, inp: Path, code: str, *extra: str, in_process: bool = False) -> dict:
    if in_process:
        rc, _stdout, stderr = run_main("analyse", "--input", str(inp), "--output", str(out), *extra)
    else:
        proc = analyse(out, inp, *extra)
        rc, stderr = proc.returncode, proc.stderr
    assert rc != 0
    err_lines = [json.loads(ln) for ln in stderr.splitlines() if ln.startswith("{") and '"level":"ERROR"' in ln]
    assert len(err_lines) == 1, stderr
    assert err_lines[0]["code"] == code and err_lines[0]["event"] == "file_failed"
    assert not (out / "summary.json").exists()
    assert not (out / "spectra.parquet").exists()
    doc = load_json(out / "error.json")
    assert_valid("file-error", doc)
    assert doc["errorCode"] == code, doc
    assert "\n" not in doc["message"]
    return doc


def test_corrupt_mzml(tmp_path: Path, data: Path) -> None:
    raw = bytearray((data / "pyteomics_tiny.pwiz.1.1.mzML").read_bytes())
    mid = len(raw) // 2
    raw[mid : mid + 400] = b"<<&&>>\x00\x01garbage" * 20
    bad = tmp_path / "corrupt.mzML"
    bad.write_bytes(bytes(raw))
    doc = _fails(tmp_path / "out", bad, "CORRUPT")
    assert doc["input"]["name"] == "corrupt.mzML"
    assert doc["input"]["sizeBytes"] == len(raw)


def test_corrupt_binary_array(tmp_path: Path, data: Path) -> None:
    text = (data / "pyteomics_tiny.pwiz.1.1.mzML").read_text()
    start = text.index("<binary>") + len("<binary>")
    bad = tmp_path / "badarray.mzML"
    bad.write_text(text[:start] + "!!!not-base64!!!" + text[start + 16 :])
    _fails(tmp_path / "out", bad, "CORRUPT")


def test_truncated_mzml(tmp_path: Path, data: Path) -> None:
    raw = (data / "ms_deisotope_only_ms2_mzml.mzML").read_bytes()
    bad = tmp_path / "truncated.mzML"
    bad.write_bytes(raw[: int(len(raw) * 0.6)])
    _fails(tmp_path / "out", bad, "TRUNCATED")


def test_truncated_gzip(tmp_path: Path, data: Path) -> None:
    raw = gzip.compress((data / "pyteomics_tiny.pwiz.1.1.mzML").read_bytes())
    bad = tmp_path / "truncated.mzML.gz"
    bad.write_bytes(raw[: len(raw) // 2])
    _fails(tmp_path / "out", bad, "TRUNCATED")


def test_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "empty.mzML"
    bad.write_bytes(b"")
    _fails(tmp_path / "out", bad, "EMPTY")


def test_mgf_without_spectra_is_empty(tmp_path: Path) -> None:
    bad = tmp_path / "none.mgf"
    bad.write_text("# no spectra here\nBEGIN IONS\nEND IONS\n")
    proc = analyse(tmp_path / "out", bad)
    # an MGF block with no peaks is one (empty) spectrum; a header-only file is EMPTY
    assert proc.returncode in (0, 1)
    bad2 = tmp_path / "header.mgf"
    bad2.write_text("COM=nothing\nBEGIN IONS\n")
    proc2 = analyse(tmp_path / "out2", bad2)
    assert proc2.returncode != 0
    assert not (tmp_path / "out2" / "summary.json").exists()


def test_unknown_format(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("this is not a mass spectrum\n")
    _fails(tmp_path / "out", bad, "UNKNOWN_FORMAT")
    xml = tmp_path / "other.xml"
    xml.write_text('<?xml version="1.0"?><html><body/></html>')
    _fails(tmp_path / "out2", xml, "UNKNOWN_FORMAT")


@pytest.mark.parametrize(
    "fasta",
    [
        "",
        "MKWVTFISLLLLFSSAYS\n",  # no header
        ">sp|X|Y bad residues\nPEPT1DE-42\n",
        ">only a header\n",
    ],
)
def test_bad_fasta(tmp_path: Path, data: Path, fasta: str) -> None:
    f = tmp_path / "bad.fasta"
    f.write_text(fasta)
    _fails(tmp_path / "out", data / "pyteomics_test.mgf", "BAD_FASTA", "--fasta", str(f), in_process=True)


@pytest.mark.parametrize(
    "params",
    [
        "{not json",
        '{"enzyme": "no-such-enzyme"}',
        '{"missedCleavages": -1}',
        '{"precursorTolerancePpm": 0}',
        '{"unknownKnob": 1}',
        '{"filters": {"mzMin": 500, "mzMax": 100}}',
        '{"fragmentTolerance": {"value": 0.5, "unit": "mmu"}}',
        "[1, 2]",
    ],
)
def test_bad_parameters(tmp_path: Path, data: Path, params: str) -> None:
    _fails(tmp_path / "out", data / "pyteomics_test.mgf", "BAD_PARAMETERS", "--params", params, in_process=True)


def test_checksum_mismatch(tmp_path: Path, data: Path) -> None:
    _fails(tmp_path / "out", data / "pyteomics_test.mgf", "CHECKSUM_MISMATCH", "--sha256", "0" * 64, in_process=True)


def test_bad_fasta_through_the_entry_point(tmp_path: Path, data: Path) -> None:
    f = tmp_path / "bad.fasta"
    f.write_text(">x\nNOT A PROTEIN 123\n")
    _fails(tmp_path / "out", data / "pyteomics_test.mgf", "BAD_FASTA", "--fasta", str(f))


def test_bad_parameters_through_the_entry_point(tmp_path: Path, data: Path) -> None:
    _fails(tmp_path / "out", data / "pyteomics_test.mgf", "BAD_PARAMETERS", "--params", '{"enzyme": "papain-x"}')


def test_missing_input_is_unreadable(tmp_path: Path) -> None:
    _fails(tmp_path / "out", tmp_path / "does-not-exist.mzML", "UNREADABLE")


def test_rerun_after_failure_replaces_error_json(tmp_path: Path, data: Path) -> None:
    out = tmp_path / "out"
    _fails(out, data / "pyteomics_test.mgf", "BAD_PARAMETERS", "--params", "{bad")
    proc = analyse(out, data / "pyteomics_test.mgf")
    assert proc.returncode == 0, proc.stderr
    assert (out / "summary.json").exists() and not (out / "error.json").exists()
