"""A finished analysis whose results are what the worker and the roll-up really write.

The per-file summary is the contract's v2 example, peptides.csv the worker's published example
(docs/public/worker-example), and psms.csv / proteins.csv carry the worker's own headers, read
from its source (worker/proteomics_worker/outputs.py) so a change there shows up here.
"""

from __future__ import annotations

import ast
import copy
import csv
import io
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient

from devtools.local_aws import LocalAws, set_execution_status
from tests.conftest import REPO_ROOT
from tests.helpers import create_sample, make_data, put_json, register_file, upload_file

WORKER_EXAMPLE = REPO_ROOT / "docs" / "public" / "worker-example"
BSA_FASTA = (REPO_ROOT / "testdata" / "ms" / "P02769_BSA.fasta").read_text()
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 16
SAMPLE_NAME = "lysozyme batch #3"


def worker_columns(name: str) -> list[str]:
    """PSM_COLUMNS, PEPTIDE_COLUMNS or PROTEIN_COLUMNS as the worker defines them."""
    tree = ast.parse((REPO_ROOT / "worker" / "proteomics_worker" / "outputs.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            value = ast.literal_eval(node.value)
            assert isinstance(value, list)
            return [str(v) for v in value]
    raise AssertionError(f"{name} not found in the worker")


# The published example lists accepted target peptides only; the worker also writes the rejected
# ones and the decoys (sorted by q-value, so after them): two of each kind, in its format.
REJECTED = (
    "LVNELTEFAK,P02769,0,1,0.00214,2,spectrum=3001,0.0123,0\n"
    "KATSLEPVRL,DECOY_P02769,1,1,0.35,3,spectrum=4100,0.0714,0\n"
)


def peptides_csv() -> str:
    return (WORKER_EXAMPLE / "peptides.csv").read_text() + REJECTED


def peptide_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(peptides_csv())))


def _csv(columns: list[str], rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow([row[c] for c in columns])
    return out.getvalue()


def psms_csv() -> str:
    """One PSM line per PSM counted in peptides.csv, in the worker's column order."""
    rows: list[dict[str, Any]] = []
    index = 1000
    for pep in peptide_rows():
        for n in range(int(pep["psms"])):
            index += 7
            rows.append(
                {
                    "spectrumIndex": index,
                    "nativeId": pep["bestNativeId"] if n == 0 else f"spectrum={index}",
                    "rtSeconds": f"{600 + index / 10:.1f}",
                    "precursorMz": f"{500 + len(pep['peptide']) * 11.1:.5f}",
                    "charge": pep["bestCharge"],
                    "peptide": pep["peptide"],
                    "modifiedPeptide": pep["peptide"],
                    "proteins": pep["proteins"],
                    "decoy": pep["decoy"],
                    "eValue": pep["bestEValue"],
                    "xcorr": f"{2.5 + n / 10:.4f}",
                    "score": f"{5.0 - n / 10:.4f}",
                    "observedMass": f"{1000 + len(pep['peptide']) * 110.1:.5f}",
                    "calculatedMass": f"{1000 + len(pep['peptide']) * 110.1:.5f}",
                    "ppmError": f"{(n % 3 - 1) * 0.731:.3f}",
                    "qValue": pep["qValue"],
                    "peptideQValue": pep["qValue"],
                    "accepted": pep["accepted"],
                }
            )
    return _csv(worker_columns("PSM_COLUMNS"), rows)


def proteins_csv() -> str:
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for pep in peptide_rows():
        groups[pep["proteins"]].append(pep)
    rows = [
        {
            "proteins": acc,
            "decoy": peps[0]["decoy"],
            "contaminant": int(all(a.startswith("CON_") for a in acc.split(";"))),
            "peptides": ";".join(p["peptide"] for p in peps),
            "psms": sum(int(p["psms"]) for p in peps),
            "bestScore": "5.0000",
            "qValue": min(p["qValue"] for p in peps),
            "accepted": int(any(p["accepted"] == "1" for p in peps)),
        }
        for acc, peps in sorted(groups.items())
    ]
    return _csv(worker_columns("PROTEIN_COLUMNS"), rows)


def _example(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((REPO_ROOT / "contracts/examples" / f"{name}.example.json").read_text())
    return doc


def start_analysis(
    client: TestClient, h: dict[str, str], sample_name: str = SAMPLE_NAME, sid: str | None = None
) -> dict[str, Any]:
    """A sample (or ``sid``) with BSA1.mzML.gz (protein BSA, its FASTA) and blank.mgf; started."""
    if sid is None:
        sid = create_sample(client, h, sample_name)["id"]
        f1 = upload_file(
            client,
            h,
            sid,
            register_file(client, h, sid, "BSA1.mzML.gz", 10, sequence=BSA_FASTA),
            make_data(10),
        )
        f2 = upload_file(
            client, h, sid, register_file(client, h, sid, "blank.mgf", 10, proteinName=None), make_data(10)
        )
        files = [f1["id"], f2["id"]]
    else:
        files = [f["id"] for f in client.get(f"/api/samples/{sid}", headers=h).json()["files"]]
    r = client.post(f"/api/samples/{sid}/analyses", json={}, headers=h)
    assert r.status_code == 202, r.text
    return {"analysis": r.json(), "sid": sid, "files": files}


def publish(aws: LocalAws, started: dict[str, Any], contract: Any, *, finish: bool = True) -> dict[str, Any]:
    """Write the worker's outputs for file 1 (SUCCEEDED) and error.json for file 2 (FAILED),
    the roll-up, and end the execution; returns the file summary written."""
    s3 = aws.client("s3")
    analysis = started["analysis"]
    aid = analysis["id"]
    ok, bad = started["files"]
    prefix = f"analyses/{aid}/files/{ok}/"
    per_file = copy.deepcopy(_example("file-summary.v2"))
    per_file.update(analysisId=aid, fileId=ok, executionName=analysis["executionName"])
    per_file["qcFlags"] = [{"code": "LOW_ID_RATE", "message": "few MS2 spectra identified"}]
    per_file["outputs"].append(
        {
            "name": "proteins.csv",
            "sizeBytes": 1,
            "sha256": "0" * 64,
            "contentType": "text/csv",
            "kind": "proteins",
        }
    )
    contract("file-summary.v2.schema.json", per_file)
    bodies: dict[str, bytes] = {
        "psms.csv": psms_csv().encode(),
        "peptides.csv": peptides_csv().encode(),
        "proteins.csv": proteins_csv().encode(),
    }
    for out in per_file["outputs"]:
        body = bodies.get(
            out["name"], PNG if out["name"].endswith(".png") else b"data of " + out["name"].encode()
        )
        s3.put_object(Bucket=aws.results_bucket, Key=prefix + out["name"], Body=body)
    put_json(s3, aws.results_bucket, prefix + "summary.json", per_file)
    error = copy.deepcopy(_example("file-error.v2"))
    error.update(analysisId=aid, fileId=bad, executionName=analysis["executionName"])
    error_key = f"analyses/{aid}/files/{bad}/error.json"
    put_json(s3, aws.results_bucket, error_key, error)
    manifest = json.loads(
        s3.get_object(Bucket=aws.uploads_bucket, Key=f"manifests/{aid}.json")["Body"].read()
    )
    summary = copy.deepcopy(_example("analysis-summary.v2"))
    summary.update(
        analysisId=aid,
        sampleId=manifest["sampleId"],
        ownerId=manifest["ownerId"],
        executionName=analysis["executionName"],
        status="PARTIAL",
        fileCount=2,
        filesSucceeded=1,
        filesFailed=1,
        createdAt=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    )
    summary.pop("rerunOf", None)
    entry = next(e for e in summary["files"] if e["status"] == "SUCCEEDED")
    entry.update(fileId=ok, summaryKey=prefix + "summary.json")
    failed = {"fileId": bad, "status": "FAILED", "errorKey": error_key, "reason": "input ends early"}
    summary["files"] = [entry, failed]
    contract("analysis-summary.v2.schema.json", summary)
    put_json(s3, aws.results_bucket, f"analyses/{aid}/summary.json", summary)
    if finish:
        arn = aws.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{aid}-1"
        set_execution_status(arn, "SUCCEEDED")
    return per_file


def finished(
    client: TestClient, h: dict[str, str], aws: LocalAws, contract: Any, **kw: Any
) -> dict[str, Any]:
    started = start_analysis(client, h, **kw)
    started["summary"] = publish(aws, started, contract)
    aid = started["analysis"]["id"]
    body = client.get(f"/api/analyses/{aid}", headers=h).json()
    assert body["status"] == "PARTIAL", body
    return started
