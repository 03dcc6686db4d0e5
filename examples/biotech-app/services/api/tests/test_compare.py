"""Compare analyses (#22 item 10): proteins side by side, one cell per requested analysis."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from devtools.local_aws import LocalAws
from tests.helpers import put_json
from tests.results_fixtures import finished, start_analysis


def test_compare_two_analyses(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    h = auth("compare-user")
    first = finished(client, h, aws, contract, sample_name="Lysozyme A")
    second = finished(client, h, aws, contract, sample_name="Lysozyme B")
    a1, a2 = first["analysis"]["id"], second["analysis"]["id"]
    # The second analysis's file reports BSA at another coverage and one more protein.
    s3 = aws.client("s3")
    key = f"analyses/{a2}/files/{second['files'][0]}/summary.json"
    doc = copy.deepcopy(second["summary"])
    bsa = doc["coverage"]["proteins"][0]
    bsa.update(percent=50.5, psms=10, peptides=7)
    extra = {
        **bsa,
        "accession": "CON_P00761",
        "description": "Trypsin",
        "percent": 12.0,
        "psms": 3,
        "peptides": 2,
    }
    doc["coverage"]["proteins"].append(extra)
    contract("file-summary.v2.schema.json", doc)
    put_json(s3, aws.results_bucket, key, doc)

    r = client.get(f"/api/compare?analysisIds={a2},{a1}", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(a["id"], a["sampleName"], a["status"]) for a in body["analyses"]] == [
        (a2, "Lysozyme B", "PARTIAL"),
        (a1, "Lysozyme A", "PARTIAL"),
    ]
    assert [p["accession"] for p in body["proteins"]] == ["CON_P00761", "P02769"]  # sorted by accession
    trypsin, albumin = body["proteins"]
    assert trypsin["description"] == "Trypsin"
    assert trypsin["cells"] == [{"analysisId": a2, "coveragePercent": 12.0, "psms": 3, "peptides": 2}, None]
    original = first["summary"]["coverage"]["proteins"][0]
    assert albumin["cells"] == [
        {"analysisId": a2, "coveragePercent": 50.5, "psms": 10, "peptides": 7},
        {
            "analysisId": a1,
            "coveragePercent": original["percent"],
            "psms": original["psms"],
            "peptides": original["peptides"],
        },
    ]


def test_compare_refusals(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    h = auth("compare-refusals")
    done = finished(client, h, aws, contract)
    aid = done["analysis"]["id"]
    for query in (
        f"analysisIds={aid}",
        f"analysisIds={aid},{aid}",
        "analysisIds=" + ",".join(f"a{n}" for n in range(11)),
    ):
        r = client.get(f"/api/compare?{query}", headers=h)
        assert r.status_code == 422 and r.json()["error"]["message"].startswith("analysisIds:"), r.text
    r = client.get("/api/compare", headers=h)
    assert r.status_code == 422 and "query.analysisIds" in r.json()["error"]["message"]
    other = finished(client, auth("compare-other"), aws, contract)["analysis"]["id"]
    r = client.get(f"/api/compare?analysisIds={aid},{other}", headers=h)
    assert r.status_code == 404
    running = start_analysis(client, h, sid=done["sid"])["analysis"]["id"]
    r = client.get(f"/api/compare?analysisIds={aid},{running}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "results_not_ready"


def test_cells_sum_counts_and_keep_the_best_coverage_over_files(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    from biotech_api.models import AnalysisResult

    h = auth("compare-files")
    first = finished(client, h, aws, contract, sample_name="two files")
    second = finished(client, h, aws, contract, sample_name="other")
    aid, bad = first["analysis"]["id"], first["files"][1]
    # The second file of the first analysis succeeds too, reporting BSA at a higher coverage.
    key = f"analyses/{aid}/files/{bad}/summary.json"
    doc = copy.deepcopy(first["summary"])
    doc["fileId"] = bad
    doc["coverage"]["proteins"] = [
        {**doc["coverage"]["proteins"][0], "percent": 61.0, "psms": 4, "peptides": 3}
    ]
    contract("file-summary.v2.schema.json", doc)
    put_json(aws.client("s3"), aws.results_bucket, key, doc)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        row = session.get(AnalysisResult, (aid, bad))
        row.status, row.summary_key = "SUCCEEDED", key
        session.commit()
    body = client.get(f"/api/compare?analysisIds={aid},{second['analysis']['id']}", headers=h).json()
    albumin = next(p for p in body["proteins"] if p["accession"] == "P02769")
    one = first["summary"]["coverage"]["proteins"][0]
    assert albumin["cells"][0] == {
        "analysisId": aid,
        "coveragePercent": 61.0,
        "psms": one["psms"] + 4,
        "peptides": one["peptides"] + 3,
    }
