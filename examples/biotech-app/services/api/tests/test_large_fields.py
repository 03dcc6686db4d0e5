"""Sequences stay out of memory: not loaded to show a sample, referenced (not inlined) in manifests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from biotech_api.models import Analysis
from devtools.local_aws import LocalAws
from tests.helpers import create_sample, make_data, register_file, upload_file

RESIDUES = "MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEFAKTCVADESHAGCEKS"
BIG = (RESIDUES * (1_000_000 // len(RESIDUES)))[:999_000]  # about 1 MB of FASTA each


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    engine = client.app.state.ctx.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, params: Any, context: Any, executemany: bool) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_sequences_are_not_loaded_to_show_a_sample(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("large-fields")
    sid = create_sample(client, h)["id"]
    for i in range(3):
        register_file(client, h, sid, f"f{i}.mzML", 10, sequence=BIG)
    with statements(client) as seen:
        r = client.get(f"/api/samples/{sid}", headers=h)
    assert r.status_code == 200 and len(r.json()["files"]) == 3
    assert not [s for s in seen if "sequence_fasta" in s], seen


def test_manifest_references_sequences_instead_of_inlining_them(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("large-manifest")
    sid = create_sample(client, h)["id"]
    fids = []
    for i in range(3):
        created = register_file(client, h, sid, f"f{i}.mzML", 10, sequence=BIG, proteinName=f"P{i}")
        upload_file(client, h, sid, created, make_data(10))
        fids.append(created["file"]["id"])
    plain = register_file(client, h, sid, "blank.mgf", 10, proteinName=None)
    upload_file(client, h, sid, plain, make_data(10))
    with statements(client) as seen:
        r = client.post(f"/api/samples/{sid}/analyses", headers=h)
    assert r.status_code == 202, r.text
    # Each sequence is read on its own (one row at a time), never all files' at once.
    reads = [s for s in seen if s.lstrip().startswith("SELECT") and "sequence_fasta" in s.split("FROM")[0]]
    assert reads and all("files.id = " in s for s in reads), reads
    aid = r.json()["id"]
    s3 = aws.client("s3")
    raw = s3.get_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")["Body"].read()
    assert len(raw) < 10_000  # 3 MB of sequences, a few hundred bytes of manifest
    manifest = json.loads(raw)
    contract("analysis-manifest.v2.schema.json", manifest)
    by_id = {f["fileId"]: f for f in manifest["files"]}
    assert "sequence" not in by_id[plain["file"]["id"]]
    for i, fid in enumerate(fids):
        ref = by_id[fid]["sequence"]
        assert set(ref) == {"key"}
        file_key = by_id[fid]["key"]
        assert ref["key"] == file_key.rsplit("/", 1)[0] + "/sequence.fasta"
        body = s3.get_object(Bucket=aws.uploads_bucket, Key=ref["key"])["Body"].read().decode()
        assert body.startswith(f">P{i}\n") and body.replace("\n", "").endswith(BIG[-100:])

    # Once the analysis is over, deleting the sample deletes the sequences with the inputs.
    ctx = client.app.state.ctx  # type: ignore[attr-defined]
    with ctx.sessions() as session:
        row = session.get(Analysis, aid)
        assert row is not None
        row.status = "FAILED"
        session.commit()
    assert client.delete(f"/api/samples/{sid}", headers=h).status_code == 204
    for fid in fids:
        listed = s3.list_objects_v2(Bucket=aws.uploads_bucket, Prefix=by_id[fid]["key"].rsplit("/", 1)[0])
        assert listed.get("KeyCount", 0) == 0, listed.get("Contents")
