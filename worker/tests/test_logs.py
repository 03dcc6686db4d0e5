"""The worker's log lines against the monitoring metric filter.

Agreed format: one JSON object per line on stderr, `level` in upper case. The CloudWatch Logs metric
filter is the JSON pattern `{ $.level = "ERROR" || $.level = "CRITICAL" }`: it matches only lines that
are JSON objects, and string comparison is exact (case-sensitive). This test evaluates that pattern
with those semantics on the real stderr of failing and succeeding runs. The earlier plain-text line
`error: CODE: message` is not JSON, so the pattern could never match it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import CONTRACTS, analyse

LEVELS = {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
# Real lines of the worker, shared with the monitoring tests, which run the synthesized metric
# filter on them. Regenerate with UPDATE_LOG_FIXTURE=1 after changing what the worker logs.
LOG_FIXTURE = CONTRACTS / "examples" / "worker-log-lines.example.jsonl"


def metric_filter_matches(line: str) -> bool:
    """CloudWatch JSON filter `{ $.level = "ERROR" || $.level = "CRITICAL" }` on one log event."""
    try:
        doc: Any = json.loads(line)
    except json.JSONDecodeError:
        return False  # JSON patterns never match non-JSON events
    return isinstance(doc, dict) and doc.get("level") in ("ERROR", "CRITICAL")


def test_the_filter_semantics_used_here() -> None:
    assert metric_filter_matches('{"level":"ERROR","event":"file_failed"}')
    assert not metric_filter_matches('{"level":"error","event":"file_failed"}')  # case-sensitive
    assert not metric_filter_matches("error: CORRUPT: damaged XML")  # the retired plain-text line


def test_a_failed_file_logs_exactly_one_matching_error_line(tmp_path: Path, data: Path) -> None:
    bad = tmp_path / "corrupt.mzML"
    bad.write_bytes((data / "pyteomics_tiny.pwiz.1.1.mzML").read_bytes()[:3000] + b"<<<garbage")
    proc = analyse(tmp_path / "out", bad, "--file-id", "f1", "--analysis-id", "a1", "--execution-name", "a1-1")
    assert proc.returncode != 0
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and all(json.loads(ln)["level"] in LEVELS for ln in lines), proc.stderr
    matched = [json.loads(ln) for ln in lines if metric_filter_matches(ln)]
    assert len(matched) == 1
    assert matched[0]["event"] == "file_failed" and matched[0]["fileId"] == "f1" and matched[0]["analysisId"] == "a1"
    assert matched[0]["code"] in ("CORRUPT", "TRUNCATED")


def test_a_successful_file_logs_no_matching_line(tmp_path: Path, data: Path) -> None:
    proc = analyse(tmp_path / "out", data / "pyteomics_test.mgf", "--fasta", str(data / "pyteomics_test.fasta"))
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and all(json.loads(ln)["level"] in LEVELS for ln in lines), proc.stderr
    assert not any(metric_filter_matches(ln) for ln in lines)


def _shape(line: str) -> tuple[str, str, str]:
    doc = json.loads(line)
    return (doc["level"], doc["event"], str(doc.get("code", "")))


def _fixture_line(line: str) -> str:
    """A real line with what varies between runs (time, paths in messages) made stable."""
    doc = json.loads(line)
    doc["time"] = "2026-01-01T00:00:00Z"
    if "message" in doc:
        doc["message"] = str(doc["message"]).split(" /")[0][:200]
    return json.dumps(doc, separators=(",", ":"))


def test_the_shared_log_fixture_holds_what_the_worker_writes(tmp_path: Path, data: Path) -> None:
    """The monitoring tests evaluate the synthesized filter on LOG_FIXTURE: it must be the worker's own."""
    import os

    bad = tmp_path / "corrupt.mzML"
    bad.write_bytes((data / "pyteomics_tiny.pwiz.1.1.mzML").read_bytes()[:3000] + b"<<<garbage")
    runs = [
        analyse(tmp_path / "bad", bad, "--file-id", "f1", "--analysis-id", "a1", "--execution-name", "a1-1"),
        analyse(tmp_path / "ok", data / "pyteomics_test.mgf", "--fasta", str(data / "pyteomics_test.fasta")),
    ]
    lines = [ln for proc in runs for ln in proc.stderr.splitlines() if ln.strip()]
    if os.environ.get("UPDATE_LOG_FIXTURE") == "1":
        LOG_FIXTURE.write_text("".join(_fixture_line(ln) + "\n" for ln in lines), encoding="utf-8")
    fixture = [ln for ln in LOG_FIXTURE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    assert {_shape(ln) for ln in lines} == {_shape(ln) for ln in fixture}, (
        "the worker's log lines changed: run UPDATE_LOG_FIXTURE=1 pytest tests/test_logs.py and commit the fixture"
    )
    assert any(metric_filter_matches(ln) for ln in fixture) and not all(metric_filter_matches(ln) for ln in fixture)
