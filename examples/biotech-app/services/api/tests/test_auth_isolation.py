"""Authentication and per-user isolation."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient

from devtools.local_aws import LocalAws
from devtools.oidc_issuer import LocalIssuer
from tests.helpers import create_sample, make_data, register_file, upload_file


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/api/healthz").json()["status"] == "ok"
    r = client.get("/api/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ready"


def test_token_checks(client: TestClient, issuer: LocalIssuer) -> None:
    def status(headers: dict[str, str]) -> int:
        r = client.get("/api/me", headers=headers)
        if r.status_code == 401:
            assert r.json()["error"]["code"] == "unauthorized"
            assert "Traceback" not in r.text
        return r.status_code

    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert status({}) == 401
    assert status({"Authorization": "Basic abc"}) == 401
    assert status({"Authorization": "Bearer not.a.jwt"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', key=rogue)}"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', key=rogue, kid='other')}"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', audience='someone-else')}"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', issuer='https://evil.example')}"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', expires_in=-120)}"}) == 401
    assert status({"Authorization": f"Bearer {issuer.token('u1', omit_aud=True)}"}) == 401
    # Cognito access tokens carry client_id instead of aud.
    cognito = issuer.token("u1", omit_aud=True, extra={"client_id": issuer.audience, "token_use": "access"})
    assert status({"Authorization": f"Bearer {cognito}"}) == 200
    assert status({"Authorization": f"Bearer {issuer.token('u1')}"}) == 200


def test_me_creates_user_once(client: TestClient, auth: Any) -> None:
    first = client.get("/api/me", headers=auth("auth0|abc", email="a@example.org", name="Ada")).json()
    assert first["email"] == "a@example.org" and first["name"] == "Ada"
    assert first["id"].startswith("u-")  # internal id, safe for S3 keys and contracts
    again = client.get("/api/me", headers=auth("auth0|abc")).json()
    assert again["id"] == first["id"]


def test_metrics_need_their_token(client: TestClient) -> None:
    assert client.get("/api/metrics").status_code == 401
    assert client.get("/api/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = client.get("/api/metrics", headers={"Authorization": "Bearer metrics-secret"})
    assert r.status_code == 200 and "biotech_api_http_requests_total" in r.text


def test_users_are_isolated(client: TestClient, auth: Any, aws: LocalAws) -> None:
    alice, bob = auth("alice"), auth("bob")
    sid = create_sample(client, alice, "alice sample")["id"]
    created = register_file(client, alice, sid, "a.mzML", 50)
    fid = created["file"]["id"]
    upload_file(client, alice, sid, created, make_data(50))
    aid = client.post(f"/api/samples/{sid}/analyses", headers=alice).json()["id"]

    assert all(s["id"] != sid for s in client.get("/api/samples", headers=bob).json()["items"])
    requests = [
        ("GET", f"/api/samples/{sid}", None),
        ("DELETE", f"/api/samples/{sid}", None),
        ("POST", f"/api/samples/{sid}/files", {"fileName": "b.mzML", "sizeBytes": 5}),
        ("POST", f"/api/samples/{sid}/files/{fid}/parts", {"partNumbers": [1]}),
        ("GET", f"/api/samples/{sid}/files/{fid}/parts", None),
        ("POST", f"/api/samples/{sid}/files/{fid}/complete", {"parts": [{"partNumber": 1, "etag": "x"}]}),
        ("POST", f"/api/samples/{sid}/files/{fid}/abort", None),
        ("POST", f"/api/samples/{sid}/analyses", {}),
        ("GET", f"/api/samples/{sid}/analyses", None),
        ("GET", f"/api/analyses/{aid}", None),
        ("GET", f"/api/analyses/{aid}/results", None),
        ("POST", f"/api/analyses/{aid}/rerun", None),
    ]
    for method, path, body in requests:
        r = client.request(method, path, json=body, headers=bob)
        assert r.status_code == 404, (method, path, r.status_code, r.text)
        assert r.json()["error"]["code"] == "not_found"
    # Bob's own sample cannot reach Alice's file through his sample id either.
    bob_sid = create_sample(client, bob)["id"]
    assert client.post(f"/api/samples/{bob_sid}/files/{fid}/abort", headers=bob).status_code == 404
    # Alice still sees everything unchanged.
    assert client.get(f"/api/samples/{sid}", headers=alice).json()["files"][0]["status"] == "UPLOADED"
    assert client.get(f"/api/analyses/{aid}", headers=alice).status_code == 200


def test_soft_delete_keeps_results(client: TestClient, auth: Any, aws: LocalAws) -> None:
    from devtools.local_aws import set_execution_status

    h = auth("deleter")
    sid = create_sample(client, h)["id"]
    created = register_file(client, h, sid, "d.mzML", 20)
    upload_file(client, h, sid, created, make_data(20))
    pending = register_file(client, h, sid, "e.mzML", 20)  # left UPLOADING
    # Cannot analyse with an upload pending: abort it through delete later.
    client.post(f"/api/samples/{sid}/files/{pending['file']['id']}/abort", headers=h)
    analysis = client.post(f"/api/samples/{sid}/analyses", headers=h).json()
    arn = aws.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + analysis["executionName"]
    set_execution_status(arn, "FAILED", "x", "y")
    s3 = aws.client("s3")
    s3.put_object(Bucket=aws.results_bucket, Key=f"analyses/{analysis['id']}/summary.json", Body=b"{}")

    assert client.delete(f"/api/samples/{sid}", headers=h).status_code == 204
    assert client.get(f"/api/samples/{sid}", headers=h).status_code == 404
    assert all(s["id"] != sid for s in client.get("/api/samples", headers=h).json()["items"])
    assert client.get(f"/api/analyses/{analysis['id']}", headers=h).status_code == 404
    assert client.delete(f"/api/samples/{sid}", headers=h).status_code == 404
    # Uploads removed, results kept.
    uploads = s3.list_objects_v2(Bucket=aws.uploads_bucket, Prefix="uploads/").get("Contents", [])
    assert not any(f"/{sid}/" in o["Key"] for o in uploads)
    kept = s3.list_objects_v2(Bucket=aws.results_bucket, Prefix=f"analyses/{analysis['id']}/")
    assert kept["KeyCount"] == 1
    # Rows kept too.
    from biotech_api.models import Analysis, Sample

    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        assert session.get(Sample, sid).deleted_at is not None
        assert session.get(Analysis, analysis["id"]) is not None


def test_errors_are_json(client: TestClient, auth: Any) -> None:
    h = auth("errors")
    r = client.post("/api/samples", content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = client.post("/api/samples", json={"name": ""}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/samples", json={"name": "x" * 201}, headers=h)
    assert r.status_code == 422
    r = client.get("/api/nowhere", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.put("/api/samples", headers=h)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert client.get("/api/samples/does-not-exist", headers=h).status_code == 404


def test_missing_aws_settings(make_settings: Any, auth: Any) -> None:
    """Without buckets/state machine the pod is not ready and upload endpoints answer 503."""
    from biotech_api.main import create_app

    app = create_app(make_settings(UPLOADS_BUCKET="", STATE_MACHINE_ARN=""), consume_events=False)
    h = auth("unconfigured")
    with TestClient(app) as c:
        r = c.get("/api/readyz", headers={"Authorization": "Bearer metrics-secret"})
        assert r.status_code == 503
        assert "UPLOADS_BUCKET" in r.json()["checks"]["config"]
        sid = c.post("/api/samples", json={"name": "n"}, headers=h).json()["id"]
        r = c.post(f"/api/samples/{sid}/files", json={"fileName": "a.mgf", "sizeBytes": 5}, headers=h)
        assert r.status_code == 503
        assert r.json()["error"]["code"] == "not_configured"


def test_id_tokens_and_other_clients_are_refused(client: TestClient, issuer: LocalIssuer) -> None:
    def answer(token: str) -> tuple[int, str]:
        r = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.json().get("error", {}).get("message", "")

    aud = issuer.audience
    # A Cognito ID token carries aud = the app client and token_use = id: refused, with a reason.
    assert answer(issuer.token("t1", extra={"token_use": "id"})) == (401, "only access tokens are accepted")
    # A Cognito access token (no aud) with token_use other than access is refused too.
    other_use = issuer.token("t1", omit_aud=True, extra={"client_id": aud, "token_use": "id"})
    assert answer(other_use)[0] == 401
    # aud names this API, but azp says another client asked for it: refused.
    assert answer(issuer.token("t1", extra={"azp": "another-client"})) == (
        401,
        "token issued to another client",
    )
    # ... and a Cognito access token of another app client.
    foreign = issuer.token("t1", omit_aud=True, extra={"client_id": "another-client", "token_use": "access"})
    assert answer(foreign)[0] == 401
    # Access tokens of this client pass, with or without azp.
    assert answer(issuer.token("t1", extra={"token_use": "access"}))[0] == 200
    assert answer(issuer.token("t1", extra={"token_use": "access", "azp": aud}))[0] == 200
    assert answer(issuer.token("t1", extra={"azp": aud}))[0] == 200


def test_extra_clients_can_be_allowed(make_settings: Any, issuer: LocalIssuer) -> None:
    from biotech_api.auth import TokenVerifier
    from biotech_api.errors import ApiError

    verifier = TokenVerifier(make_settings(OIDC_CLIENT_IDS=f"{issuer.audience},cli-client"))
    assert verifier.verify(issuer.token("t2", extra={"azp": "cli-client"})).subject == "t2"
    with pytest.raises(ApiError) as refused:
        verifier.verify(issuer.token("t2", extra={"azp": "third-client"}))
    assert refused.value.status == 401 and refused.value.message == "token issued to another client"
