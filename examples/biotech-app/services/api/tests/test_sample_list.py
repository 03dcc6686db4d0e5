"""The samples list (#22 item 1): search, latest-analysis status, paging, in one SQL statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from biotech_api.models import Analysis, new_id
from tests.helpers import create_sample


def _analysis(client: TestClient, sample: dict[str, Any], owner: str, status: str, minutes: int) -> str:
    """An analysis row as a start leaves it (the list reads only the database)."""
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    aid = new_id("a")
    at = datetime.now(UTC) + timedelta(minutes=minutes)
    with ctx.sessions() as session:
        session.add(
            Analysis(
                id=aid,
                sample_id=sample["id"],
                owner_id=owner,
                status=status,
                start_state="STARTED",
                attempt=1,
                execution_name=f"{aid}-1",
                parameters={},
                manifest_key=f"manifests/{aid}.json",
                file_count=1,
                created_at=at,
                started_at=at,
                completed_at=None if status == "RUNNING" else at,
            )
        )
        session.commit()
    return aid


def test_search_status_paging_and_latest_analysis(client: TestClient, auth: Any) -> None:
    h = auth("list-user")
    owner = client.get("/api/me", headers=h).json()["id"]
    names = ["Lysozyme batch 1", "BSA digest", "lysozyme batch 2", "100% pure_x", "Plasma"]
    samples = [create_sample(client, h, name) for name in names]
    # Latest analysis per sample: [0] FAILED then SUCCEEDED, [1] RUNNING, [2] PARTIAL, [3] and [4] none.
    _analysis(client, samples[0], owner, "FAILED", -10)
    latest0 = _analysis(client, samples[0], owner, "SUCCEEDED", -5)
    latest1 = _analysis(client, samples[1], owner, "RUNNING", -1)
    _analysis(client, samples[2], owner, "PARTIAL", -2)

    body = client.get("/api/samples", headers=h).json()
    assert (body["total"], body["offset"], body["limit"]) == (5, 0, 50)
    assert [s["name"] for s in body["items"]] == names[::-1]  # newest first
    by_name = {s["name"]: s for s in body["items"]}
    assert by_name["Lysozyme batch 1"]["latestAnalysis"]["id"] == latest0
    assert by_name["Lysozyme batch 1"]["latestAnalysis"]["status"] == "SUCCEEDED"
    assert by_name["BSA digest"]["latestAnalysis"]["id"] == latest1
    assert by_name["Plasma"]["latestAnalysis"] is None
    assert client.get(f"/api/samples/{samples[0]['id']}", headers=h).json()["latestAnalysis"]["id"] == latest0

    def names_for(query: str) -> list[str]:
        r = client.get(f"/api/samples?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [s["name"] for s in r.json()["items"]]

    assert names_for("q=LYSOZYME") == ["lysozyme batch 2", "Lysozyme batch 1"]
    assert names_for("q=test%20sample") == names[::-1]  # the description matches too
    assert names_for("q=%25") == ["100% pure_x"]  # % and _ are literal characters
    assert names_for("q=_") == ["100% pure_x"]
    assert names_for("status=NONE") == ["Plasma", "100% pure_x"]
    assert names_for("status=SUCCEEDED") == ["Lysozyme batch 1"]  # its latest, not its earlier FAILED
    assert names_for("status=FAILED") == []
    assert names_for("status=RUNNING&q=bsa") == ["BSA digest"]
    page = client.get("/api/samples?offset=1&limit=2", headers=h).json()
    assert [s["name"] for s in page["items"]] == ["100% pure_x", "lysozyme batch 2"]
    assert (page["total"], page["offset"], page["limit"]) == (5, 1, 2)
    past = client.get("/api/samples?offset=10&status=NONE", headers=h).json()
    assert past["items"] == [] and past["total"] == 2
    # Another user's samples never show up.
    assert client.get("/api/samples?q=lysozyme", headers=auth("list-other")).json()["total"] == 0


def test_bad_list_queries_name_the_field(client: TestClient, auth: Any) -> None:
    h = auth("list-bad")
    for query, field in (
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("status=DONE", "status"),
        ("q=" + "x" * 201, "q"),
    ):
        r = client.get(f"/api/samples?{query}", headers=h)
        assert r.status_code == 422 and f"query.{field}" in r.json()["error"]["message"], (query, r.text)


def test_the_list_is_one_statement(client: TestClient, auth: Any) -> None:
    h = auth("list-statements")
    owner = client.get("/api/me", headers=h).json()["id"]
    for n in range(12):
        sample = create_sample(client, h, f"sample {n}")
        _analysis(client, sample, owner, "SUCCEEDED", n)
    engine = client.app.state.ctx.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        body = client.get("/api/samples", headers=h).json()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert body["total"] == 12 and all(s["latestAnalysis"] for s in body["items"])
    touching = [s for s in seen if "samples" in s or "analyses" in s]
    assert len(touching) == 1, touching
