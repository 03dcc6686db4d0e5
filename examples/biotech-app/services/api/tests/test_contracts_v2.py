"""The API writes contracts v2 and reads results and completion events of v1 and v2."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from biotech_api.consumer import poll_once
from devtools.local_aws import LocalAws
from tests.conftest import REPO_ROOT
from tests.helpers import create_sample, make_data, put_json, register_file, upload_file


def _example(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((REPO_ROOT / "contracts/examples" / f"{name}.example.json").read_text())
    return doc


def _start(client: TestClient, h: dict[str, str], parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    sid = create_sample(client, h)["id"]
    f1 = upload_file(client, h, sid, register_file(client, h, sid, "BSA1.mzML", 10), make_data(10))
    f2 = upload_file(
        client, h, sid, register_file(client, h, sid, "blank.mgf", 10, proteinName=None), make_data(10)
    )
    body = {"parameters": parameters} if parameters is not None else {}
    r = client.post(f"/api/samples/{sid}/analyses", json=body, headers=h)
    assert r.status_code == 202, r.text
    return {"analysis": r.json(), "sid": sid, "files": [f1["id"], f2["id"]]}


def _get_json(aws: LocalAws, bucket: str, key: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    return doc


def test_manifest_and_execution_input_are_v2(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("v2-writer")
    params = {"variableModifications": ["Pyro-glu:Q"], "fdrThreshold": 0.05, "contaminants": False}
    started = _start(client, h, params)
    aid = started["analysis"]["id"]
    manifest = _get_json(aws, aws.uploads_bucket, f"manifests/{aid}.json")
    contract("analysis-manifest.v2.schema.json", manifest)
    assert manifest["schemaVersion"] == 2 and manifest["parameters"] == params
    first, second = manifest["files"]
    assert first["proteinName"] == "BSA" and first["name"] == "BSA1.mzML"
    assert "proteinName" not in second  # no protein name given: the field is left out
    sfn = aws.client("stepfunctions")
    arn = aws.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{aid}-1"
    exec_input = json.loads(sfn.describe_execution(executionArn=arn)["input"])
    contract("execution-input.v2.schema.json", exec_input)
    assert exec_input["schemaVersion"] == 2 and exec_input["attempt"] == 1


def test_parameters_outside_the_contract_get_422_naming_the_path(
    client: TestClient, auth: Any, aws: LocalAws
) -> None:
    h = auth("v2-refusals")
    sid = create_sample(client, h)["id"]
    upload_file(client, h, sid, register_file(client, h, sid, "x.mzML", 10), make_data(10))
    dup = {"variableModifications": ["Oxidation:M", "Oxidation:M"]}
    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": dup}, headers=h)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "validation_error"
    assert "$.parameters.variableModifications" in error["message"] and "non-unique" in error["message"]
    r = client.post(
        f"/api/samples/{sid}/analyses", json={"parameters": {"fragmentConfirmation": True}}, headers=h
    )
    assert r.status_code == 422 and "fragmentConfirmation" in r.json()["error"]["message"]
    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": {"fdrThreshold": 0.5}}, headers=h)
    assert r.status_code == 422 and "$.parameters.fdrThreshold" in r.json()["error"]["message"]
    # Nothing was started by the refusals.
    assert client.get(f"/api/samples/{sid}/analyses", headers=h).json()["items"] == []


def _publish(
    aws: LocalAws, analysis: dict[str, Any], files: list[str], version: int, contract: Any
) -> dict[str, Any]:
    """What the worker and the roll-up write, from the contract's own example fixtures."""
    aid = analysis["id"]
    ok, bad = files
    suffix = ".v2" if version == 2 else ""
    per_file = copy.deepcopy(_example(f"file-summary{suffix}"))
    per_file.update(analysisId=aid, fileId=ok)
    if version == 2:
        per_file["executionName"] = analysis["executionName"]
    contract(f"file-summary.v{version}.schema.json", per_file)
    prefix = f"analyses/{aid}/files/{ok}/"
    put_json(aws.client("s3"), aws.results_bucket, prefix + "summary.json", per_file)
    summary = copy.deepcopy(_example(f"analysis-summary{suffix}"))
    manifest = _get_json(aws, aws.uploads_bucket, f"manifests/{aid}.json")
    summary.update(
        analysisId=aid,
        sampleId=manifest["sampleId"],
        ownerId=manifest["ownerId"],
        fileCount=2,
        filesSucceeded=1,
        filesFailed=1,
        createdAt=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    entry = next(e for e in summary["files"] if e["status"] == "SUCCEEDED")
    entry.update(fileId=ok, summaryKey=prefix + "summary.json")
    summary["files"] = [entry, {"fileId": bad, "status": "FAILED", "reason": "no result written"}]
    if version == 2:
        summary["executionName"] = analysis["executionName"]
        summary.pop("rerunOf", None)
    contract(f"analysis-summary.v{version}.schema.json", summary)
    put_json(aws.client("s3"), aws.results_bucket, f"analyses/{aid}/summary.json", summary)
    return per_file


def _event(
    analysis: dict[str, Any], owner: str, version: int, contract: Any, **overrides: Any
) -> dict[str, Any]:
    detail: dict[str, Any] = copy.deepcopy(
        _example("completion-event.v2" if version == 2 else "completion-event")
    )
    detail.update(
        analysisId=analysis["id"],
        sampleId=analysis["sampleId"],
        ownerId=owner,
        status="PARTIAL",
        filesSucceeded=1,
        filesFailed=1,
        summaryKey=f"analyses/{analysis['id']}/summary.json",
    )
    detail.pop("cause", None)
    if version == 2:
        detail["executionName"] = analysis["executionName"]
        detail.pop("rerunOf", None)
    detail.update(overrides)
    contract(f"completion-event.v{version}.schema.json", detail)
    return {
        "version": "0",
        "id": f"e-{analysis['id']}",
        "source": "cdk-proteomics-platform",
        "detail-type": "Analysis Completed",
        "time": "2099-01-01T00:00:00Z",
        "detail": detail,
    }


def _deliver(aws: LocalAws, make_settings: Any, event: dict[str, Any]) -> None:
    from biotech_api.main import build_context

    aws.client("sqs").send_message(QueueUrl=aws.queue_url, MessageBody=json.dumps(event))
    ctx = build_context(make_settings(COMPLETION_QUEUE_URL=aws.queue_url))
    try:
        assert poll_once(ctx, wait_seconds=1) == 1
    finally:
        ctx.engine.dispose()


def test_v2_results_and_completion_event(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    h = auth("v2-reader")
    started = _start(client, h)
    analysis = started["analysis"]
    aid = analysis["id"]
    owner = client.get("/api/me", headers=h).json()["id"]
    per_file = _publish(aws, analysis, started["files"], 2, contract)

    # An event of another execution (an earlier start of the same id) is ignored.
    _deliver(aws, make_settings, _event(analysis, owner, 2, contract, executionName=f"{aid}-7"))
    assert client.get(f"/api/analyses/{aid}", headers=h).json()["status"] == "RUNNING"

    _deliver(aws, make_settings, _event(analysis, owner, 2, contract, estimatedCostUsd=0.0021))
    body = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert body["status"] == "PARTIAL"
    ok, bad = body["files"]
    assert ok["status"] == "SUCCEEDED" and bad["status"] == "FAILED"
    assert ok["summaryVersion"] == 2
    assert ok["coveragePercent"] == per_file["coverage"]["percent"]
    accepted = per_file["identification"]["accepted"]
    assert (ok["psmsAccepted"], ok["peptidesAccepted"], ok["proteinGroupsAccepted"]) == (
        accepted["psms"],
        accepted["peptides"],
        accepted["proteinGroups"],
    )
    assert ok["fdrEstimable"] is per_file["identification"]["fdr"]["estimable"]
    assert ok["fragmentConfirmedCoveragePercent"] is None
    assert ok["counts"]["psmsAccepted"] == per_file["counts"]["psmsAccepted"]
    assert client.get(f"/api/analyses/{aid}", headers=h).json()["estimatedCostUsd"] == 0.0021


def test_v1_results_and_completion_event_still_read(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    h = auth("v1-reader")
    started = _start(client, h)
    analysis = started["analysis"]
    aid = analysis["id"]
    owner = client.get("/api/me", headers=h).json()["id"]
    per_file = _publish(aws, analysis, started["files"], 1, contract)
    _deliver(aws, make_settings, _event(analysis, owner, 1, contract))
    body = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert body["status"] == "PARTIAL"
    ok = body["files"][0]
    assert ok["summaryVersion"] == 1
    assert ok["coveragePercent"] == per_file["coverage"]["precursorOnlyPercent"]
    assert ok["fragmentConfirmedCoveragePercent"] == per_file["coverage"]["fragmentConfirmedPercent"]
    assert ok["psmsAccepted"] is None and ok["fdrEstimable"] is None


def test_a_manifest_outside_the_contract_is_never_written(
    client: TestClient, auth: Any, aws: LocalAws
) -> None:
    """The whole manifest is validated before it is written; the analysis fails with the path."""
    from biotech_api import analyses as svc
    from biotech_api.errors import ApiError
    from biotech_api.models import Analysis, File

    h = auth("v2-bad-manifest")
    started = _start(client, h)
    aid = started["analysis"]["id"]
    s3 = aws.client("s3")
    s3.delete_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        # A name the contract refuses (a line break), slipped in behind the API's back.
        session.get(File, started["files"][0]).file_name = "bad\nname.mzML"
        analysis = session.get(Analysis, aid)
        analysis.start_state = "PENDING"
        session.commit()
        with pytest.raises(ApiError) as raised:
            svc.launch(ctx, session, analysis)
        assert raised.value.code == "invalid_manifest"
        assert "$.files[0].name" in raised.value.message
        assert analysis.status == "FAILED" and "$.files[0].name" in (analysis.cause or "")
    listed = s3.list_objects_v2(Bucket=aws.uploads_bucket, Prefix=f"manifests/{aid}")
    assert listed.get("KeyCount", 0) == 0


def test_a_v2_rollup_of_another_execution_is_not_taken() -> None:
    from biotech_api.analyses import _is_current
    from biotech_api.models import Analysis

    rollup = _example("analysis-summary.v2")
    analysis = Analysis(
        id=rollup["analysisId"],
        execution_name=rollup["executionName"],
        started_at=datetime(2099, 1, 1, tzinfo=UTC),  # the v1 time check alone would refuse it
    )
    assert _is_current(rollup, analysis)
    analysis.execution_name = rollup["analysisId"] + "-2"
    assert not _is_current(rollup, analysis)


def test_a_rerun_is_a_new_analysis_and_leaves_the_earlier_one_as_it_was(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    h = auth("v2-rerun")
    params = {"variableModifications": ["Oxidation:M"]}
    started = _start(client, h, params)
    first = started["analysis"]
    aid = first["id"]
    owner = client.get("/api/me", headers=h).json()["id"]
    _publish(aws, first, started["files"], 2, contract)
    _deliver(aws, make_settings, _event(first, owner, 2, contract))
    before = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert before["status"] == "PARTIAL"
    summary_before = _get_json(aws, aws.results_bucket, f"analyses/{aid}/summary.json")

    r = client.post(f"/api/analyses/{aid}/rerun", headers=h)
    assert r.status_code == 202, r.text
    rerun = r.json()
    rid = rerun["id"]
    assert rid != aid and rerun["rerunOf"] == aid
    assert rerun["attempt"] == 1 and rerun["executionName"] == f"{rid}-1"
    assert rerun["status"] == "RUNNING" and rerun["sampleId"] == first["sampleId"]

    manifest = _get_json(aws, aws.uploads_bucket, f"manifests/{rid}.json")
    contract("analysis-manifest.v2.schema.json", manifest)
    assert manifest["rerunOf"] == aid and manifest["analysisId"] == rid
    assert manifest["parameters"] == params
    assert [f["fileId"] for f in manifest["files"]] == started["files"]
    assert "rerunOf" not in _get_json(aws, aws.uploads_bucket, f"manifests/{aid}.json")

    # The earlier analysis, its row, its results and its roll-up are untouched.
    earlier = client.get(f"/api/analyses/{aid}", headers=h).json()
    assert (earlier["status"], earlier["attempt"], earlier["executionName"]) == ("PARTIAL", 1, f"{aid}-1")
    assert earlier["rerunOf"] is None and (earlier["filesSucceeded"], earlier["filesFailed"]) == (1, 1)
    # (presigned URLs differ per request; everything else must be the same)
    after = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    strip = [{k: v for k, v in f.items() if k != "downloads"} for f in before["files"]]
    assert [{k: v for k, v in f.items() if k != "downloads"} for f in after["files"]] == strip
    assert _get_json(aws, aws.results_bucket, f"analyses/{aid}/summary.json") == summary_before

    # Both are listed; the rerun's completion does not touch the earlier one.
    listed = client.get(f"/api/samples/{first['sampleId']}/analyses", headers=h).json()["items"]
    ids = [a["id"] for a in listed]
    assert sorted(ids) == sorted([aid, rid])
    # Rerunning the rerun while it runs is refused.
    assert client.post(f"/api/analyses/{rid}/rerun", headers=h).status_code == 409


def test_a_rerun_of_retired_parameters_is_refused(client: TestClient, auth: Any, aws: LocalAws) -> None:
    """An analysis started under contracts v1 with the retired fragment check cannot run again as is."""
    from biotech_api.models import Analysis

    h = auth("v2-rerun-retired")
    started = _start(client, h)
    aid = started["analysis"]["id"]
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        row = session.get(Analysis, aid)
        row.parameters = {"fragmentConfirmation": True}
        row.status = "SUCCEEDED"
        session.commit()
    r = client.post(f"/api/analyses/{aid}/rerun", headers=h)
    assert r.status_code == 422, r.text
    assert "fragmentConfirmation" in r.json()["error"]["message"]


def test_a_background_proteome_must_be_the_callers_own_object(
    client: TestClient, auth: Any, aws: LocalAws
) -> None:
    """The worker reads the key with its own role: another user's upload must not be nameable."""
    h = auth("v2-background")
    owner = client.get("/api/me", headers=h).json()["id"]
    sid = create_sample(client, h)["id"]
    upload_file(client, h, sid, register_file(client, h, sid, "x.mzML", 10), make_data(10))
    other = {"backgroundProteome": {"key": "uploads/someone-else/s1/f1/input.mzML"}}
    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": other}, headers=h)
    assert r.status_code == 422, r.text
    assert "$.parameters.backgroundProteome.key" in r.json()["error"]["message"]
    assert f"uploads/{owner}/" in r.json()["error"]["message"]
    mine = {"backgroundProteome": {"key": f"uploads/{owner}/host.fasta"}}
    r = client.post(f"/api/samples/{sid}/analyses", json={"parameters": mine}, headers=h)
    assert r.status_code == 202, r.text


def test_result_keys_are_pinned_to_their_analysis(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    """Keys read from a roll-up or an event are presigned only under ``analyses/<analysisId>/``."""
    h = auth("pinned-keys")
    started = _start(client, h)
    analysis = started["analysis"]
    aid = analysis["id"]
    _ok, bad = started["files"]
    owner = client.get("/api/me", headers=h).json()["id"]
    _publish(aws, analysis, started["files"], 2, contract)
    key = f"analyses/{aid}/summary.json"
    summary = _get_json(aws, aws.results_bucket, key)
    elsewhere = "analyses/a-someone-else/files/f-x/error.json"
    assert summary["files"][1]["fileId"] == bad
    summary["files"][1]["errorKey"] = f"analyses/{aid}/files/{bad}/../../../a-someone-else/error.json"
    contract("analysis-summary.v2.schema.json", summary)
    put_json(aws.client("s3"), aws.results_bucket, key, summary)
    put_json(aws.client("s3"), aws.results_bucket, elsewhere, {"secret": "another user's results"})

    # The event points at another analysis's roll-up: the API reads this analysis's own.
    event = _event(analysis, owner, 2, contract, summaryKey="analyses/a-someone-else/summary.json")
    _deliver(aws, make_settings, event)
    body = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    assert body["status"] == "PARTIAL"
    urls = [d["url"] for f in body["files"] for d in f["downloads"]]
    assert urls, "this analysis's own outputs are still listed"
    assert all(f"/analyses/{aid}/files/" in u for u in urls), urls
    assert not any("someone-else" in u or "/../" in u for u in urls), urls


def test_pinned_keys() -> None:
    from biotech_api.analyses import _pinned

    own = "analyses/a-1/files/f-1/"
    assert _pinned(own + "summary.json", own) == own + "summary.json"
    for key in (
        "analyses/a-2/files/f-1/summary.json",
        "uploads/u-other/s/f/input.mzML",
        own + "../../../a-2/summary.json",
        own + "./summary.json",
        own + "x//summary.json",
        own,
        None,
        42,
    ):
        assert _pinned(key, own) is None, key
