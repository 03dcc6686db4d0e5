"""End to end: register → presign → PUT parts to S3 → complete → analyse → status → results."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from biotech_api.config import MIB
from biotech_api.consumer import poll_once
from devtools.local_aws import LocalAws, set_execution_status
from tests.conftest import REPO_ROOT
from tests.helpers import create_sample, make_data, put_json, register_file, upload_file

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16
FASTA = ">sp|P02769|ALBU_BOVIN Albumin\nMKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGE\n"


def _file_summary(analysis_id: str, file_id: str) -> dict[str, Any]:
    example = json.loads((REPO_ROOT / "contracts/examples/file-summary.example.json").read_text())
    doc = copy.deepcopy(example)
    doc["analysisId"] = analysis_id
    doc["fileId"] = file_id
    return doc


def _publish_results(
    aws: LocalAws, analysis: dict[str, Any], ok_file: str, bad_file: str, contract: Any
) -> dict[str, Any]:
    """Write what the worker and roll-up would write for a PARTIAL analysis."""
    s3 = aws.client("s3")
    aid = analysis["id"]
    prefix = f"analyses/{aid}/files/{ok_file}/"
    per_file = _file_summary(aid, ok_file)
    contract("file-summary.v1.schema.json", per_file)
    put_json(s3, aws.results_bucket, prefix + "summary.json", per_file)
    s3.put_object(
        Bucket=aws.results_bucket, Key=prefix + "peptides.csv", Body=b"peptide,start\nLVNELTEFAK,1\n"
    )
    s3.put_object(Bucket=aws.results_bucket, Key=prefix + "spectra.parquet", Body=b"PAR1")
    s3.put_object(Bucket=aws.results_bucket, Key=prefix + "tic_bpc.png", Body=PNG, ContentType="image/png")
    error_key = f"analyses/{aid}/files/{bad_file}/error.json"
    put_json(s3, aws.results_bucket, error_key, {"errorCode": "TRUNCATED"})
    summary = {
        "schemaVersion": 1,
        "analysisId": aid,
        "sampleId": analysis["sampleId"],
        "ownerId": json.loads(
            s3.get_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")["Body"].read()
        )["ownerId"],
        "status": "PARTIAL",
        "fileCount": 2,
        "filesSucceeded": 1,
        "filesFailed": 1,
        "files": [
            {
                "fileId": ok_file,
                "status": "SUCCEEDED",
                "summaryKey": prefix + "summary.json",
                "experimentType": "peptide_map",
                "precursorOnlyCoveragePercent": 42.3,
                "fragmentConfirmedCoveragePercent": 30.1,
            },
            {"fileId": bad_file, "status": "FAILED", "errorKey": error_key, "reason": "input ends early"},
        ],
        "createdAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    contract("analysis-summary.v1.schema.json", summary)
    put_json(s3, aws.results_bucket, f"analyses/{aid}/summary.json", summary)
    return per_file


def _execution(aws: LocalAws, name: str) -> dict[str, Any]:
    sfn = aws.client("stepfunctions")
    arn = aws.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name
    return dict(sfn.describe_execution(executionArn=arn))


def _executions_named(aws: LocalAws, prefix: str) -> list[str]:
    sfn = aws.client("stepfunctions")
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=aws.state_machine_arn)["executions"]]
    return [n for n in names if n.startswith(prefix)]


def test_full_flow(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    h = auth("flow-user", email="flow@example.org", name="Flow User")
    sample = create_sample(client, h)
    sid = sample["id"]

    # Two files: one with two parts (5 MiB + 1 KiB), one small single-part file.
    big = make_data(5 * MIB + 1024, seed=3)
    created1 = register_file(client, h, sid, "BSA1.mzML.gz", len(big), sequence=FASTA)
    assert created1["upload"] == {"partSizeBytes": 5 * MIB, "partCount": 2}
    assert created1["file"]["status"] == "UPLOADING"

    # Resume support: after PUTting part 1 only, ListParts reports it.
    fid1 = created1["file"]["id"]
    r = client.post(f"/api/samples/{sid}/files/{fid1}/parts", json={"partNumbers": [1]}, headers=h)
    assert r.status_code == 200
    url = r.json()["parts"][0]["url"]
    assert "X-Amz-Signature" in url and r.json()["parts"][0]["expiresAt"]
    assert httpx.put(url, content=big[: 5 * MIB]).status_code == 200
    r = client.get(f"/api/samples/{sid}/files/{fid1}/parts", headers=h)
    assert r.status_code == 200
    assert [(p["partNumber"], p["sizeBytes"]) for p in r.json()["parts"]] == [(1, 5 * MIB)]

    # While a file is UPLOADING an analysis is refused.
    r = client.post(f"/api/samples/{sid}/analyses", json={}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "upload_in_progress"

    file1 = upload_file(client, h, sid, created1, big)
    assert file1["status"] == "UPLOADED"
    small = b"BEGIN IONS\nPEPMASS=500.0\nEND IONS\n"
    created2 = register_file(client, h, sid, "blank.MGF", len(small))
    file2 = upload_file(client, h, sid, created2, small)
    fid2 = file2["id"]

    # Completing again is harmless.
    r = client.post(
        f"/api/samples/{sid}/files/{fid1}/complete",
        json={"parts": [{"partNumber": 1, "etag": "x"}]},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["status"] == "UPLOADED"

    # The object sits under a server-chosen key, never the client's file name.
    s3 = aws.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=aws.uploads_bucket, Prefix="uploads/")["Contents"]]
    assert any(k.endswith(f"/{sid}/{fid1}/input.mzML.gz") for k in keys)
    assert any(k.endswith(f"/{sid}/{fid2}/input.mgf") for k in keys)
    assert not any("BSA1" in k or "blank" in k for k in keys)

    r = client.get(f"/api/samples/{sid}", headers=h)
    assert r.json()["fileCount"] == 2 and len(r.json()["files"]) == 2

    # Start with parameters and an Idempotency-Key; a retry returns the same analysis.
    params = {"enzyme": "trypsin", "missedCleavages": 1, "fixedModifications": ["Carbamidomethyl:C"]}
    r = client.post(
        f"/api/samples/{sid}/analyses", json={"parameters": params}, headers={**h, "Idempotency-Key": "k-1"}
    )
    assert r.status_code == 202, r.text
    analysis = r.json()
    aid = analysis["id"]
    assert analysis["status"] == "RUNNING" and analysis["attempt"] == 1
    assert analysis["executionName"] == f"{aid}-1"
    assert analysis["parameters"] == params  # what the manifest carries (checked below)
    r2 = client.post(
        f"/api/samples/{sid}/analyses", json={"parameters": params}, headers={**h, "Idempotency-Key": "k-1"}
    )
    assert r2.status_code == 202 and r2.json()["id"] == aid
    assert _executions_named(aws, aid) == [f"{aid}-1"]

    # Manifest and execution input follow the contracts.
    manifest = json.loads(
        s3.get_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")["Body"].read()
    )
    contract("analysis-manifest.v2.schema.json", manifest)
    assert manifest["parameters"] == params
    assert [f["fileId"] for f in manifest["files"]] == [fid1, fid2]
    seq_key = manifest["files"][0]["sequence"]["key"]
    assert seq_key == manifest["files"][0]["key"].rsplit("/", 1)[0] + "/sequence.fasta"
    assert s3.get_object(Bucket=aws.uploads_bucket, Key=seq_key)["Body"].read().decode() == FASTA.strip()
    assert manifest["files"][0]["format"] == "mzML.gz" and manifest["files"][1]["format"] == "mgf"
    execution = _execution(aws, f"{aid}-1")
    exec_input = json.loads(execution["input"])
    contract("execution-input.v2.schema.json", exec_input)
    assert exec_input["manifestKey"] == f"manifests/{aid}.json" and exec_input["fileCount"] == 2

    # While running: status RUNNING and no download links yet.
    r = client.get(f"/api/analyses/{aid}", headers=h)
    assert r.json()["status"] == "RUNNING"
    r = client.get(f"/api/analyses/{aid}/results", headers=h)
    assert r.status_code == 200
    assert {f["status"] for f in r.json()["files"]} == {"RUNNING"}

    # The pipeline finishes (PARTIAL); the API learns it through DescribeExecution.
    per_file = _publish_results(aws, analysis, fid1, fid2, contract)
    set_execution_status(execution["executionArn"], "SUCCEEDED")
    r = client.get(f"/api/analyses/{aid}", headers=h)
    body = r.json()
    assert body["status"] == "PARTIAL", body
    assert (body["filesSucceeded"], body["filesFailed"]) == (1, 1)
    assert body["completedAt"]

    r = client.get(f"/api/analyses/{aid}/results", headers=h)
    assert r.status_code == 200
    results = r.json()
    assert results["status"] == "PARTIAL"
    ok, bad = results["files"]
    assert ok["fileId"] == fid1 and ok["fileName"] == "BSA1.mzML.gz" and ok["proteinName"] == "BSA"
    # The file's own summary.json is the detailed source: its coverage and counts are reported.
    assert ok["status"] == "SUCCEEDED"
    assert ok["coveragePercent"] == per_file["coverage"]["precursorOnlyPercent"]
    assert ok["fragmentConfirmedCoveragePercent"] == per_file["coverage"]["fragmentConfirmedPercent"]
    assert ok["experimentType"] == per_file["experimentType"]
    assert ok["counts"]["spectra"] == per_file["counts"]["spectra"]
    outputs = [d["output"] for d in ok["downloads"]]
    assert outputs == ["summary.json"] + [o["name"] for o in per_file["outputs"]]
    assert "tic_bpc.png" in outputs
    png = next(d for d in ok["downloads"] if d["output"] == "tic_bpc.png")
    assert png["kind"] == "plot" and png["name"] == "BSA-digest_BSA_BSA1_tic_bpc.png"
    got = httpx.get(png["url"])
    assert got.status_code == 200 and got.content == PNG
    assert got.headers["content-disposition"] == 'inline; filename="BSA-digest_BSA_BSA1_tic_bpc.png"'
    assert bad["status"] == "FAILED" and bad["reason"] == "input ends early"
    assert [(d["output"], d["kind"]) for d in bad["downloads"]] == [("error.json", "error")]

    r = client.get(f"/api/samples/{sid}/analyses", headers=h)
    assert [a["id"] for a in r.json()["items"]] == [aid]

    # Rerun: a new analysis (new id, attempt 1, rerunOf); rerunning the rerun while it runs is refused.
    r = client.post(f"/api/analyses/{aid}/rerun", headers=h)
    assert r.status_code == 202, r.text
    rid = r.json()["id"]
    assert rid != aid and r.json()["rerunOf"] == aid
    assert r.json()["attempt"] == 1 and r.json()["executionName"] == f"{rid}-1"
    assert r.json()["status"] == "RUNNING" and r.json()["filesSucceeded"] == 0
    assert _executions_named(aws, aid) == [f"{aid}-1"] and _executions_named(aws, rid) == [f"{rid}-1"]
    assert client.post(f"/api/analyses/{rid}/rerun", headers=h).status_code == 409
    contract("execution-input.v2.schema.json", json.loads(_execution(aws, f"{rid}-1")["input"]))

    # The rerun fails in Step Functions without writing a summary of its own: the API reports it
    # FAILED with the cause, and the earlier analysis keeps its status and results.
    set_execution_status(_execution(aws, f"{rid}-1")["executionArn"], "FAILED", "States.TaskFailed", "boom")
    body = client.get(f"/api/analyses/{rid}", headers=h).json()
    assert body["status"] == "FAILED" and "boom" in body["cause"]
    res = client.get(f"/api/analyses/{rid}/results", headers=h).json()
    assert {f["status"] for f in res["files"]} == {"FAILED"}
    earlier = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert earlier["status"] == "PARTIAL"
    assert [f["status"] for f in earlier["files"]] == ["SUCCEEDED", "FAILED"]
    assert earlier["files"][0]["coveragePercent"] == per_file["coverage"]["precursorOnlyPercent"]


def test_start_refusals_and_limits(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("limit-user")
    sid = create_sample(client, h)["id"]
    r = client.post(f"/api/samples/{sid}/analyses", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_files"

    created = register_file(client, h, sid, "a.mzML", 100)
    upload_file(client, h, sid, created, make_data(100))
    # An aborted file does not block analyses.
    aborted = register_file(client, h, sid, "b.mzXML", 100)
    fid = aborted["file"]["id"]
    assert client.post(f"/api/samples/{sid}/files/{fid}/abort", headers=h).status_code == 204
    assert client.post(f"/api/samples/{sid}/files/{fid}/abort", headers=h).status_code == 204
    assert client.get(f"/api/samples/{sid}", headers=h).json()["fileCount"] == 1

    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": {"bogus": 1}}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": {"missedCleavages": 9}}, headers=h)
    assert r.status_code == 422

    # The limit is 2 running analyses per user: the third is refused with 429.
    assert client.post(f"/api/samples/{sid}/analyses", headers=h).status_code == 202
    assert client.post(f"/api/samples/{sid}/analyses", headers=h).status_code == 202
    r = client.post(f"/api/samples/{sid}/analyses", headers=h)
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_analyses"
    assert r.headers["Retry-After"]
    # An Idempotency-Key repeat of a started analysis is not a new analysis (no 429).
    items = client.get(f"/api/samples/{sid}/analyses", headers=h).json()["items"]
    assert len(items) == 2

    # When one finishes, a new one may start.
    first = items[-1]
    set_execution_status(_execution(aws, first["executionName"])["executionArn"], "SUCCEEDED")
    r = client.post(f"/api/samples/{sid}/analyses", headers=h)
    assert r.status_code == 202, r.text
    # The first had no summary.json: reported as FAILED with a cause.
    first_now = client.get(f"/api/analyses/{first['id']}", headers=h).json()
    assert first_now["status"] == "FAILED" and first_now["cause"]

    # Deleting a sample with a running analysis is refused.
    r = client.delete(f"/api/samples/{sid}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "analysis_running"


def test_execution_already_exists_is_success(
    client: TestClient, auth: Any, aws: LocalAws, make_settings: Any
) -> None:
    """A start whose execution already exists (a retried request) reuses it."""
    from biotech_api import analyses as svc
    from biotech_api.models import Analysis

    h = auth("retry-user")
    sid = create_sample(client, h)["id"]
    upload_file(client, h, sid, register_file(client, h, sid, "x.mzML", 10), make_data(10))
    r = client.post(f"/api/samples/{sid}/analyses", headers={**h, "Idempotency-Key": "retry-1"})
    aid = r.json()["id"]
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        analysis = session.get(Analysis, aid)
        analysis.start_state = "PENDING"
        session.commit()
        svc.launch(ctx, session, analysis)
        assert analysis.start_state == "STARTED"
        assert analysis.execution_arn.endswith(f":{aid}-1")
    assert _executions_named(aws, aid) == [f"{aid}-1"]
    # Same key again: same analysis, still one execution.
    r = client.post(f"/api/samples/{sid}/analyses", headers={**h, "Idempotency-Key": "retry-1"})
    assert r.status_code == 202 and r.json()["id"] == aid
    assert _executions_named(aws, aid) == [f"{aid}-1"]
    # The same key for another sample is refused.
    other = create_sample(client, h)["id"]
    upload_file(client, h, other, register_file(client, h, other, "y.mzML", 10), make_data(10))
    r = client.post(f"/api/samples/{other}/analyses", headers={**h, "Idempotency-Key": "retry-1"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "idempotency_key_reused"


def test_completion_queue(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    """With COMPLETION_QUEUE_URL set, the EventBridge event delivered to SQS completes the analysis."""
    from biotech_api.main import build_context

    h = auth("queue-user")
    sid = create_sample(client, h)["id"]
    f1 = upload_file(client, h, sid, register_file(client, h, sid, "q1.mzML", 10), make_data(10))
    f2 = upload_file(client, h, sid, register_file(client, h, sid, "q2.mzML", 10), make_data(10))
    analysis = client.post(f"/api/samples/{sid}/analyses", headers=h).json()
    aid = analysis["id"]
    _publish_results(aws, analysis, f1["id"], f2["id"], contract)
    owner = client.get("/api/me", headers=h).json()["id"]
    detail = {
        "schemaVersion": 1,
        "analysisId": aid,
        "sampleId": sid,
        "ownerId": owner,
        "status": "PARTIAL",
        "filesSucceeded": 1,
        "filesFailed": 1,
        "summaryKey": f"analyses/{aid}/summary.json",
    }
    contract("completion-event.v1.schema.json", detail)
    event = {
        "version": "0",
        "id": "e1",
        "source": "cdk-proteomics-platform",
        "detail-type": "Analysis Completed",
        "time": "2099-01-01T00:00:00Z",
        "detail": detail,
    }
    sqs = aws.client("sqs")
    sqs.send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(event))
    sqs.send_message(QueueUrl=aws.queue_url, MessageBody="not json")
    ctx = build_context(make_settings(COMPLETION_QUEUE_URL=aws.queue_url))
    try:
        assert poll_once(ctx, wait_seconds=1) == 2
    finally:
        ctx.engine.dispose()
    # The queue is drained (both messages deleted), and the analysis is complete without polling SFN.
    assert "Messages" not in sqs.receive_message(QueueUrl=aws.queue_url, WaitTimeSeconds=0)
    body = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert body["status"] == "PARTIAL"
    assert [f["status"] for f in body["files"]] == ["SUCCEEDED", "FAILED"]


def test_upload_errors(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("upload-errors")
    sid = create_sample(client, h)["id"]
    for name in ("notes.txt", "data.raw", ".mzML", "x.mzML.zip"):
        r = client.post(f"/api/samples/{sid}/files", json={"fileName": name, "sizeBytes": 10}, headers=h)
        assert r.status_code == 400 and r.json()["error"]["code"] == "unsupported_file_type", name
    r = client.post(f"/api/samples/{sid}/files", json={"fileName": "a.mzML", "sizeBytes": 0}, headers=h)
    assert r.status_code == 422
    r = client.post(
        f"/api/samples/{sid}/files", json={"fileName": "a.mzML", "sizeBytes": 11 * 1024 * MIB}, headers=h
    )
    assert r.status_code == 413
    r = client.post(f"/api/samples/{sid}/files", json={"fileName": "a\nb.mzML", "sizeBytes": 10}, headers=h)
    assert r.status_code == 422

    created = register_file(client, h, sid, "A.MZML", 12 * MIB)
    assert created["upload"] == {"partSizeBytes": 5 * MIB, "partCount": 3}
    fid = created["file"]["id"]
    base = f"/api/samples/{sid}/files/{fid}"
    assert client.post(f"{base}/parts", json={"partNumbers": [4]}, headers=h).status_code == 400
    assert client.post(f"{base}/parts", json={"partNumbers": []}, headers=h).status_code == 422
    assert (
        client.post(f"{base}/parts", json={"partNumbers": list(range(1, 102))}, headers=h).status_code == 422
    )
    assert client.post(f"{base}/parts", json={"partNumbers": [0]}, headers=h).status_code == 422
    # Wrong part list / unknown ETags.
    r = client.post(f"{base}/complete", json={"parts": [{"partNumber": 1, "etag": '"x"'}]}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_parts"
    bogus = [{"partNumber": n, "etag": '"0123"'} for n in (1, 2, 3)]
    r = client.post(f"{base}/complete", json={"parts": bogus}, headers=h)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_parts"
    assert client.post(f"{base}/abort", headers=h).status_code == 204
    assert client.post(f"{base}/parts", json={"partNumbers": [1]}, headers=h).status_code == 409
    assert client.get(f"{base}/parts", headers=h).status_code == 409

    # Declared size differs from the bytes sent: refused, file ABORTED, object removed.
    created = register_file(client, h, sid, "short.mgf", 100)
    fid = created["file"]["id"]
    r = client.post(f"/api/samples/{sid}/files/{fid}/parts", json={"partNumbers": [1]}, headers=h)
    put = httpx.put(r.json()["parts"][0]["url"], content=b"x" * 60)
    r = client.post(
        f"/api/samples/{sid}/files/{fid}/complete",
        json={"parts": [{"partNumber": 1, "etag": put.headers["ETag"]}]},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "size_mismatch"
    files = client.get(f"/api/samples/{sid}", headers=h).json()["files"]
    assert next(f for f in files if f["id"] == fid)["status"] == "ABORTED"


def test_delete_sample_aborts_unfinished_uploads(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("delete-unfinished")
    sid = create_sample(client, h)["id"]
    created = register_file(client, h, sid, "half.mzML", 12 * MIB)
    s3 = aws.client("s3")
    uploads = s3.list_multipart_uploads(Bucket=aws.uploads_bucket).get("Uploads", [])
    assert created["file"]["id"] in "".join(u["Key"] for u in uploads)
    assert client.delete(f"/api/samples/{sid}", headers=h).status_code == 204
    uploads = s3.list_multipart_uploads(Bucket=aws.uploads_bucket).get("Uploads", [])
    assert created["file"]["id"] not in "".join(u["Key"] for u in uploads)


@pytest.mark.parametrize(
    "header",
    ["", "has space", "x" * 256],
)
def test_bad_idempotency_key(client: TestClient, auth: Any, header: str) -> None:
    h = auth("idem-user")
    sid = create_sample(client, h)["id"]
    r = client.post(f"/api/samples/{sid}/analyses", headers={**h, "Idempotency-Key": header})
    assert r.status_code == 400
