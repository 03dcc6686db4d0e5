"""The analysis archive (#22 item 9): every output in one streamed zip, under a size cap."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient

from biotech_api.main import create_app
from devtools.local_aws import LocalAws
from tests.results_fixtures import finished, start_analysis


def test_archive_holds_every_output_under_stable_names(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any, make_settings: Any
) -> None:
    h = auth("archive-user")
    done = finished(client, h, aws, contract)
    aid, (ok, bad) = done["analysis"]["id"], done["files"]
    r = client.get(f"/api/analyses/{aid}/archive.zip", headers=h)
    assert r.status_code == 200, r.text
    folder = f"lysozyme-batch-3_{aid}"
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == f'attachment; filename="{folder}.zip"'
    results = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    expected = {d["name"]: (f["fileId"], d["output"]) for f in results["files"] for d in f["downloads"]}
    s3 = aws.client("s3")
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == sorted(f"{folder}/{name}" for name in expected)
        for name, (file_id, output) in expected.items():
            key = f"analyses/{aid}/files/{file_id}/{output}"
            assert (
                z.read(f"{folder}/{name}") == s3.get_object(Bucket=aws.results_bucket, Key=key)["Body"].read()
            )
    assert {"lysozyme-batch-3_BSA_BSA1_peptides.csv", "lysozyme-batch-3_protein_blank_error.json"} <= set(
        expected
    )
    assert {fid for fid, _ in expected.values()} == {ok, bad}

    # Above MAX_ARCHIVE_BYTES: 413 naming the size and the cap, before anything is streamed.
    total = sum(
        s3.head_object(Bucket=aws.results_bucket, Key=f"analyses/{aid}/files/{fid}/{out}")["ContentLength"]
        for fid, out in expected.values()
    )
    small = create_app(make_settings(MAX_ARCHIVE_BYTES=str(total - 1)), consume_events=False)
    with TestClient(small, raise_server_exceptions=False) as capped:
        r = capped.get(f"/api/analyses/{aid}/archive.zip", headers=h)
        assert r.status_code == 413 and r.json()["error"]["code"] == "archive_too_large"
        assert str(total) in r.json()["error"]["message"] and str(total - 1) in r.json()["error"]["message"]
    exact = create_app(make_settings(MAX_ARCHIVE_BYTES=str(total)), consume_events=False)
    with TestClient(exact, raise_server_exceptions=False) as capped:
        assert capped.get(f"/api/analyses/{aid}/archive.zip", headers=h).status_code == 200

    assert client.get(f"/api/analyses/{aid}/archive.zip", headers=auth("archive-other")).status_code == 404
    running = start_analysis(client, h, sid=done["sid"])["analysis"]["id"]
    r = client.get(f"/api/analyses/{running}/archive.zip", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "results_not_ready"


def test_entries_of_files_sharing_a_stable_name_stay_apart() -> None:
    from biotech_api.results import _unique

    used: set[str] = set()
    names = [_unique("f/S_BSA_BSA1_summary.json", "summary.json", used) for _ in range(3)]
    assert names == [
        "f/S_BSA_BSA1_summary.json",
        "f/S_BSA_BSA1_2_summary.json",
        "f/S_BSA_BSA1_3_summary.json",
    ]
