"""An analysis whose start was interrupted never holds a slot, or its sample, forever."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from biotech_api import api as api_module
from biotech_api.models import Analysis, utcnow
from devtools.local_aws import LocalAws
from tests.helpers import create_sample, make_data, register_file, upload_file


def _interrupted_start(
    client: TestClient, h: dict[str, str], monkeypatch: pytest.MonkeyPatch, *, started: bool
) -> tuple[str, str]:
    """Start an analysis whose process "dies" right after committing the row.

    ``started``: the execution was started before the process died (the row still says PENDING).
    """
    sid = create_sample(client, h)["id"]
    upload_file(client, h, sid, register_file(client, h, sid, "x.mzML", 10), make_data(10))
    ctx = client.app.state.ctx  # type: ignore[attr-defined]

    def dies(_ctx: Any, _session: Any, analysis: Analysis) -> None:
        if started:
            ctx.aws.sfn.start_execution(
                stateMachineArn=ctx.settings.state_machine_arn, name=analysis.execution_name, input="{}"
            )

    with monkeypatch.context() as m:
        m.setattr(api_module.svc, "launch", dies)
        r = client.post(f"/api/samples/{sid}/analyses", headers=h)
    assert r.status_code == 202, r.text
    aid = r.json()["id"]
    with ctx.sessions() as session:
        row = session.get(Analysis, aid)
        assert row is not None and row.start_state == "PENDING" and row.status == "RUNNING"
        # Long enough ago that a start still in progress is out of the question.
        row.started_at = row.created_at = utcnow() - timedelta(minutes=10)
        session.commit()
    return sid, aid


def test_interrupted_starts_free_their_slot_and_sample(
    client: TestClient, auth: Any, aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = auth("stuck-user")  # at most 2 running analyses per user in the tests
    _sid1, aid1 = _interrupted_start(client, h, monkeypatch, started=False)
    sid2, _aid2 = _interrupted_start(client, h, monkeypatch, started=False)
    # Both slots look taken, yet neither execution exists: the next start is accepted.
    sid3 = create_sample(client, h)["id"]
    upload_file(client, h, sid3, register_file(client, h, sid3, "y.mzML", 10), make_data(10))
    r = client.post(f"/api/samples/{sid3}/analyses", headers=h)
    assert r.status_code == 202, r.text
    body = client.get(f"/api/analyses/{aid1}", headers=h).json()
    assert body["status"] == "FAILED"
    assert "did not start" in body["cause"]
    # ... and the sample can be deleted.
    assert client.delete(f"/api/samples/{sid2}", headers=h).status_code == 204


def test_an_interrupted_start_whose_execution_exists_keeps_running(
    client: TestClient, auth: Any, aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = auth("stuck-but-started")
    sid, aid = _interrupted_start(client, h, monkeypatch, started=True)
    body = client.get(f"/api/analyses/{aid}", headers=h).json()
    assert body["status"] == "RUNNING"
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        row = session.get(Analysis, aid)
        assert row is not None and row.start_state == "STARTED"
        assert row.execution_arn is not None and row.execution_arn.endswith(f":{aid}-1")
    r = client.delete(f"/api/samples/{sid}", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "analysis_running"


def test_a_start_in_progress_is_left_alone(
    client: TestClient, auth: Any, aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = auth("stuck-recent")
    _sid, aid = _interrupted_start(client, h, monkeypatch, started=False)
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        row = session.get(Analysis, aid)
        assert row is not None
        row.started_at = utcnow()  # another request may be starting it right now
        session.commit()
    assert client.get(f"/api/analyses/{aid}", headers=h).json()["status"] == "RUNNING"
