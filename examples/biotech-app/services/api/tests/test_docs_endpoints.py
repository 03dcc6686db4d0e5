"""Documentation and readiness endpoints disclose nothing to callers without an account."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from biotech_api.config import ConfigError
from biotech_api.main import create_app


def test_no_swagger_ui_and_no_third_party_script(client: TestClient, auth: Any) -> None:
    for path in ("/api/docs", "/api/redoc", "/docs"):
        r = client.get(path, headers=auth("docs-user"))
        assert r.status_code == 404, path
        assert "cdn.jsdelivr" not in r.text and "<script" not in r.text


def test_openapi_only_for_signed_in_users_by_default(client: TestClient, auth: Any) -> None:
    r = client.get("/api/openapi.json")
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = client.get("/api/openapi.json", headers=auth("docs-user"))
    assert r.status_code == 200
    spec = r.json()
    assert "/api/samples" in spec["paths"] and "/api/openapi.json" not in spec["paths"]


def test_openapi_can_be_turned_off_or_made_public(make_settings: Any, auth: Any) -> None:
    off = create_app(make_settings(OPENAPI_ACCESS="off"), consume_events=False)
    public = create_app(make_settings(OPENAPI_ACCESS="public"), consume_events=False)
    try:
        with TestClient(off) as c:
            assert c.get("/api/openapi.json", headers=auth("docs-user")).status_code == 404
        with TestClient(public) as c:
            assert c.get("/api/openapi.json").status_code == 200
    finally:
        off.state.ctx.engine.dispose()
        public.state.ctx.engine.dispose()
    with pytest.raises(ConfigError, match="OPENAPI_ACCESS must be one of: public, signed-in, off"):
        make_settings(OPENAPI_ACCESS="everyone")


def test_readyz_names_missing_settings_only_to_operators(make_settings: Any) -> None:
    app = create_app(make_settings(UPLOADS_BUCKET="", STATE_MACHINE_ARN=""), consume_events=False)
    try:
        with TestClient(app) as c:
            anonymous = c.get("/api/readyz")
            assert anonymous.status_code == 503
            assert "UPLOADS_BUCKET" not in anonymous.text and "STATE_MACHINE_ARN" not in anonymous.text
            assert anonymous.json()["checks"]["config"] == "incomplete"
            operator = c.get("/api/readyz", headers={"Authorization": "Bearer metrics-secret"})
            assert operator.status_code == 503
            assert operator.json()["checks"]["config"] == "missing UPLOADS_BUCKET, STATE_MACHINE_ARN"
    finally:
        app.state.ctx.engine.dispose()
