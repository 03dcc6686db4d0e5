"""A protein sequence typed or pasted in the web app: normalised to FASTA, refused with 422 when unusable.

The worker's side of this seam (its real ``parse_fasta`` on this module's output) is tested in
``worker/tests/test_api_sequence_seam.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from biotech_api.sequences import MAX_RESIDUES, SequenceError, normalise_sequence
from tests.helpers import create_sample

BSA = "MKWVTFISLLLLFSSAYSRGVFRRDTHKSEIAHRFKDLGEEHFKGLVLIAFSQYLQQCPFDEHVKLVNELTEFAKTCVADESHAGCEKS"


@pytest.mark.parametrize(
    ("typed", "name", "expected"),
    [
        # A bare sequence as typed: line breaks, spaces, lower case and a stop '*'.
        (
            BSA[:30].lower() + "\n" + BSA[30:] + "*\n",
            "BSA",
            f">BSA\n{BSA[:60]}\n{BSA[60:]}",
        ),
        ("MKWV TFIS", None, ">protein\nMKWVTFIS"),
        ("MKWV", "serum albumin (bovine)", ">serum_albumin_bovine\nMKWV"),
        # Pasted FASTA keeps its headers and entries; residues are re-wrapped at 60.
        (
            f">sp|P02769|ALBU_BOVIN Albumin\n{BSA[:45]}\n{BSA[45:]}\n>contaminant keratin\nmsrqfsskfk\n",
            "ignored",
            f">sp|P02769|ALBU_BOVIN Albumin\n{BSA[:60]}\n{BSA[60:]}\n>contaminant keratin\nMSRQFSSKFK",
        ),
        ("; a comment\n>x\nAC", None, ">x\nAC"),
    ],
)
def test_normalise(typed: str, name: str | None, expected: str) -> None:
    assert normalise_sequence(typed, name) == expected


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "is empty"),
        (" \n\t", "is empty"),
        ("MKWV1TFIS", "invalid residue characters '1'"),
        ("MKWV-TFIS@", "invalid residue characters '-', '@'"),
        (">sp|P1|X\n", "has no residues"),
        (">\nMKWV", "empty '>' header"),
        ("MKWV\n>x\nAC", "text before the first '>' header"),
        ("; only a comment", "no '>' header line"),
        ("A" * (MAX_RESIDUES + 1), "too long"),
        ("MK\x00WV", "NUL character"),
    ],
)
def test_refused_with_the_problem_named(typed: str, problem: str) -> None:
    with pytest.raises(SequenceError, match=problem.replace("(", r"\(").replace("|", r"\|")):
        normalise_sequence(typed)


def _register(client: TestClient, headers: dict[str, str], sample_id: str, sequence: str) -> Any:
    body = {"fileName": "BSA1.mzML", "sizeBytes": 1024, "proteinName": "BSA", "sequence": sequence}
    return client.post(f"/api/samples/{sample_id}/files", json=body, headers=headers)


def test_register_file_stores_a_typed_sequence_as_fasta(
    client: TestClient, auth: Any, database_url: str
) -> None:
    h = auth("seq-user", email="seq@example.org", name="Seq User")
    sid = create_sample(client, h)["id"]
    r = _register(client, h, sid, BSA[:40].lower() + "\n" + BSA[40:])
    assert r.status_code == 201, r.text
    engine = create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT sequence_fasta FROM files WHERE id = :id"), {"id": r.json()["file"]["id"]}
        ).scalar_one()
    engine.dispose()
    assert stored == f">BSA\n{BSA[:60]}\n{BSA[60:]}"


@pytest.mark.parametrize(
    ("sequence", "problem"),
    [
        ("MKWV1TFIS", "invalid residue characters '1'"),
        ("   ", "is empty"),
        ("A" * (MAX_RESIDUES + 1), "too long"),
    ],
)
def test_register_file_refuses_an_unusable_sequence_with_422(
    client: TestClient, auth: Any, sequence: str, problem: str
) -> None:
    h = auth("seq-user", email="seq@example.org", name="Seq User")
    sid = create_sample(client, h)["id"]
    r = _register(client, h, sid, sequence)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_sequence"
    assert error["message"].startswith("sequence: ") and problem in error["message"]
