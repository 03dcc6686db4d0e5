"""Results (#22): per-file QC figures, stable download names, parameters, fresh links."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient

from biotech_api.outputs import file_stem, output_kind, slug, stable_name
from devtools.local_aws import LocalAws
from tests.results_fixtures import finished, start_analysis


def test_stable_names() -> None:
    assert stable_name("lysozyme batch #3", "BSA", "BSA1.mzML.gz", "peptides.csv") == (
        "lysozyme-batch-3_BSA_BSA1_peptides.csv"
    )
    assert stable_name("ÉtudeÅ/..", None, "run.2.MGF", "tic_bpc.png") == "tude_protein_run.2_tic_bpc.png"
    assert stable_name("  ", " ", "---", "summary.json") == "sample_protein_file_summary.json"
    assert slug("x" * 70 + "-y", "f") == "x" * 60
    assert slug("a--b  c", "f") == "a--b-c"
    assert (
        file_stem("BSA1.mzML.gz") == "BSA1" and file_stem("a.mzXML") == "a" and file_stem("b.raw.zip") == "b"
    )
    assert [output_kind(o) for o in ("psms.csv", "coverage_map.png", "summary.json", "error.json")] == [
        "table",
        "plot",
        "summary",
        "error",
    ]
    assert output_kind("results.mzTab") == output_kind("qc.mzQC") == "report"
    assert output_kind("spectra.parquet") == "table"


def test_results_carry_qc_figures_stable_names_and_parameters(
    client: TestClient, auth: Any, aws: LocalAws, contract: Any
) -> None:
    h = auth("results-a")
    started = finished(client, h, aws, contract)
    aid = started["analysis"]["id"]
    summary = started["summary"]
    analysis = client.get(f"/api/analyses/{aid}", headers=h).json()
    assert analysis["parameters"] == {}  # started without parameters: the manifest's {}
    body = client.get(f"/api/analyses/{aid}/results", headers=h).json()
    ok, bad = body["files"]
    assert ok["identificationRate"] == summary["qc"]["identification"]["ms2IdentificationRate"]
    assert ok["medianAbsPpm"] == summary["massError"]["precursor"]["medianAbsPpm"]
    assert ok["qcFlags"] == ["LOW_ID_RATE"]
    assert bad["qcFlags"] == [] and bad["identificationRate"] is None and bad["medianAbsPpm"] is None
    by_output = {d["output"]: d for d in ok["downloads"]}
    assert list(by_output) == ["summary.json"] + [o["name"] for o in summary["outputs"]]
    pep = by_output["peptides.csv"]
    assert (pep["name"], pep["kind"]) == ("lysozyme-batch-3_BSA_BSA1_peptides.csv", "table")
    assert by_output["summary.json"]["kind"] == "summary"
    assert by_output["results.mzTab"]["kind"] == "report"
    got = httpx.get(pep["url"])
    assert got.status_code == 200 and got.content.startswith(b"peptide,proteins,decoy,")
    assert (
        got.headers["content-disposition"] == 'attachment; filename="lysozyme-batch-3_BSA_BSA1_peptides.csv"'
    )
    plot = httpx.get(by_output["coverage_map.png"]["url"])
    assert plot.headers["content-disposition"].startswith("inline;")
    (err,) = bad["downloads"]
    assert (err["output"], err["kind"], err["name"]) == (
        "error.json",
        "error",
        "lysozyme-batch-3_protein_blank_error.json",
    )


def test_parameters_are_the_manifests(client: TestClient, auth: Any, aws: LocalAws) -> None:
    h = auth("results-params")
    started = start_analysis(client, h)
    aid = started["analysis"]["id"]
    assert started["analysis"]["parameters"] == {}
    params = {"fdrThreshold": 0.05, "missedCleavages": 1}
    r = client.post(f"/api/samples/{started['sid']}/analyses", json={"parameters": params}, headers=h)
    assert r.status_code == 202, r.text
    assert r.json()["parameters"] == params
    listed = client.get(f"/api/samples/{started['sid']}/analyses", headers=h).json()["items"]
    assert {a["id"]: a["parameters"] for a in listed} == {aid: {}, r.json()["id"]: params}


def test_results_of_another_user_are_404(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    started = finished(client, auth("results-owner"), aws, contract)
    aid = started["analysis"]["id"]
    r = client.get(f"/api/analyses/{aid}/results", headers=auth("results-intruder"))
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_fresh_link_to_one_output(client: TestClient, auth: Any, aws: LocalAws, contract: Any) -> None:
    h = auth("results-link")
    done = finished(client, h, aws, contract)
    aid, (ok, bad) = done["analysis"]["id"], done["files"]
    r = client.get(f"/api/analyses/{aid}/files/{ok}/downloads/proteins.csv", headers=h)
    assert r.status_code == 200, r.text
    link = r.json()
    assert (link["name"], link["output"], link["kind"]) == (
        "lysozyme-batch-3_BSA_BSA1_proteins.csv",
        "proteins.csv",
        "table",
    )
    assert link["expiresAt"] > datetime.now(UTC).isoformat()
    got = httpx.get(link["url"])
    assert got.status_code == 200 and got.content.startswith(b"proteins,decoy,contaminant,")
    assert 'filename="lysozyme-batch-3_BSA_BSA1_proteins.csv"' in got.headers["content-disposition"]
    r = client.get(f"/api/analyses/{aid}/files/{bad}/downloads/error.json", headers=h)
    assert r.status_code == 200 and r.json()["kind"] == "error"
    r = client.get(f"/api/analyses/{aid}/files/{bad}/downloads/peptides.csv", headers=h)
    assert r.status_code == 404 and "error.json" in r.json()["error"]["message"]
    r = client.get(f"/api/analyses/{aid}/files/{ok}/downloads/{'x' * 129}", headers=h)
    assert r.status_code == 422 and "path.output" in r.json()["error"]["message"]
    r = client.get(f"/api/analyses/{aid}/files/{ok}/downloads/psms.csv", headers=auth("results-link-other"))
    assert r.status_code == 404
    running = start_analysis(client, h, sid=done["sid"])["analysis"]["id"]
    r = client.get(f"/api/analyses/{running}/files/{ok}/downloads/psms.csv", headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "results_not_ready"
