"""Bounded uploads: part URLs bind each part's length, a per-user storage quota, a samples cap.

moto does not verify signatures, so S3's enforcement of a signed ``Content-Length`` is NOT
exercised here. What is proved: the API signs ``content-length`` into every part URL with the
part's exact length (a SigV4 query signature recomputed independently from the URL matches for
that length and differs for any other), and it tells the browser that length.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from biotech_api.config import GIB, MIB, TIB, Settings
from biotech_api.main import create_app
from devtools.local_aws import LocalAws
from tests.helpers import create_sample, make_data, register_file, upload_file


def _uri_encode(value: str, *, encode_slash: bool) -> str:
    return quote(value, safe="-_.~" + ("" if encode_slash else "/"))


def sigv4_query_signature(method: str, url: str, headers: dict[str, str], secret_key: str) -> str:
    """The SigV4 query-string signature of ``url`` for a request carrying ``headers``.

    Written from the SigV4 specification (canonical request, string to sign, derived key), not
    with botocore, so that it checks the API's URLs rather than repeating the code that made them.
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "X-Amz-Signature"]
    params = dict(query)
    signed = params["X-Amz-SignedHeaders"].split(";")
    all_headers = {"host": parts.netloc, **{k.lower(): v.strip() for k, v in headers.items()}}
    canonical_headers = "".join(f"{name}:{all_headers[name]}\n" for name in signed)
    canonical_query = "&".join(
        f"{_uri_encode(k, encode_slash=True)}={_uri_encode(v, encode_slash=True)}" for k, v in sorted(query)
    )
    canonical_request = "\n".join(
        [
            method,
            _uri_encode(unquote(parts.path), encode_slash=False),
            canonical_query,
            canonical_headers,
            ";".join(signed),
            "UNSIGNED-PAYLOAD",
        ]
    )
    _, date, region, service, terminal = params["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/{terminal}"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            params["X-Amz-Date"],
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret_key}".encode()
    for item in (date, region, service, terminal):
        key = hmac.new(key, item.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _signature(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]


def test_part_urls_bind_each_parts_exact_length(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("bound-parts")
    sid = create_sample(client, h)["id"]
    size = 12 * MIB + 7  # parts of 5 MiB, 5 MiB and 2 MiB + 7 bytes
    created = register_file(client, h, sid, "bound.mzML", size)
    assert created["upload"] == {"partSizeBytes": 5 * MIB, "partCount": 3}
    fid = created["file"]["id"]
    r = client.post(f"/api/samples/{sid}/files/{fid}/parts", json={"partNumbers": [3, 1, 2]}, headers=h)
    assert r.status_code == 200, r.text
    parts = r.json()["parts"]
    expected = {1: 5 * MIB, 2: 5 * MIB, 3: 2 * MIB + 7}
    assert {p["partNumber"]: p["sizeBytes"] for p in parts} == expected

    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    for part in parts:
        url, length = part["url"], part["sizeBytes"]
        signed = dict(parse_qsl(urlsplit(url).query))["X-Amz-SignedHeaders"].split(";")
        assert "content-length" in signed, url
        # The independent computation reproduces the API's signature for the part's length ...
        assert sigv4_query_signature("PUT", url, {"Content-Length": str(length)}, secret) == _signature(url)
        # ... and any other length gives another signature, which S3 would refuse (403).
        for other in (length - 1, length + 1, 5 * GIB):
            assert sigv4_query_signature("PUT", url, {"Content-Length": str(other)}, secret) != _signature(
                url
            )

    # The browser's path still works: each part PUT with exactly its signed length.
    data = make_data(size, seed=3)
    done = upload_file(client, h, sid, created, data)
    assert done["status"] == "UPLOADED"


def test_recomputed_signature_is_faithful_to_botocore() -> None:
    """Guard for the check above: for a URL botocore signs with no extra headers, the
    independent computation gives botocore's signature (so a mismatch above means the length)."""
    import boto3
    from botocore.config import Config

    s3 = boto3.client(
        "s3",
        region_name="eu-west-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
    )
    url = s3.generate_presigned_url(
        "upload_part",
        Params={"Bucket": "b", "Key": "uploads/u-1/s-1/f-1/input.mzML", "UploadId": "a~b c", "PartNumber": 2},
        ExpiresIn=900,
        HttpMethod="PUT",
    )
    ours = sigv4_query_signature("PUT", url, {}, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    assert ours == _signature(url)


@pytest.fixture
def limited(make_settings: Any) -> Iterator[TestClient]:
    settings = make_settings(MAX_STORAGE_BYTES_PER_USER=str(20 * MIB), MAX_SAMPLES_PER_USER="2")
    with TestClient(create_app(settings, consume_events=False), raise_server_exceptions=False) as c:
        yield c


def _mib(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)? MiB", text)


def test_storage_quota_counts_uploads_in_flight_and_stored(
    limited: TestClient, auth: Any, aws: LocalAws
) -> None:
    h = auth("quota-user")
    sid = create_sample(limited, h)["id"]
    # In flight: a 12 MiB multipart upload, registered and never completed.
    in_flight = register_file(limited, h, sid, "big.mzML", 12 * MIB)
    # Stored: a completed 6 MiB upload.
    stored = register_file(limited, h, sid, "small.mgf", 6 * MIB)
    upload_file(limited, h, sid, stored, make_data(6 * MIB))
    # 12 + 6 + 3 = 21 MiB > 20 MiB: refused, naming the quota and the figures.
    r = limited.post(
        f"/api/samples/{sid}/files", json={"fileName": "more.mzML", "sizeBytes": 3 * MIB}, headers=h
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "storage_quota_exceeded"
    assert "quota" in error["message"]
    assert _mib(error["message"]) == ["3.0 MiB", "21.0 MiB", "20.0 MiB", "6.0 MiB", "12.0 MiB"], error[
        "message"
    ]
    # 2 MiB fits exactly (20 MiB).
    register_file(limited, h, sid, "fits.mgf", 2 * MIB)
    # Aborting an upload frees what it declared.
    fid = in_flight["file"]["id"]
    assert limited.post(f"/api/samples/{sid}/files/{fid}/abort", headers=h).status_code == 204
    register_file(limited, h, sid, "more.mzML", 3 * MIB)
    # A file larger than the whole quota is refused on its own.
    r = limited.post(
        f"/api/samples/{sid}/files", json={"fileName": "huge.mzML", "sizeBytes": 21 * MIB}, headers=h
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "storage_quota_exceeded"
    # Another user's quota is their own.
    other = auth("quota-other")
    register_file(limited, other, create_sample(limited, other)["id"], "big.mzML", 19 * MIB)


def test_deleting_a_sample_frees_its_storage(limited: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("quota-delete")
    sid = create_sample(limited, h)["id"]
    created = register_file(limited, h, sid, "a.mgf", 6 * MIB)
    upload_file(limited, h, sid, created, make_data(6 * MIB))
    register_file(limited, h, sid, "b.mzML", 12 * MIB)
    r = limited.post(
        f"/api/samples/{sid}/files", json={"fileName": "c.mzML", "sizeBytes": 5 * MIB}, headers=h
    )
    assert r.status_code == 409
    assert limited.delete(f"/api/samples/{sid}", headers=h).status_code == 204
    sid2 = create_sample(limited, h)["id"]
    register_file(limited, h, sid2, "c.mzML", 20 * MIB)


def test_samples_per_user_are_capped(limited: TestClient, auth: Any) -> None:
    h = auth("sample-cap")
    first = create_sample(limited, h, "one")
    create_sample(limited, h, "two")
    r = limited.post("/api/samples", json={"name": "three"}, headers=h)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "too_many_samples"
    assert "2 samples" in r.json()["error"]["message"]
    # Deleted samples do not count.
    assert limited.delete(f"/api/samples/{first['id']}", headers=h).status_code == 204
    create_sample(limited, h, "three")


def test_limits_settings_defaults_and_parsing() -> None:
    base = {"OIDC_ISSUER": "http://x", "OIDC_AUDIENCE": "y", "DATABASE_URL": "postgresql://u@h/d"}
    defaults = Settings.from_env(base)
    assert defaults.max_storage_bytes_per_user == 1 * TIB
    assert defaults.max_samples_per_user == 1000
    parsed = Settings.from_env({**base, "MAX_STORAGE_BYTES_PER_USER": str(GIB), "MAX_SAMPLES_PER_USER": "5"})
    assert (parsed.max_storage_bytes_per_user, parsed.max_samples_per_user) == (GIB, 5)
    for name in ("MAX_STORAGE_BYTES_PER_USER", "MAX_SAMPLES_PER_USER"):
        with pytest.raises(ValueError, match=name):
            Settings.from_env({**base, name: "0"})


def test_concurrent_registrations_cannot_pass_the_quota_together(
    make_settings: Any, auth: Any, aws: LocalAws
) -> None:
    """Twelve 5 MiB files at once against a 20 MiB quota: exactly four are accepted."""
    app = create_app(
        make_settings(MAX_STORAGE_BYTES_PER_USER=str(20 * MIB), DB_POOL_SIZE="6", DB_MAX_OVERFLOW="6"),
        consume_events=False,
    )
    h = auth("quota-race")

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            sids = [
                (await client.post("/api/samples", json={"name": f"r{i}"}, headers=h)).json()["id"]
                for i in range(3)
            ]

            async def one(i: int) -> int:
                body = {"fileName": f"f{i}.mgf", "sizeBytes": 5 * MIB}
                return (
                    await client.post(f"/api/samples/{sids[i % 3]}/files", json=body, headers=h)
                ).status_code

            return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(12))), timeout=60)

    try:
        statuses = asyncio.run(scenario())
    finally:
        app.state.ctx.engine.dispose()
    assert sorted(statuses) == [201] * 4 + [409] * 8, statuses
