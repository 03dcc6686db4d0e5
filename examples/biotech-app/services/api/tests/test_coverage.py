"""Coverage (#22 item 8): the summary's proteins with their sequence and peptide positions."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from biotech_api.coverage import parse_fasta, positions, sequence_for
from devtools.local_aws import LocalAws
from tests.results_fixtures import BSA_FASTA, finished, peptide_rows, start_analysis


def test_coverage_of_a_file(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    h = auth("coverage-user")
    done = finished(client, h, aws, contract)
    aid, (ok, bad) = done["analysis"]["id"], done["files"]
    r = client.get(f"/api/analyses/{aid}/files/{ok}/coverage", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["fileId"] == ok
    listed = done["summary"]["coverage"]["proteins"]
    assert [p["accession"] for p in body["proteins"]] == [p["accession"] for p in listed]
    bsa = body["proteins"][0]
    sequence = parse_fasta(BSA_FASTA)[0][1]
    assert bsa["accession"] == "P02769" and bsa["sequence"] == sequence and len(sequence) == bsa["length"]
    assert bsa["residueCoverage"] == listed[0]["residueCoverage"] and bsa["percent"] == listed[0]["percent"]
    # Every target peptide naming P02769 in peptides.csv, at its real place; the decoy is left out.
    targets = [p for p in peptide_rows() if "P02769" in p["proteins"].split(";") and p["decoy"] == "0"]
    assert sorted(p["peptide"] for p in bsa["peptides"]) == sorted(p["peptide"] for p in targets)
    for pep in bsa["peptides"]:
        assert sequence[pep["start"] - 1 : pep["end"]] == pep["peptide"]
    yic = next(p for p in bsa["peptides"] if p["peptide"] == "YICDNQDTISSK")
    assert (yic["psms"], yic["bestQValue"], yic["accepted"]) == (5, 0, True)
    rejected = next(p for p in bsa["peptides"] if p["peptide"] == "LVNELTEFAK")
    assert rejected["accepted"] is False and rejected["bestQValue"] == 0.0123
    assert not any(p["peptide"] == "KATSLEPVRL" for p in bsa["peptides"])

    r = client.get(f"/api/analyses/{aid}/files/{bad}/coverage", headers=h)
    assert r.status_code == 404
    r = client.get(f"/api/analyses/{aid}/files/{ok}/coverage", headers=auth("coverage-intruder"))
    assert r.status_code == 404
    running = start_analysis(client, h, sid=done["sid"])["analysis"]["id"]
    r = client.get(f"/api/analyses/{running}/files/{ok}/coverage", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "results_not_ready"


def test_sequence_matching_and_positions() -> None:
    fasta = parse_fasta(">sp|P1|A_HUMAN one\nMKAAK\nAAK*\n>P2 two\nGGG\n")
    assert fasta == [("sp|P1|A_HUMAN one", "MKAAKAAK"), ("P2 two", "GGG")]
    assert sequence_for("P1", fasta) == "MKAAKAAK" and sequence_for("P2", fasta) == "GGG"
    assert sequence_for("P3", fasta) is None
    assert sequence_for("anything", parse_fasta(">BSA\nMKW\n")) == "MKW"  # a single sequence as is
    assert positions("AAK", "MKAAKAAK") == [(3, 5), (6, 8)]
    assert positions("AA", "AAAA") == [(1, 2), (2, 3), (3, 4)]
    assert positions("ZZ", "MKAAK") == [] and positions("AAK", None) == []
