"""Stand-in for Step Functions + Batch in the dev server: completes RUNNING executions.

moto records executions but never runs them. This thread reads each new execution's manifest,
writes per-file summaries, outputs (CSV, Parquet placeholder, a PNG plot) and the roll-up to the
results bucket as the worker would, then marks the execution SUCCEEDED. A file whose name
contains "fail" is reported FAILED, so a web test can see PARTIAL and FAILED results too.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import struct
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devtools.local_aws import LocalAws, set_execution_status

log = logging.getLogger("devtools.fake_pipeline")


def _png(width: int = 120, height: int = 60) -> bytes:
    """A small valid PNG: a bar chart-like gradient, enough for an <img> to render."""
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            bar = (x // 12) % 2 == 0 and y > height - (x * 7 % height)
            row += bytes((30, 90, 200) if bar else (245, 245, 245))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


EXAMPLES = Path(__file__).resolve().parents[5] / "contracts" / "examples"
_KINDS = {"peptides.csv": "peptides", "spectra.parquet": "spectra", "coverage.png": "plot"}


def _example(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / f"{name}.example.json").read_text())
    return doc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _output(name: str, body: bytes, content_type: str) -> dict[str, Any]:
    return {
        "name": name,
        "sizeBytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "contentType": content_type,
    }


def complete_execution(aws: LocalAws, execution_arn: str, execution_input: dict[str, Any]) -> None:
    s3 = aws.client("s3")
    manifest = json.loads(
        s3.get_object(Bucket=aws.uploads_bucket, Key=execution_input["manifestKey"])["Body"].read()
    )
    aid = manifest["analysisId"]
    execution_name = execution_arn.rsplit(":", 1)[1]
    files: list[dict[str, Any]] = []
    for i, entry in enumerate(manifest["files"]):
        fid = entry["fileId"]
        prefix = f"analyses/{aid}/files/{fid}/"
        if "fail" in entry.get("name", "").lower():
            error = copy.deepcopy(_example("file-error.v2"))
            error.update(analysisId=aid, fileId=fid, executionName=execution_name)
            error.update(errorCode="UNREADABLE", message="simulated failure")
            error["input"] = {"name": entry.get("name", fid), "format": entry["format"]}
            s3.put_object(
                Bucket=aws.results_bucket, Key=prefix + "error.json", Body=json.dumps(error).encode()
            )
            files.append(
                {
                    "fileId": fid,
                    "status": "FAILED",
                    "errorKey": prefix + "error.json",
                    "errorCode": "UNREADABLE",
                    "reason": "simulated failure",
                }
            )
            continue
        csv = b"peptide,start,end,charge\nLVNELTEFAK,66,75,2\nYICDNQDTISSK,286,297,2\n"
        png = _png()
        parquet = b"PAR1 placeholder PAR1"
        outputs = {
            "peptides.csv": (csv, "text/csv"),
            "spectra.parquet": (parquet, "application/vnd.apache.parquet"),
            "coverage.png": (png, "image/png"),
        }
        for name, (body, ctype) in outputs.items():
            s3.put_object(Bucket=aws.results_bucket, Key=prefix + name, Body=body, ContentType=ctype)
        coverage = round(35.0 + 7.5 * i, 1)
        # The contract's own v2 example, with this analysis's ids: the stand-in speaks the contract.
        summary = copy.deepcopy(_example("file-summary.v2"))
        summary.update(analysisId=aid, fileId=fid, executionName=execution_name)
        summary["input"].update(name=entry.get("name", summary["input"]["name"]), format=entry["format"])
        summary["coverage"]["percent"] = coverage
        summary["outputs"] = [
            {**_output(n, b, t), "kind": _KINDS.get(n, "other")} for n, (b, t) in outputs.items()
        ]
        s3.put_object(
            Bucket=aws.results_bucket, Key=prefix + "summary.json", Body=json.dumps(summary).encode()
        )
        accepted = summary["identification"]["accepted"]
        files.append(
            {
                "fileId": fid,
                "status": "SUCCEEDED",
                "name": summary["input"]["name"],
                "summaryKey": prefix + "summary.json",
                "experimentType": summary["experimentType"],
                "coveragePercent": coverage,
                "psmsAccepted": accepted["psms"],
                "peptidesAccepted": accepted["peptides"],
                "proteinGroupsAccepted": accepted["proteinGroups"],
                "fdrEstimable": summary["identification"]["fdr"]["estimable"],
                "qcFlags": [],
                **({"proteinName": entry["proteinName"]} if "proteinName" in entry else {}),
            }
        )
    ok = sum(1 for f in files if f["status"] == "SUCCEEDED")
    rollup: dict[str, Any] = {
        "schemaVersion": 2,
        "executionName": execution_name,
        "analysisId": aid,
        "sampleId": manifest["sampleId"],
        "ownerId": manifest["ownerId"],
        "status": "SUCCEEDED" if ok == len(files) else ("FAILED" if ok == 0 else "PARTIAL"),
        "filesSucceeded": ok,
        "filesFailed": len(files) - ok,
        "fileCount": len(files),
        "files": files,
        "createdAt": _now(),
        "cost": None,
    }
    if "rerunOf" in manifest:
        rollup["rerunOf"] = manifest["rerunOf"]
    s3.put_object(
        Bucket=aws.results_bucket, Key=f"analyses/{aid}/summary.json", Body=json.dumps(rollup).encode()
    )
    set_execution_status(execution_arn, "SUCCEEDED")


class FakePipeline:
    def __init__(self, aws: LocalAws, delay_seconds: float = 3.0) -> None:
        self._aws = aws
        self._delay = delay_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-pipeline", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        sfn = self._aws.client("stepfunctions")
        while not self._stop.wait(1.0):
            try:
                running = sfn.list_executions(
                    stateMachineArn=self._aws.state_machine_arn, statusFilter="RUNNING"
                )
                for execution in running["executions"]:
                    age = (datetime.now(UTC) - execution["startDate"]).total_seconds()
                    if age < self._delay:
                        continue
                    desc = sfn.describe_execution(executionArn=execution["executionArn"])
                    complete_execution(self._aws, execution["executionArn"], json.loads(desc["input"]))
            except Exception:
                log.exception("fake pipeline step failed")
