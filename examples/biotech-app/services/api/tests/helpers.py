"""Helpers for driving the API like the web app does."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi.testclient import TestClient

from biotech_api.config import MIB


def create_sample(client: TestClient, headers: dict[str, str], name: str = "BSA digest") -> dict[str, Any]:
    r = client.post("/api/samples", json={"name": name, "description": "test sample"}, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def register_file(
    client: TestClient,
    headers: dict[str, str],
    sample_id: str,
    file_name: str = "BSA1.mzML.gz",
    size: int = 5 * MIB + 1024,
    **extra: Any,
) -> dict[str, Any]:
    body = {"fileName": file_name, "sizeBytes": size, "proteinName": "BSA", **extra}
    r = client.post(f"/api/samples/{sample_id}/files", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def upload_file(
    client: TestClient, headers: dict[str, str], sample_id: str, created: dict[str, Any], data: bytes
) -> dict[str, Any]:
    """Presign every part, PUT the bytes to S3 over HTTP, complete; returns the File."""
    file_id = created["file"]["id"]
    plan = created["upload"]
    numbers = list(range(1, plan["partCount"] + 1))
    r = client.post(
        f"/api/samples/{sample_id}/files/{file_id}/parts", json={"partNumbers": numbers}, headers=headers
    )
    assert r.status_code == 200, r.text
    parts = []
    size = plan["partSizeBytes"]
    with httpx.Client(timeout=30) as http:
        for part in r.json()["parts"]:
            n = part["partNumber"]
            chunk = data[(n - 1) * size : n * size]
            put = http.put(part["url"], content=chunk)
            assert put.status_code == 200, put.text
            parts.append({"partNumber": n, "etag": put.headers["ETag"]})
    r = client.post(
        f"/api/samples/{sample_id}/files/{file_id}/complete", json={"parts": parts}, headers=headers
    )
    assert r.status_code == 200, r.text
    return r.json()


def make_data(size: int, seed: int = 1) -> bytes:
    block = bytes((i * seed + 7) % 251 for i in range(4096))
    return (block * (size // len(block) + 1))[:size]


def put_json(s3: Any, bucket: str, key: str, doc: Any) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(doc).encode(), ContentType="application/json")
