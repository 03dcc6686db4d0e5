"""Manifest-driven commands: batch (array task), chunk and rollup.

batch runs this package's own CLI in a subprocess per file (fixed argv, no
shell), so a crash or memory blow-up in one file cannot take the others down.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404
import sys
from pathlib import Path
from typing import Any

from .errors import WorkerError, one_line
from .log import log
from .schemas import errors as schema_errors
from .storage import download, is_s3, join, list_keys, read_text, split_s3, upload_dir, work_dir, write_text
from .summary import now_iso, write_error

MAX_CHUNK = 10000


def load_manifest(url: str) -> dict[str, Any]:
    text = read_text(url)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkerError("BAD_MANIFEST", f"manifest is not JSON: {exc}") from exc
    kind = "chunk-manifest" if isinstance(doc, dict) and "chunkIndex" in doc else "analysis-manifest"
    problems = schema_errors(kind, doc)
    if problems:
        raise WorkerError("BAD_MANIFEST", f"{kind} invalid: {problems[0]}")
    ids = [f["fileId"] for f in doc["files"]]
    if len(set(ids)) != len(ids):
        raise WorkerError("BAD_MANIFEST", "fileId values are not unique")
    return dict(doc)


def uploads_root(manifest_url: str) -> str:
    """Where the manifest's keys live: its bucket, or (local) the folder above manifests/."""
    if is_s3(manifest_url):
        bucket, _key = split_s3(manifest_url)
        return f"s3://{bucket}/"
    path = Path(manifest_url).resolve()
    for parent in path.parents:
        if parent.name == "manifests":
            return str(parent.parent)
    return str(path.parent)


def array_index(override: int | None) -> int:
    if override is not None:
        return override
    raw = os.environ.get("AWS_BATCH_JOB_ARRAY_INDEX", "0") or "0"
    try:
        return int(raw)
    except ValueError as exc:
        raise WorkerError("BAD_MANIFEST", f"AWS_BATCH_JOB_ARRAY_INDEX is not an integer: {raw!r}") from exc


def run_batch(
    manifest_url: str, output: str, files_per_task: int, index_override: int | None, execution_name: str = "local"
) -> int:
    if files_per_task < 1:
        raise WorkerError("BAD_PARAMETERS", "--files-per-task must be at least 1")
    manifest = load_manifest(manifest_url)
    idx = array_index(index_override)
    start = idx * files_per_task
    entries = manifest["files"][start : start + files_per_task]
    offset = int(manifest.get("firstFileIndex", 0))
    if not entries:
        log("INFO", "no_files", arrayIndex=idx, message=f"no files at entries {start}..{start + files_per_task - 1}")
        return 0
    root = uploads_root(manifest_url)
    failures = 0
    for pos, entry in enumerate(entries):
        global_index = offset + start + pos
        log("INFO", "file_started", fileId=entry["fileId"], analysisId=manifest["analysisId"], fileIndex=global_index)
        ok = _run_one(entry, manifest, root, output, execution_name)
        failures += 0 if ok else 1
        log("INFO", "file_finished", fileId=entry["fileId"], analysisId=manifest["analysisId"],
            fileIndex=global_index, status="SUCCEEDED" if ok else "FAILED")
    return 1 if failures else 0


def _run_one(entry: dict[str, Any], manifest: dict[str, Any], root: str, output: str, execution_name: str) -> bool:
    file_id = entry["fileId"]
    analysis_id = manifest["analysisId"]
    dest = join(output, file_id)
    scratch = work_dir()
    out_dir = scratch / "out"
    out_dir.mkdir(parents=True)
    name = entry.get("name") or entry["key"].rsplit("/", 1)[-1]
    try:
        try:
            local_in = download(join(root, entry["key"]), scratch / "in" / Path(entry["key"]).name)
            fasta_path = None
            seq = entry.get("sequence")
            if seq is not None:
                fasta_path = scratch / "sequence.fasta"
                if "fasta" in seq:
                    fasta_path.write_text(seq["fasta"], encoding="utf-8")
                else:
                    download(join(root, seq["key"]), fasta_path)
            background_path = None
            bg = (manifest.get("parameters") or {}).get("backgroundProteome")
            if isinstance(bg, dict) and bg.get("key"):
                background_path = scratch / "background.fasta"
                download(join(root, bg["key"]), background_path)
        except WorkerError as exc:
            write_error(out_dir, exc, file_id, analysis_id, None, None, name, execution_name)
            upload_dir(out_dir, dest)
            return False
        params_path = scratch / "params.json"
        params_path.write_text(json.dumps(manifest.get("parameters", {})), encoding="utf-8")
        cmd = [
            sys.executable,
            "-m",
            "proteomics_worker",
            "analyse",
            "--input",
            str(local_in),
            "--output",
            str(out_dir),
            "--params",
            str(params_path),
            "--file-id",
            file_id,
            "--analysis-id",
            analysis_id,
            "--name",
            name,
            "--execution-name",
            execution_name,
        ]
        if background_path is not None:
            cmd += ["--background", str(background_path)]
        if fasta_path is not None:
            cmd += ["--fasta", str(fasta_path)]
        if entry.get("sha256"):
            cmd += ["--sha256", entry["sha256"]]
        proc = subprocess.run(cmd, check=False)  # nosec B603
        has_summary = (out_dir / "summary.json").exists()
        if proc.returncode != 0 or not has_summary:
            if not (out_dir / "error.json").exists():
                for stale in out_dir.iterdir():
                    stale.unlink()
                reason = f"analysis process ended with exit code {proc.returncode} without a result"
                write_error(out_dir, WorkerError("INTERNAL", reason), file_id, analysis_id, None, local_in, name,
                            execution_name)
            (out_dir / "summary.json").unlink(missing_ok=True)
            upload_dir(out_dir, dest)
            return False
        upload_dir(out_dir, dest)
        return True
    except WorkerError as exc:
        log("ERROR", "file_failed", code=exc.code, fileId=file_id, analysisId=analysis_id, message=exc.message)
        return False
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_chunk(manifest_url: str, chunk_size: int) -> dict[str, Any]:
    if not 1 <= chunk_size <= MAX_CHUNK:
        raise WorkerError("BAD_PARAMETERS", f"--chunk-size must be between 1 and {MAX_CHUNK}")
    manifest = load_manifest(manifest_url)
    if "chunkIndex" in manifest:
        raise WorkerError("BAD_MANIFEST", "chunk expects an analysis manifest, not a chunk manifest")
    aid = manifest["analysisId"]
    files = manifest["files"]
    count = (len(files) + chunk_size - 1) // chunk_size
    root = uploads_root(manifest_url)
    keys = []
    for n in range(count):
        first = n * chunk_size
        doc = {
            "schemaVersion": manifest.get("schemaVersion", 2),
            "analysisId": aid,
            "sampleId": manifest["sampleId"],
            "ownerId": manifest["ownerId"],
            "createdAt": manifest["createdAt"],
            "chunkIndex": n,
            "chunkCount": count,
            "firstFileIndex": first,
            "parameters": manifest["parameters"],
            "files": files[first : first + chunk_size],
        }
        if manifest.get("rerunOf"):
            doc["rerunOf"] = manifest["rerunOf"]
        problems = schema_errors("chunk-manifest", doc)
        if problems:
            raise WorkerError("INTERNAL", f"chunk manifest invalid: {problems[0]}")
        key = f"manifests/{aid}/chunk-{n}.json"
        write_text(join(root, key), json.dumps(doc, separators=(",", ":")) + "\n")
        keys.append(key)
    return {"chunkCount": count, "manifestKeys": keys}


def _results_key_prefix(results: str, analysis_id: str) -> str:
    if is_s3(results):
        _bucket, key = split_s3(results)
        return key if key.endswith("/") or not key else key + "/"
    return f"analyses/{analysis_id}/"


class CostRates:
    """What one Batch task of the analysis is and costs, for the roll-up's ``cost`` (contract v2).

    ``vcpu`` and ``memory_gib`` are the job definition's task size; the two prices are the Fargate
    (or Fargate Spot) list prices per vCPU-hour and per GB-hour the pipeline passes in. ``source``
    names the price table and region.
    """

    def __init__(self, vcpu: float, memory_gib: float, vcpu_hour_usd: float, gb_hour_usd: float, source: str) -> None:
        for name, value in (("vcpu", vcpu), ("memory_gib", memory_gib), ("vcpu_hour_usd", vcpu_hour_usd), ("gb_hour_usd", gb_hour_usd)):
            if not (value >= 0 and value != float("inf")):
                raise WorkerError("BAD_PARAMETERS", f"cost rate {name} = {value}: use a finite number of 0 or more")
        self.vcpu = vcpu
        self.memory_gib = memory_gib
        self.vcpu_hour_usd = vcpu_hour_usd
        self.gb_hour_usd = gb_hour_usd
        self.source = source

    def cost(self, task_seconds: float, tasks: int) -> dict[str, Any]:
        """vCPU-seconds and GiB-seconds of ``task_seconds`` of work, priced; the formula in ``basis``."""
        vcpu_s = task_seconds * self.vcpu
        gib_s = task_seconds * self.memory_gib
        usd = vcpu_s / 3600 * self.vcpu_hour_usd + gib_s / 3600 * self.gb_hour_usd
        basis = (
            f"sum over {tasks} analysed file(s) of durationSeconds x ({self.vcpu:g} vCPU x ${self.vcpu_hour_usd:g}/vCPU-h"
            f" + {self.memory_gib:g} GiB x ${self.gb_hour_usd:g}/GB-h); {self.source}. Not included: task start-up,"
            " download and upload time, Fargate's 1-minute minimum, the roll-up job, S3, requests, data transfer."
        )
        return {
            "estimatedCostUsd": round(usd, 6),
            "vcpuSeconds": round(vcpu_s, 3),
            "memoryGiBSeconds": round(gib_s, 3),
            "basis": basis[:500],
        }


def run_rollup(
    manifest_url: str, results: str, execution_name: str = "local", rates: CostRates | None = None
) -> dict[str, Any]:
    """Write the analysis summary (contract v2) from the files written by THIS execution.

    With ``rates``, ``cost`` estimates the compute of the analysed files from their summaries'
    ``durationSeconds``; without, it is null (unknown).

    A file counts only when its summary.json / error.json declares ``executionName`` equal to this
    execution's: results of an earlier execution under the same prefix are never reported as this
    one's. Version-1 file documents (no executionName) are still read without error, but never count
    for a version-2 execution.
    """
    manifest = load_manifest(manifest_url)
    aid = manifest["analysisId"]
    files_prefix = join(results, "files") + ("/" if is_s3(results) else "")
    present: dict[str, set[str]] = {}
    for key in list_keys(files_prefix):
        rel = key[len(split_s3(files_prefix)[1]) :] if is_s3(results) else key
        parts = rel.strip("/").split("/")
        if len(parts) == 2 and parts[1] in ("summary.json", "error.json"):
            present.setdefault(parts[0], set()).add(parts[1])
    key_prefix = _results_key_prefix(results, aid)
    rows = []
    succeeded = 0
    task_seconds = 0.0
    for entry in manifest["files"]:
        fid = entry["fileId"]
        got = present.get(fid, set())
        row: dict[str, Any] = {"fileId": fid}
        if entry.get("name"):
            row["name"] = entry["name"]
        if entry.get("proteinName"):
            row["proteinName"] = entry["proteinName"]
        summary = _read_doc(join(results, "files", fid, "summary.json")) if "summary.json" in got else None
        error = _read_doc(join(results, "files", fid, "error.json")) if "error.json" in got else None
        if summary is not None and _ours(summary, execution_name):
            row["status"] = "SUCCEEDED"
            row["summaryKey"] = f"{key_prefix}files/{fid}/summary.json"
            succeeded += 1
            duration = summary.get("durationSeconds")
            if isinstance(duration, (int, float)) and duration >= 0:
                task_seconds += float(duration)
            _enrich_success(row, summary)
        elif error is not None and _ours(error, execution_name):
            row["status"] = "FAILED"
            row["errorKey"] = f"{key_prefix}files/{fid}/error.json"
            _enrich_failure(row, error)
        else:
            row["status"] = "FAILED"
            stale = summary if summary is not None else error
            if stale is not None:
                row["reason"] = one_line(
                    f"no result written by execution {execution_name} (found one from "
                    f"{stale.get('executionName') or 'a version-1 run'})"
                )
            elif got:
                row["reason"] = "result document unreadable"
            else:
                row["reason"] = "no result written"
        rows.append(row)
    total = len(rows)
    status = "SUCCEEDED" if succeeded == total else ("FAILED" if succeeded == 0 else "PARTIAL")
    doc: dict[str, Any] = {
        "schemaVersion": 2,
        "analysisId": aid,
        "sampleId": manifest["sampleId"],
        "ownerId": manifest["ownerId"],
        "executionName": execution_name,
        "status": status,
        "filesSucceeded": succeeded,
        "filesFailed": total - succeeded,
        "fileCount": total,
        # The pipeline reads only the document's head (everything before "files"): keep what it
        # needs up here, and the per-file list, which can be megabytes, last.
        **({"rerunOf": manifest["rerunOf"]} if manifest.get("rerunOf") else {}),
        "cost": rates.cost(task_seconds, succeeded) if rates is not None else None,
        "createdAt": now_iso(),
        "files": rows,
    }
    problems = schema_errors("analysis-summary", doc)
    if problems:
        raise WorkerError("INTERNAL", f"roll-up invalid: {problems[0]}")
    write_text(join(results, "summary.json"), json.dumps(doc, indent=1) + "\n")
    log("INFO", "rollup_written", analysisId=aid, executionName=execution_name, status=status,
        filesSucceeded=succeeded, filesFailed=total - succeeded)
    return doc


def _read_doc(url: str) -> dict[str, Any] | None:
    try:
        doc = json.loads(read_text(url))
    except (WorkerError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def _ours(doc: dict[str, Any], execution_name: str) -> bool:
    return doc.get("schemaVersion") == 2 and doc.get("executionName") == execution_name


def _enrich_success(row: dict[str, Any], doc: dict[str, Any]) -> None:
    if doc.get("experimentType"):
        row["experimentType"] = doc["experimentType"]
    cov = doc.get("coverage")
    if isinstance(cov, dict):
        row["coveragePercent"] = cov.get("percent")
    ident = doc.get("identification")
    if isinstance(ident, dict):
        acc = ident.get("accepted") or {}
        row["psmsAccepted"] = int(acc.get("psms", 0))
        row["peptidesAccepted"] = int(acc.get("peptides", 0))
        row["proteinGroupsAccepted"] = int(acc.get("proteinGroups", 0))
        row["fdrEstimable"] = bool((ident.get("fdr") or {}).get("estimable"))
    qc_ident = (doc.get("qc") or {}).get("identification")
    if isinstance(qc_ident, dict):
        row["ms2IdentificationRate"] = qc_ident.get("ms2IdentificationRate")
    mass = doc.get("massError")
    if isinstance(mass, dict):
        row["medianAbsPpm"] = (mass.get("precursor") or {}).get("medianAbsPpm")
    flags = doc.get("qcFlags")
    if isinstance(flags, list):
        row["qcFlags"] = [f["code"] for f in flags if isinstance(f, dict) and "code" in f]


def _enrich_failure(row: dict[str, Any], doc: dict[str, Any]) -> None:
    if isinstance(doc.get("errorCode"), str):
        row["errorCode"] = doc["errorCode"]
    if doc.get("message"):
        row["reason"] = one_line(str(doc["message"]))
