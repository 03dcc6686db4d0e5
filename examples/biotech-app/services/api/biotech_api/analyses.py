"""Analyses: manifest, StartExecution, status tracking and the result index."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .aws import error_code, read_json
from .context import AppContext
from .contract import SCHEMA_VERSION as MANIFEST_VERSION
from .contract import manifest_problem
from .errors import ApiError
from .models import Analysis, AnalysisResult, File, utcnow

log = logging.getLogger("biotech_api.analyses")

_OUTPUT_NAME = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_TERMINAL = {"SUCCEEDED", "PARTIAL", "FAILED"}
_CAUSE_MAX = 2000


def manifest_key(analysis_id: str) -> str:
    return f"manifests/{analysis_id}.json"


def summary_key(analysis_id: str) -> str:
    return f"analyses/{analysis_id}/summary.json"


def file_prefix(analysis_id: str, file_id: str) -> str:
    return f"analyses/{analysis_id}/files/{file_id}/"


def sequence_key(f: File) -> str:
    """The file's FASTA in the uploads bucket, next to its input.

    ``uploads/<owner>/<sample>/<file>/sequence.fasta``: the worker reads it with the grant it
    has for the inputs, and deleting the sample deletes it with them.
    """
    return f.s3_key.rsplit("/", 1)[0] + "/sequence.fasta"


def execution_name(analysis_id: str, attempt: int) -> str:
    return f"{analysis_id}-{attempt}"


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_manifest(
    analysis: Analysis, files: list[File], with_sequence: set[str] | None = None
) -> dict[str, Any]:
    """The analysis manifest. A file in ``with_sequence`` gets ``sequence: {"key": ...}``, a
    reference to its FASTA in the uploads bucket (contract v2 allows ``fasta`` or ``key``): a
    manifest of 500 files with 5 MB sequences would otherwise weigh 2.5 GB."""
    entries: list[dict[str, Any]] = []
    with_sequence = with_sequence or set()
    for f in files:
        entry: dict[str, Any] = {
            "fileId": f.id,
            "key": f.s3_key,
            "format": f.format,
            "sizeBytes": f.size_bytes,
        }
        if f.sha256:
            entry["sha256"] = f.sha256
        if f.id in with_sequence:
            entry["sequence"] = {"key": sequence_key(f)}
        entry["name"] = f.file_name
        if f.protein_name:
            entry["proteinName"] = f.protein_name
        entries.append(entry)
    manifest: dict[str, Any] = {
        "schemaVersion": MANIFEST_VERSION,
        "analysisId": analysis.id,
        "sampleId": analysis.sample_id,
        "ownerId": analysis.owner_id,
        "createdAt": _iso(analysis.created_at),
        "parameters": analysis.parameters or {},
        "files": entries,
    }
    if analysis.rerun_of:
        manifest["rerunOf"] = analysis.rerun_of
    return manifest


def build_execution_input(analysis: Analysis) -> dict[str, Any]:
    return {
        "schemaVersion": MANIFEST_VERSION,
        "analysisId": analysis.id,
        "sampleId": analysis.sample_id,
        "ownerId": analysis.owner_id,
        "manifestKey": analysis.manifest_key,
        "fileCount": analysis.file_count,
        "attempt": analysis.attempt,
    }


def analysis_files(session: Session, analysis: Analysis) -> list[File]:
    rows = session.execute(
        select(File)
        .join(AnalysisResult, AnalysisResult.file_id == File.id)
        .where(AnalysisResult.analysis_id == analysis.id)
        .order_by(AnalysisResult.position)
    ).scalars()
    return list(rows)


def _sequence_bytes(session: Session, file_id: str) -> bytes:
    fasta = session.execute(select(File.sequence_fasta).where(File.id == file_id)).scalar_one()
    return (fasta or "").encode()


def _execution_arn(state_machine_arn: str, name: str) -> str:
    # arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> ...:execution:NAME:EXECUTION
    return state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":" + name


def launch(ctx: AppContext, session: Session, analysis: Analysis) -> None:
    """Write the manifest and start execution ``<analysisId>-<attempt>``; safe to repeat.

    A repeat of the same attempt finds ExecutionAlreadyExists and takes it as success, so a
    retried request never starts a second execution.
    """
    settings = ctx.settings
    files = analysis_files(session, analysis)
    with_sequence = set(
        session.execute(
            select(File.id).where(File.id.in_([f.id for f in files]), File.sequence_fasta.is_not(None))
        ).scalars()
    )
    manifest = build_manifest(analysis, files, with_sequence)
    problem = manifest_problem(manifest)
    if problem is not None:
        # Never hand the pipeline a manifest the worker would refuse: every worker command,
        # the roll-up included, would fail later with a generic cause.
        log.error("manifest does not follow the contract", extra={"analysis_id": analysis.id})
        analysis.start_state = "START_FAILED"
        analysis.status = "FAILED"
        analysis.cause = f"the analysis manifest does not follow the contract: {problem}"[:_CAUSE_MAX]
        analysis.completed_at = utcnow()
        session.commit()
        raise ApiError(500, "invalid_manifest", analysis.cause)
    try:
        # Each sequence is read from the database and written on its own, so memory holds one
        # at a time. Rewriting the same text at the same key on a rerun is harmless.
        uploads: list[tuple[str, str, Any]] = [
            (sequence_key(f), "text/plain; charset=utf-8", f.id) for f in files if f.id in with_sequence
        ]
        uploads.append(
            (analysis.manifest_key, "application/json", json.dumps(manifest, separators=(",", ":")).encode())
        )
        for key, content_type, content in uploads:
            body = content if isinstance(content, bytes) else _sequence_bytes(session, content)
            ctx.aws.s3.put_object(
                Bucket=settings.uploads_bucket, Key=key, Body=body, ContentType=content_type
            )
            del body
        try:
            resp = ctx.aws.sfn.start_execution(
                stateMachineArn=settings.state_machine_arn,
                name=analysis.execution_name,
                input=json.dumps(build_execution_input(analysis), separators=(",", ":")),
            )
            arn = resp["executionArn"]
            ctx.metrics.analyses_started.inc()
        except ClientError as exc:
            if error_code(exc) != "ExecutionAlreadyExists":
                raise
            arn = _execution_arn(settings.state_machine_arn, analysis.execution_name)
    except (ClientError, BotoCoreError) as exc:
        log.error("could not start analysis", extra={"analysis_id": analysis.id, "error": type(exc).__name__})
        analysis.start_state = "START_FAILED"
        analysis.status = "FAILED"
        analysis.cause = "the analysis could not be started; retry or rerun it"
        analysis.completed_at = utcnow()
        session.commit()
        raise ApiError(503, "start_failed", "the analysis could not be started, please retry") from exc
    analysis.execution_arn = arn
    analysis.start_state = "STARTED"
    analysis.last_checked_at = utcnow()
    session.commit()


# ---------------------------------------------------------------- status


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _opt_count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _key(value: Any) -> str | None:
    return (
        value
        if isinstance(value, str) and value and not value.startswith("/") and len(value) <= 1024
        else None
    )


def _pinned(value: Any, prefix: str) -> str | None:
    """``value`` when it is a key under ``prefix`` (no ``.``/``..`` segment, no empty segment).

    Keys read from the roll-up or a completion event are presigned for the caller: pinned to the
    analysis's own ``analyses/<analysisId>/`` prefix, a document that names another analysis's
    (or another user's) object cannot turn into a download link to it.
    """
    key = _key(value)
    if key is None or not key.startswith(prefix):
        return None
    if any(part in {"", ".", ".."} for part in key[len(prefix) :].split("/")):
        return None
    return key


def index_results(ctx: AppContext, session: Session, analysis: Analysis, summary: dict[str, Any]) -> None:
    """Copy the roll-up (and each file's summary) into analysis_results rows."""
    rows = {
        r.file_id: r
        for r in session.execute(
            select(AnalysisResult).where(AnalysisResult.analysis_id == analysis.id)
        ).scalars()
    }
    now = utcnow()
    reported: set[str] = set()
    entries = summary.get("files")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        row = rows.get(str(entry.get("fileId")))
        if row is None:
            continue
        reported.add(row.file_id)
        row.status = "SUCCEEDED" if entry.get("status") == "SUCCEEDED" else "FAILED"
        own = file_prefix(analysis.id, row.file_id)
        row.summary_key = _pinned(entry.get("summaryKey"), own)
        row.error_key = _pinned(entry.get("errorKey"), own)
        if row.summary_key is None and entry.get("summaryKey") is not None:
            log.warning("roll-up names a key outside the file's prefix", extra={"file_id": row.file_id})
        reason = entry.get("reason")
        row.reason = reason[:_CAUSE_MAX] if isinstance(reason, str) else None
        exp = entry.get("experimentType")
        row.experiment_type = exp if isinstance(exp, str) else None
        _index_rollup_entry(row, entry, _version(summary))
        row.outputs = []
        if row.status == "SUCCEEDED" and row.summary_key:
            _index_file_summary(ctx, row, analysis.execution_name)
        row.updated_at = now
    for file_id, row in rows.items():
        if file_id not in reported and row.status == "RUNNING":
            row.status = "FAILED"
            row.reason = "no result reported for this file"
            row.updated_at = now


def _version(doc: dict[str, Any]) -> int:
    v = doc.get("schemaVersion")
    return v if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else 1


def _clear_figures(row: AnalysisResult) -> None:
    row.coverage_percent = row.fragment_confirmed_coverage_percent = None
    row.psms_accepted = row.peptides_accepted = row.protein_groups_accepted = None
    row.fdr_estimable = None
    row.identification_rate = row.median_abs_ppm = None
    row.qc_flags = None


_FLAG_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


def _is_flag(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("code"), str)
        and bool(_FLAG_CODE.match(value["code"]))
    )


def _dig(doc: dict[str, Any], *path: str) -> Any:
    value: Any = doc
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _index_rollup_entry(row: AnalysisResult, entry: dict[str, Any], version: int) -> None:
    """The roll-up's per-file figures (a first answer; the file's own summary refines them)."""
    _clear_figures(row)
    row.summary_version = version
    if version >= 2:
        row.coverage_percent = _num(entry.get("coveragePercent"))
        row.psms_accepted = _opt_count(entry.get("psmsAccepted"))
        row.peptides_accepted = _opt_count(entry.get("peptidesAccepted"))
        row.protein_groups_accepted = _opt_count(entry.get("proteinGroupsAccepted"))
        fdr = entry.get("fdrEstimable")
        row.fdr_estimable = fdr if isinstance(fdr, bool) else None
    else:
        row.coverage_percent = _num(entry.get("precursorOnlyCoveragePercent"))
        row.fragment_confirmed_coverage_percent = _num(entry.get("fragmentConfirmedCoveragePercent"))


def _index_file_figures(row: AnalysisResult, doc: dict[str, Any], version: int) -> None:
    """Neutral figures from a file summary of either version.

    v1: ``coverage.precursorOnlyPercent`` / ``fragmentConfirmedPercent`` (the retired fragment check);
    v2: ``coverage.percent`` (peptides accepted at the FDR threshold), ``identification.accepted`` and
    ``identification.fdr.estimable`` (``identification`` is null without a sequence).
    """
    _clear_figures(row)
    row.summary_version = version
    coverage = doc.get("coverage")
    coverage = coverage if isinstance(coverage, dict) else {}
    if version >= 2:
        row.coverage_percent = _num(coverage.get("percent"))
        ident = doc.get("identification")
        ident = ident if isinstance(ident, dict) else {}
        accepted = ident.get("accepted")
        accepted = accepted if isinstance(accepted, dict) else {}
        row.psms_accepted = _opt_count(accepted.get("psms"))
        row.peptides_accepted = _opt_count(accepted.get("peptides"))
        row.protein_groups_accepted = _opt_count(accepted.get("proteinGroups"))
        fdr = ident.get("fdr")
        estimable = fdr.get("estimable") if isinstance(fdr, dict) else None
        row.fdr_estimable = estimable if isinstance(estimable, bool) else None
        rate = _num(_dig(doc, "qc", "identification", "ms2IdentificationRate"))
        row.identification_rate = rate if rate is not None and 0 <= rate <= 1 else None
        row.median_abs_ppm = _num(_dig(doc, "massError", "precursor", "medianAbsPpm"))
        flags = doc.get("qcFlags")
        # Their codes (as the roll-up lists them): e.g. FDR_NOT_ESTIMABLE.
        row.qc_flags = [f["code"] for f in (flags if isinstance(flags, list) else []) if _is_flag(f)][:50]
    else:
        row.coverage_percent = _num(coverage.get("precursorOnlyPercent"))
        row.fragment_confirmed_coverage_percent = _num(coverage.get("fragmentConfirmedPercent"))


def _index_file_summary(ctx: AppContext, row: AnalysisResult, analysis_execution: str) -> None:
    if row.summary_key is None:
        return
    try:
        doc = read_json(ctx.aws.s3, ctx.settings.results_bucket, row.summary_key)
    except (ClientError, BotoCoreError):
        log.warning("file summary unreadable", extra={"analysis_id": row.analysis_id, "file_id": row.file_id})
        return
    if doc is None:
        return
    version = _version(doc)
    if version >= 2 and doc.get("executionName") != analysis_execution:
        # Another execution's file (an earlier start): its numbers are not this analysis's.
        log.warning(
            "file summary of another execution",
            extra={"analysis_id": row.analysis_id, "file_id": row.file_id},
        )
        return
    _index_file_figures(row, doc, version)
    exp = doc.get("experimentType")
    if isinstance(exp, str):
        row.experiment_type = exp
    counts = doc.get("counts")
    if isinstance(counts, dict):
        row.counts = {
            k: v for k, v in counts.items() if isinstance(v, int | float) and not isinstance(v, bool)
        }
    outputs = doc.get("outputs")
    names: list[str] = []
    for out in outputs if isinstance(outputs, list) else []:
        name = out.get("name") if isinstance(out, dict) else None
        if isinstance(name, str) and _OUTPUT_NAME.match(name) and name not in {"..", "."}:
            names.append(name)
    row.outputs = names


def _is_current(summary: dict[str, Any], analysis: Analysis) -> bool:
    """The roll-up is about this analysis and was written by this attempt (not an earlier one)."""
    if summary.get("analysisId") != analysis.id:
        return False
    written_by = summary.get("executionName")  # v2 roll-ups name their execution
    if written_by is not None:
        return bool(written_by == analysis.execution_name)
    created = summary.get("createdAt")
    if isinstance(created, str):
        try:
            written = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return True
        if written.tzinfo is not None and written < analysis.started_at - timedelta(seconds=5):
            return False
    return True


def finish(
    ctx: AppContext,
    session: Session,
    analysis: Analysis,
    status: str,
    *,
    files_succeeded: int | None = None,
    files_failed: int | None = None,
    cause: str | None = None,
    summary_key_value: str | None = None,
) -> None:
    """Record a terminal status, read the roll-up summary when there is one, index the results."""
    key = _pinned(summary_key_value, f"analyses/{analysis.id}/") or summary_key(analysis.id)
    summary = None
    try:
        summary = read_json(ctx.aws.s3, ctx.settings.results_bucket, key)
    except (ClientError, BotoCoreError):
        log.warning("roll-up summary unreadable", extra={"analysis_id": analysis.id})
    if summary is not None and _is_current(summary, analysis):
        if summary.get("status") in _TERMINAL:
            status = str(summary["status"])
        files_succeeded = _count(summary.get("filesSucceeded"))
        files_failed = _count(summary.get("filesFailed"))
        analysis.summary_key = key
        cost = summary.get("cost")
        if isinstance(cost, dict) and _num(cost.get("estimatedCostUsd")) is not None:
            analysis.estimated_cost_usd = _num(cost.get("estimatedCostUsd"))
        index_results(ctx, session, analysis, summary)
    else:
        if status != "FAILED" and files_succeeded is None:
            status = "FAILED"
            cause = cause or "the pipeline finished without a summary"
        for row in session.execute(
            select(AnalysisResult).where(
                AnalysisResult.analysis_id == analysis.id, AnalysisResult.status == "RUNNING"
            )
        ).scalars():
            row.status = "FAILED" if status == "FAILED" else row.status
            row.reason = row.reason or (cause or "no result reported for this file")[:_CAUSE_MAX]
    analysis.status = status if status in _TERMINAL else "FAILED"
    analysis.files_succeeded = files_succeeded or 0
    analysis.files_failed = (
        files_failed
        if files_failed is not None
        else (analysis.file_count if analysis.status == "FAILED" else 0)
    )
    analysis.cause = cause[:_CAUSE_MAX] if cause else None
    analysis.completed_at = utcnow()
    analysis.last_checked_at = utcnow()


# A start writes the row (RUNNING, start_state PENDING), then the manifest, then StartExecution
# (each AWS call at most ~1 min with its retries). A row still PENDING after this long belongs to
# a start whose process died: it is settled the next time anyone reads it (below).
START_GRACE = timedelta(minutes=5)


def _never_started(session: Session, analysis: Analysis) -> None:
    analysis.start_state = "START_FAILED"
    analysis.status = "FAILED"
    analysis.cause = "the analysis did not start (the service stopped while starting it); start it again"
    analysis.completed_at = utcnow()
    for row in session.execute(
        select(AnalysisResult).where(
            AnalysisResult.analysis_id == analysis.id, AnalysisResult.status == "RUNNING"
        )
    ).scalars():
        row.status = "FAILED"
        row.reason = "the analysis did not start"
        row.updated_at = utcnow()


def refresh(ctx: AppContext, session: Session, analysis: Analysis, *, force: bool = False) -> None:
    """Ask Step Functions about a RUNNING analysis, at most every STATUS_POLL_INTERVAL_SECONDS.

    A row left PENDING by a start that was interrupted (the process died between writing the row
    and StartExecution) is settled here, when it is read, counted against the user's limit or its
    sample is deleted: the execution ``<analysisId>-<attempt>`` exists (the row becomes STARTED)
    or it does not (the analysis FAILED, its slot free). Nothing runs in the background, so an
    idle API opens no database connection and hml's Aurora can pause.
    """
    if analysis.status != "RUNNING":
        return
    now = utcnow()
    pending = analysis.start_state == "PENDING"
    if pending:
        if now - analysis.started_at < START_GRACE:
            return  # a start may be in progress right now
        arn = _execution_arn(ctx.settings.state_machine_arn, analysis.execution_name)
    elif analysis.start_state == "STARTED" and analysis.execution_arn:
        arn = analysis.execution_arn
        interval = ctx.settings.status_poll_interval_seconds
        if ctx.settings.completion_queue_url:
            interval = max(interval, 60.0)  # events do the work; polling is a safety net
        if (
            not force
            and analysis.last_checked_at
            and (now - analysis.last_checked_at).total_seconds() < interval
        ):
            return
    else:
        return
    try:
        desc = ctx.aws.sfn.describe_execution(executionArn=arn)
    except (ClientError, BotoCoreError) as exc:
        if pending and isinstance(exc, ClientError) and error_code(exc) == "ExecutionDoesNotExist":
            log.warning("start was interrupted; analysis failed", extra={"analysis_id": analysis.id})
            _never_started(session, analysis)
            session.commit()
            return
        log.warning(
            "describe_execution failed", extra={"analysis_id": analysis.id, "error": type(exc).__name__}
        )
        return
    if pending:
        log.info("interrupted start had started the execution", extra={"analysis_id": analysis.id})
        analysis.execution_arn = arn
        analysis.start_state = "STARTED"
    state = desc.get("status", "RUNNING")
    if state in {"RUNNING", "PENDING_REDRIVE"}:
        analysis.last_checked_at = now
    elif state == "SUCCEEDED":
        finish(ctx, session, analysis, "SUCCEEDED")
    else:
        detail = " ".join(x for x in (desc.get("error"), desc.get("cause")) if x)
        finish(ctx, session, analysis, "FAILED", cause=f"execution {state.lower()}: {detail}".strip(": "))
    session.commit()


def running_count(session: Session, owner_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(Analysis)
            .where(Analysis.owner_id == owner_id, Analysis.status == "RUNNING")
        ).scalar_one()
    )


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    """[first instant of ``now``'s calendar month, first instant of the next) in UTC."""
    now = now.astimezone(UTC)
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    end = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


@dataclass(frozen=True)
class MonthUsage:
    month_start: datetime
    month_end: datetime
    spent_usd: float
    counted: int
    without_cost: int


def month_usage(session: Session, owner_id: str, now: datetime) -> MonthUsage:
    """The estimated cost recorded for ``owner_id``'s analyses created in ``now``'s month (UTC).

    Only recorded costs count: an analysis has one once its pipeline reported it (the completion
    event or the roll-up's ``cost.estimatedCostUsd``). A running analysis counts from then on;
    no cost is guessed for it before.
    """
    start, end = month_bounds(now)
    row = session.execute(
        select(
            func.coalesce(func.sum(Analysis.estimated_cost_usd), 0.0),
            func.count(Analysis.estimated_cost_usd),
            func.count().filter(Analysis.estimated_cost_usd.is_(None)),
        ).where(Analysis.owner_id == owner_id, Analysis.created_at >= start, Analysis.created_at < end)
    ).one()
    spent = row[0]
    return MonthUsage(start, end, float(spent or 0.0), int(row[1]), int(row[2]))


# ---------------------------------------------------------------- completion events


def apply_completion_event(
    ctx: AppContext, session: Session, detail: dict[str, Any], event_time: datetime | None = None
) -> str:
    """Apply an ``Analysis Completed`` detail (contract v1 or v2); returns an outcome label for metrics.

    A v2 event names the execution that wrote it (``executionName``); it is applied only when that
    is the analysis row's current execution. ``rerunOf`` and ``estimatedCostUsd`` are informative
    (the row knows what it reruns). A v1 event has no execution name: its EventBridge time must not
    precede the current start.
    """
    analysis_id = detail.get("analysisId")
    owner_id = detail.get("ownerId")
    status = detail.get("status")
    if not (isinstance(analysis_id, str) and _ID.match(analysis_id) and isinstance(owner_id, str)):
        return "invalid"
    if status not in _TERMINAL:
        return "invalid"
    execution = detail.get("executionName")  # v2 events name their execution; v1 events do not
    if execution is not None and not isinstance(execution, str):
        return "invalid"
    analysis = session.execute(
        select(Analysis).where(Analysis.id == analysis_id, Analysis.owner_id == owner_id).with_for_update()
    ).scalar_one_or_none()
    if analysis is None:
        return "unknown"
    if (
        analysis.status != "RUNNING"
        or (execution is not None and execution != analysis.execution_name)
        or (
            execution is None
            and event_time is not None
            and event_time < analysis.started_at - timedelta(seconds=1)
        )
    ):
        # Already final, or an event of another execution (an earlier attempt) arriving late.
        session.rollback()
        return "stale"
    cost = _num(detail.get("estimatedCostUsd"))
    if cost is not None and cost >= 0:
        analysis.estimated_cost_usd = cost
    cause = detail.get("cause")
    finish(
        ctx,
        session,
        analysis,
        str(status),
        files_succeeded=_count(detail.get("filesSucceeded")),
        files_failed=_count(detail.get("filesFailed")),
        cause=cause if isinstance(cause, str) else None,
        summary_key_value=_key(detail.get("summaryKey")),
    )
    session.commit()
    return "applied"
