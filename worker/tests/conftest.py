"""Shared fixtures: real test data, the CLI entry point, schema checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

WORKER_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = WORKER_DIR.parent
CONTRACTS = REPO_ROOT / "contracts"
# Real public MS files kept in the repository (sources, licences and checksums in its README).
TESTDATA = REPO_ROOT / "testdata" / "ms"


# The IAM check (examples/biotech-app/iam-check): with AWS_CALL_LOG_DIR set, every AWS call this
# package makes is recorded (in subprocesses too, through the recorder's sitecustomize).
if os.environ.get("AWS_CALL_LOG_DIR"):
    _RECORDER = str(REPO_ROOT / "examples" / "biotech-app" / "iam-check" / "recorder")
    sys.path.insert(0, _RECORDER)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_RECORDER, os.environ.get("PYTHONPATH")) if p)
    import aws_call_recorder

    aws_call_recorder.install()
    aws_call_recorder.write_sites(WORKER_DIR / "proteomics_worker")


def testdata_dir() -> Path:
    override = os.environ.get("PROTEOMICS_TESTDATA")
    path = Path(override) if override else TESTDATA
    if not (path / "BSA1.mzML.gz").is_file():
        pytest.fail(
            f"real test data not found at {path}: the repository keeps it in testdata/ms "
            "(is the clone complete?), or set PROTEOMICS_TESTDATA to a folder holding the same files",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="session")
def data() -> Path:
    return testdata_dir()


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run exactly what the container's ENTRYPOINT runs: python -m proteomics_worker."""
    full_env = dict(os.environ)
    full_env["PYTHONPATH"] = str(WORKER_DIR) + os.pathsep + full_env.get("PYTHONPATH", "")
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "proteomics_worker", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=str(WORKER_DIR),
        timeout=timeout,
        check=False,
    )


def schema(name: str, version: int = 2) -> dict[str, Any]:
    return json.loads((CONTRACTS / "schemas" / f"{name}.v{version}.schema.json").read_text(encoding="utf-8"))


def assert_valid(name: str, doc: Any, version: int | None = None) -> None:
    """Validate against the repository's contracts/ (not the worker's copy); default: the declared version."""
    if version is None:
        version = doc.get("schemaVersion", 2) if isinstance(doc, dict) else 2
    validator = Draft202012Validator(schema(name, version), format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]
    assert not problems, f"{name} document invalid: {problems[:5]}"


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def analyse(out: Path, inp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("analyse", "--input", str(inp), "--output", str(out), *extra)


@pytest.fixture(scope="session")
def bsa1(tmp_path_factory: pytest.TempPathFactory, data: Path) -> dict[str, Any]:
    """BSA1 analysed once with its FASTA and default parameters (shared by several tests)."""
    out = tmp_path_factory.mktemp("bsa1")
    proc = analyse(out, data / "BSA1.mzML.gz", "--fasta", str(data / "P02769_BSA.fasta"), "--file-id", "bsa1",
                   "--execution-name", "bsa1-exec-1")
    assert proc.returncode == 0, proc.stderr
    return {"dir": out, "summary": load_json(out / "summary.json"), "proc": proc}


def run_main(*args: str) -> tuple[int, str, str]:
    """Run the CLI's main() in this process (same code path as the entry point, no interpreter start-up)."""
    import contextlib
    import io

    from proteomics_worker.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()
