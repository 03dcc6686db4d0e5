"""Tables (#22 items 6 and 7): the worker's CSVs paged, filtered and sorted by the API."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient

from biotech_api import tables
from devtools.local_aws import LocalAws
from tests.results_fixtures import finished, peptide_rows, psms_csv, start_analysis, worker_columns


@pytest.fixture(scope="module")
def done(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> dict[str, Any]:
    h = auth("tables-user")
    started = finished(client, h, aws, contract)
    started["h"] = h
    started["base"] = f"/api/analyses/{started['analysis']['id']}/files/{started['files'][0]}/tables"
    return started


def test_a_page_of_peptides_is_typed(client: TestClient, done: dict[str, Any]) -> None:
    r = client.get(f"{done['base']}/peptides?limit=5", headers=done["h"])
    assert r.status_code == 200, r.text
    page = r.json()
    expected = peptide_rows()
    assert page["kind"] == "peptides" and page["columns"] == worker_columns("PEPTIDE_COLUMNS")
    assert (page["total"], page["offset"], page["limit"]) == (len(expected), 0, 5)
    first = page["rows"][0]
    assert first == {
        "peptide": "YICDNQDTISSK",
        "proteins": "P02769",
        "decoy": False,
        "psms": 5,
        "bestEValue": 1.09e-05,
        "bestCharge": 2,
        "bestNativeId": "spectrum=2624",
        "qValue": 0,
        "accepted": True,
    }
    r = client.get(f"{done['base']}/peptides?offset=28&limit=5", headers=done["h"])
    assert [row["peptide"] for row in r.json()["rows"]] == [p["peptide"] for p in expected[28:]]


def test_filters_and_sort(client: TestClient, done: dict[str, Any]) -> None:
    h, base = done["h"], done["base"]
    expected = peptide_rows()
    r = client.get(f"{base}/peptides?protein=P02769&sort=psms&order=desc&limit=500", headers=h)
    rows = r.json()["rows"]
    bsa = [p for p in expected if "P02769" in p["proteins"].split(";")]
    assert r.json()["total"] == len(bsa) and rows
    assert [row["psms"] for row in rows] == sorted((int(p["psms"]) for p in bsa), reverse=True)
    r = client.get(f"{base}/peptides?accepted=false&limit=500", headers=h)
    assert [(row["peptide"], row["decoy"]) for row in r.json()["rows"]] == [
        ("LVNELTEFAK", False),
        ("KATSLEPVRL", True),
    ]
    r = client.get(f"{base}/peptides?accepted=true&limit=500", headers=h)
    assert r.json()["total"] == len(expected) - 2
    r = client.get(f"{base}/peptides?sort=qValue&order=desc&limit=1", headers=h)
    assert r.json()["rows"][0]["qValue"] == 0.0714
    r = client.get(f"{base}/peptides?filter=con_&limit=500", headers=h)  # case-insensitive, text columns
    assert r.json()["total"] == sum(1 for p in expected if "con_" in p["proteins"].lower())
    r = client.get(f"{base}/psms?peptide=AEFVEVTK&limit=500", headers=h)
    assert r.json()["total"] == 2 and {row["peptide"] for row in r.json()["rows"]} == {"AEFVEVTK"}
    r = client.get(f"{base}/proteins?peptide=AEFVEVTK", headers=h)
    assert [row["proteins"] for row in r.json()["rows"]] == ["P02769"]
    assert r.json()["columns"] == worker_columns("PROTEIN_COLUMNS")


def test_bad_input_names_the_field(client: TestClient, done: dict[str, Any]) -> None:
    h, base = done["h"], done["base"]
    r = client.get(f"{base}/peptides?sort=nope", headers=h)
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.startswith("sort:") and "peptide, proteins, decoy" in message
    for query, field in (
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("order=up", "order"),
    ):
        r = client.get(f"{base}/peptides?{query}", headers=h)
        assert r.status_code == 422 and f"query.{field}" in r.json()["error"]["message"], (query, r.text)
    r = client.get(f"{base}/spectra", headers=h)
    assert r.status_code == 422 and "path.kind" in r.json()["error"]["message"]


def test_csv_export_filters_and_names_the_file(client: TestClient, done: dict[str, Any]) -> None:
    r = client.get(f"{done['base']}/psms.csv?accepted=true&sort=ppmError", headers=done["h"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="lysozyme-batch-3_BSA_BSA1_psms.csv"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    source = [row for row in csv.DictReader(io.StringIO(psms_csv())) if row["accepted"] == "1"]
    assert len(rows) == len(source) and list(rows[0]) == worker_columns("PSM_COLUMNS")
    assert [float(row["ppmError"]) for row in rows] == sorted(float(row["ppmError"]) for row in source)
    assert {row["accepted"] for row in rows} == {"1"}


def test_paging_reads_the_table_once(client: TestClient, done: dict[str, Any]) -> None:
    tables.CACHE.clear()
    for offset in (0, 10, 20):
        assert client.get(f"{done['base']}/psms?offset={offset}", headers=done["h"]).status_code == 200
    assert (tables.CACHE.misses, tables.CACHE.hits) == (1, 2)


def test_missing_tables_running_and_other_users(
    client: TestClient, auth: Any, done: dict[str, Any], aws: LocalAws
) -> None:
    h = done["h"]
    aid = done["analysis"]["id"]
    failed_file = done["files"][1]
    r = client.get(f"/api/analyses/{aid}/files/{failed_file}/tables/peptides", headers=h)
    assert r.status_code == 404
    r = client.get(f"{done['base']}/peptides", headers=auth("tables-intruder"))
    assert r.status_code == 404
    running = start_analysis(client, h, sid=done["sid"])
    rid = running["analysis"]["id"]
    r = client.get(f"/api/analyses/{rid}/files/{done['files'][0]}/tables/peptides", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "results_not_ready"


def test_too_large_tables_are_refused(
    client: TestClient, done: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_TABLE_BYTES", 100)
    r = client.get(f"{done['base']}/psms", headers=done["h"])
    assert r.status_code == 413 and r.json()["error"]["code"] == "table_too_large"


def test_parse_table_units() -> None:
    t = tables.parse_table(b"peptide,decoy,accepted,score,note\nNAN,0,1,1e3,\nINF,1,0,,x\n")
    assert t.rows == (("NAN", False, True, 1000.0, None), ("INF", True, False, None, "x"))
    assert t.numeric == frozenset({"score"})
    with pytest.raises(tables.TableError):
        tables.parse_table(b"a,b\n1\n")
    cache = tables.TableCache(max_entries=2)
    for n in range(3):
        cache.put(("b", str(n), "e"), t, 1)
    assert cache.get(("b", "0", "e")) is None and cache.get(("b", "2", "e")) is t
    small = tables.TableCache(max_source_bytes=10)
    small.put(("b", "big", "e"), t, 11)  # above the budget on its own: not kept
    small.put(("b", "x", "e"), t, 6)
    small.put(("b", "y", "e"), t, 6)  # 12 bytes in all: the older one goes
    assert [small.get(("b", k, "e")) for k in ("big", "x", "y")] == [None, None, t]
    with pytest.raises(tables.TableError, match="UTF-8"):
        tables.parse_table(b"a,b\n\xff\xfe,1\n")
