"""Rerun with new parameters or only the failed files (#22 item 3)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from biotech_api.models import AnalysisResult
from devtools.local_aws import LocalAws
from tests.results_fixtures import finished


def _manifest(aws: LocalAws, aid: str) -> dict[str, Any]:
    body = aws.client("s3").get_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")["Body"].read()
    doc: dict[str, Any] = json.loads(body)
    return doc


def test_failed_files_only_with_new_parameters(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("rerun-failed")
    done = finished(client, h, aws, contract)
    aid, (_ok, bad) = done["analysis"]["id"], done["files"]
    before = client.get(f"/api/analyses/{aid}", headers=h).json()
    params = {"fdrThreshold": 0.05, "variableModifications": ["Oxidation:M"]}
    r = client.post(
        f"/api/analyses/{aid}/rerun", json={"parameters": params, "failedFilesOnly": True}, headers=h
    )
    assert r.status_code == 202, r.text
    rerun = r.json()
    assert rerun["rerunOf"] == aid and rerun["parameters"] == params and rerun["status"] == "RUNNING"
    manifest = _manifest(aws, rerun["id"])
    contract("analysis-manifest.v2.schema.json", manifest)
    assert [f["fileId"] for f in manifest["files"]] == [bad]
    assert manifest["parameters"] == params and manifest["rerunOf"] == aid
    results = client.get(f"/api/analyses/{rerun['id']}/results", headers=h).json()
    assert [f["fileId"] for f in results["files"]] == [bad]
    assert client.get(f"/api/analyses/{aid}", headers=h).json() == before  # the earlier one is untouched
    # The rerun is RUNNING: rerunning it is refused; another user cannot rerun either.
    r = client.post(f"/api/analyses/{rerun['id']}/rerun", json={"failedFilesOnly": True}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "analysis_running"
    r = client.post(f"/api/analyses/{aid}/rerun", json={"failedFilesOnly": True}, headers=auth("rerun-other"))
    assert r.status_code == 404


def test_no_body_is_the_same_files_and_parameters(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("rerun-same")
    done = finished(client, h, aws, contract)
    aid = done["analysis"]["id"]
    r = client.post(f"/api/analyses/{aid}/rerun", json={}, headers=h)
    assert r.status_code == 202, r.text
    manifest = _manifest(aws, r.json()["id"])
    assert [f["fileId"] for f in manifest["files"]] == done["files"] and manifest["parameters"] == {}


def test_nothing_to_rerun_and_bad_parameters(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("rerun-refusals")
    done = finished(client, h, aws, contract)
    aid = done["analysis"]["id"]
    r = client.post(f"/api/analyses/{aid}/rerun", json={"parameters": {"fdrThreshold": 0.5}}, headers=h)
    assert r.status_code == 422 and "$.parameters.fdrThreshold" in r.json()["error"]["message"]
    r = client.post(f"/api/analyses/{aid}/rerun", json={"failedFilesOnly": "maybe"}, headers=h)
    assert r.status_code == 422 and "failedFilesOnly" in r.json()["error"]["message"]
    other = {"backgroundProteome": {"key": "uploads/someone-else/x.fasta"}}
    r = client.post(f"/api/analyses/{aid}/rerun", json={"parameters": other}, headers=h)
    assert r.status_code == 422 and "backgroundProteome" in r.json()["error"]["message"]
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        for row in session.query(AnalysisResult).filter(AnalysisResult.analysis_id == aid):
            row.status = "SUCCEEDED"
        session.commit()
    r = client.post(f"/api/analyses/{aid}/rerun", json={"failedFilesOnly": True}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "nothing_to_rerun"
    assert "failedFilesOnly" in r.json()["error"]["message"]
    listed = client.get(f"/api/samples/{done['sid']}/analyses", headers=h).json()["items"]
    assert [a["id"] for a in listed] == [aid]  # none of the refusals started anything
