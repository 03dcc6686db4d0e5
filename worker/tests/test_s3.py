"""S3 mode against a local moto server (127.0.0.1 only), through the real entry point."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import assert_valid, run_cli

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

UPLOADS = "uploads-bucket"
RESULTS = "results-bucket"
AID = "an-s3-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3env(data: Path) -> Iterator[dict[str, Any]]:
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {
        "EXECUTION_NAME": f"{AID}-1",
        "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    s3 = boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL_S3"],
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket=UPLOADS)
    s3.create_bucket(Bucket=RESULTS, ObjectLockEnabledForBucket=True)
    up = "uploads/owner1/sample1/"
    s3.upload_file(str(data / "pyteomics_test.mgf"), UPLOADS, up + "a.mgf")
    s3.upload_file(str(data / "pyteomics_tiny.pwiz.1.1.mzML"), UPLOADS, up + "tiny.mzML")
    s3.upload_file(str(data / "ms_deisotope_only_ms2_mzml.mzML"), UPLOADS, up + "ms2only.mzML")
    s3.put_object(
        Bucket=UPLOADS,
        Key=up + "broken.mzML",
        Body=b'<?xml version="1.0"?><mzML><run><spectrumList count="1"><spectrum',
    )
    s3.upload_file(str(data / "pyteomics_test.fasta"), UPLOADS, up + "test.fasta")
    bsa = "".join(ln for ln in (data / "P02769_BSA.fasta").read_text().splitlines() if not ln.startswith(">"))
    # a stand-in host proteome: one protein unlike the contaminants (BSA itself is one of them)
    s3.put_object(Bucket=UPLOADS, Key=up + "background.fasta", Body=f">HOST_1 stand-in\n{bsa[::-1]}\n".encode())
    manifest = {
        "schemaVersion": 2,
        "analysisId": AID,
        "sampleId": "sample1",
        "ownerId": "owner1",
        "createdAt": "2026-03-01T10:00:00Z",
        "parameters": {"precursorTolerancePpm": 20, "backgroundProteome": {"key": up + "background.fasta"}},
        "files": [
            {"fileId": "f1", "key": up + "a.mgf", "format": "mgf", "sequence": {"fasta": ">t\nTESTPEPTIDEK\n"}},
            {"fileId": "f2", "key": up + "tiny.mzML", "format": "mzML", "sequence": {"key": up + "test.fasta"}},
            {"fileId": "f3", "key": up + "broken.mzML", "format": "mzML"},
            {"fileId": "f4", "key": up + "ms2only.mzML", "format": "mzML", "name": "MS2 only"},
            {"fileId": "f5", "key": up + "missing.mzML", "format": "mzML"},
        ],
    }
    assert_valid("analysis-manifest", manifest)
    s3.put_object(Bucket=UPLOADS, Key=f"manifests/{AID}.json", Body=json.dumps(manifest).encode())
    try:
        yield {"env": env, "s3": s3, "manifest": manifest}
    finally:
        server.stop()


def _get(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def _exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return True
    except Exception:
        return False


MANIFEST_URL = f"s3://{UPLOADS}/manifests/{AID}.json"
FILES_URL = f"s3://{RESULTS}/analyses/{AID}/files/"
RESULTS_URL = f"s3://{RESULTS}/analyses/{AID}/"


def test_1_chunk_writes_chunk_manifests(s3env: dict[str, Any]) -> None:
    proc = run_cli("chunk", "--manifest", MANIFEST_URL, "--chunk-size", "2", env=s3env["env"])
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out == {
        "chunkCount": 3,
        "manifestKeys": [
            f"manifests/{AID}/chunk-0.json",
            f"manifests/{AID}/chunk-1.json",
            f"manifests/{AID}/chunk-2.json",
        ],
    }
    firsts = []
    for key in out["manifestKeys"]:
        doc = _get(s3env["s3"], UPLOADS, key)
        assert_valid("chunk-manifest", doc)
        assert doc["chunkCount"] == 3 and doc["parameters"] == s3env["manifest"]["parameters"]
        assert doc["schemaVersion"] == 2
        firsts.append((doc["firstFileIndex"], [f["fileId"] for f in doc["files"]]))
    assert firsts == [(0, ["f1", "f2"]), (2, ["f3", "f4"]), (4, ["f5"])]


def test_2_batch_chunk_task_with_two_files(s3env: dict[str, Any]) -> None:
    env = dict(s3env["env"], AWS_BATCH_JOB_ARRAY_INDEX="0")
    proc = run_cli(
        "batch",
        "--manifest",
        f"s3://{UPLOADS}/manifests/{AID}/chunk-0.json",
        "--output",
        FILES_URL,
        "--files-per-task",
        "2",
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    s3 = s3env["s3"]
    for fid in ("f1", "f2"):
        summary = _get(s3, RESULTS, f"analyses/{AID}/files/{fid}/summary.json")
        assert_valid("file-summary", summary)
        assert summary["fileId"] == fid and summary["analysisId"] == AID
        assert summary["parameters"]["precursorTolerancePpm"] == 20
        assert summary["coverage"] is not None
        assert summary["executionName"] == f"{AID}-1"  # from EXECUTION_NAME, as the job sets it
        # the manifest's background proteome was downloaded and searched as extra targets
        assert summary["identification"]["database"]["backgroundProteins"] == 1
        for out in summary["outputs"]:
            assert _exists(s3, RESULTS, f"analyses/{AID}/files/{fid}/{out['name']}")
    assert not _exists(s3, RESULTS, f"analyses/{AID}/files/f3/summary.json")


def test_3_batch_array_index_selects_entries_and_fails_on_bad_file(s3env: dict[str, Any]) -> None:
    env = dict(s3env["env"], AWS_BATCH_JOB_ARRAY_INDEX="1")
    proc = run_cli("batch", "--manifest", MANIFEST_URL, "--output", FILES_URL, "--files-per-task", "2", env=env)
    assert proc.returncode != 0  # f3 is broken
    s3 = s3env["s3"]
    err = _get(s3, RESULTS, f"analyses/{AID}/files/f3/error.json")
    assert_valid("file-error", err)
    assert err["errorCode"] == "TRUNCATED" and err["fileId"] == "f3"
    assert not _exists(s3, RESULTS, f"analyses/{AID}/files/f3/summary.json")
    summary = _get(s3, RESULTS, f"analyses/{AID}/files/f4/summary.json")
    assert_valid("file-summary", summary)
    assert summary["input"]["name"] == "MS2 only"


def test_4_rollup_partial_with_missing_result(s3env: dict[str, Any]) -> None:
    proc = run_cli("rollup", "--manifest", MANIFEST_URL, "--results", RESULTS_URL, env=s3env["env"])
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    stored = _get(s3env["s3"], RESULTS, f"analyses/{AID}/summary.json")
    assert printed == stored
    assert_valid("analysis-summary", stored)
    assert stored["status"] == "PARTIAL"
    assert (stored["fileCount"], stored["filesSucceeded"], stored["filesFailed"]) == (5, 3, 2)
    rows = {r["fileId"]: r for r in stored["files"]}
    assert rows["f1"]["summaryKey"] == f"analyses/{AID}/files/f1/summary.json"
    assert rows["f3"]["errorKey"] == f"analyses/{AID}/files/f3/error.json"
    assert rows["f3"]["errorCode"] == "TRUNCATED"
    assert rows["f5"] == {"fileId": "f5", "status": "FAILED", "reason": "no result written"}
    assert stored["executionName"] == f"{AID}-1"
    # a later execution (same analysis id) finds only the earlier execution's files: none counts
    env2 = dict(s3env["env"], EXECUTION_NAME=f"{AID}-2")
    proc = run_cli("rollup", "--manifest", MANIFEST_URL, "--results", RESULTS_URL, env=env2)
    assert proc.returncode == 0, proc.stderr
    later = json.loads(proc.stdout)
    assert later["executionName"] == f"{AID}-2" and later["filesSucceeded"] == 0 and later["status"] == "FAILED"
    assert all(f"{AID}-1" in r["reason"] for r in later["files"] if r["fileId"] != "f5")
    # leave the stored roll-up as this execution wrote it
    proc = run_cli("rollup", "--manifest", MANIFEST_URL, "--results", RESULTS_URL, env=s3env["env"])
    assert proc.returncode == 0, proc.stderr


def test_5_download_failure_is_recorded(s3env: dict[str, Any]) -> None:
    env = dict(s3env["env"], AWS_BATCH_JOB_ARRAY_INDEX="4")
    proc = run_cli("batch", "--manifest", MANIFEST_URL, "--output", FILES_URL, env=env)
    assert proc.returncode != 0
    err = _get(s3env["s3"], RESULTS, f"analyses/{AID}/files/f5/error.json")
    assert_valid("file-error", err)
    assert err["errorCode"] == "DOWNLOAD_FAILED"
    # an index past the end has nothing to do and succeeds
    env = dict(s3env["env"], AWS_BATCH_JOB_ARRAY_INDEX="9")
    assert run_cli("batch", "--manifest", MANIFEST_URL, "--output", FILES_URL, env=env).returncode == 0


def test_6_every_result_object_carries_a_sha256_checksum(s3env: dict[str, Any]) -> None:
    s3 = s3env["s3"]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=RESULTS)["Contents"]]
    assert len(keys) >= 10
    for key in keys:
        head = s3.head_object(Bucket=RESULTS, Key=key, ChecksumMode="ENABLED")
        assert head.get("ChecksumSHA256"), key


def test_7_analyse_reads_and_writes_s3_urls(s3env: dict[str, Any]) -> None:
    proc = run_cli(
        "analyse",
        "--input",
        f"s3://{UPLOADS}/uploads/owner1/sample1/a.mgf",
        "--fasta",
        f"s3://{UPLOADS}/uploads/owner1/sample1/test.fasta",
        "--output",
        # Under analyses/, where the deployed worker role may write (the IAM check evaluates it).
        f"s3://{RESULTS}/analyses/adhoc/files/a/",
        env=s3env["env"],
    )
    assert proc.returncode == 0, proc.stderr
    summary = _get(s3env["s3"], RESULTS, "analyses/adhoc/files/a/summary.json")
    assert_valid("file-summary", summary)


def test_8_bad_manifest_is_rejected(s3env: dict[str, Any]) -> None:
    s3env["s3"].put_object(Bucket=UPLOADS, Key="manifests/bad.json", Body=b'{"schemaVersion": 2}')
    proc = run_cli("batch", "--manifest", f"s3://{UPLOADS}/manifests/bad.json", "--output", FILES_URL, env=s3env["env"])
    assert proc.returncode == 2
    assert "BAD_MANIFEST" in proc.stderr
