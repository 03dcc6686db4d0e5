"""HTTP routes under /api. Every query is scoped to the caller; other users' objects are 404."""

from __future__ import annotations

import hmac
import logging
import re
import time
from datetime import timedelta
from typing import Annotated, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Header, Query, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import LateralFromClause

from . import analyses as svc
from .aws import error_code
from .config import MIB, Settings
from .context import AppContext, Caller, Ctx, Db, ReadDb, db_endpoint
from .contract import parameters_problem
from .errors import ApiError, bad_request, conflict, not_found
from .models import Analysis, AnalysisResult, File, Sample, User, new_id, utcnow
from .schemas import (
    AnalysisCreate,
    AnalysisList,
    AnalysisOut,
    CompleteRequest,
    ErrorResponse,
    FileCreate,
    FileCreated,
    FileOut,
    Health,
    LatestAnalysis,
    Me,
    PartsRequest,
    PresignedPart,
    PresignedParts,
    RerunRequest,
    SampleCreate,
    SampleList,
    SampleOut,
    UploadedPart,
    UploadedParts,
    UploadPlan,
    Usage,
)
from .sequences import SequenceError, normalise_sequence
from .uploads import ACCEPTED_EXTENSIONS, detect_format, object_key, part_length, plan_parts

log = logging.getLogger("biotech_api.api")

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 404, 409, 413, 422, 429, 503)
}
router = APIRouter(prefix="/api", responses=_ERRORS)
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ---------------------------------------------------------------- helpers


def _require_aws(ctx: AppContext) -> None:
    missing = ctx.settings.missing_aws_config()
    if missing:
        raise ApiError(503, "not_configured", f"service not configured: {', '.join(missing)}")


def _aws_unavailable(exc: Exception) -> ApiError:
    log.error("AWS call failed", extra={"error": type(exc).__name__})
    return ApiError(503, "storage_unavailable", "storage service unavailable, please retry")


def _owned_sample(session: Session, user_id: str, sample_id: str, *, lock: bool = False) -> Sample:
    stmt = select(Sample).where(
        Sample.id == sample_id, Sample.owner_id == user_id, Sample.deleted_at.is_(None)
    )
    if lock:
        stmt = stmt.with_for_update()
    sample = session.execute(stmt).scalar_one_or_none()
    if sample is None:
        raise not_found("sample")
    return sample


def _owned_file(session: Session, user_id: str, sample_id: str, file_id: str, *, lock: bool = False) -> File:
    stmt = (
        select(File)
        .join(Sample, Sample.id == File.sample_id)
        .where(
            File.id == file_id,
            File.sample_id == sample_id,
            File.owner_id == user_id,
            Sample.owner_id == user_id,
            Sample.deleted_at.is_(None),
        )
    )
    if lock:
        stmt = stmt.with_for_update(of=File)
    f = session.execute(stmt).scalar_one_or_none()
    if f is None:
        raise not_found("file")
    return f


def _owned_analysis(session: Session, user_id: str, analysis_id: str, *, lock: bool = False) -> Analysis:
    stmt = (
        select(Analysis)
        .join(Sample, Sample.id == Analysis.sample_id)
        .where(Analysis.id == analysis_id, Analysis.owner_id == user_id, Sample.deleted_at.is_(None))
    )
    if lock:
        stmt = stmt.with_for_update(of=Analysis)
    analysis = session.execute(stmt).scalar_one_or_none()
    if analysis is None:
        raise not_found("analysis")
    return analysis


def _file_out(f: File) -> FileOut:
    return FileOut(
        id=f.id,
        file_name=f.file_name,
        protein_name=f.protein_name,
        size_bytes=f.size_bytes,
        status=f.status,
        created_at=f.created_at,
    )


def _sample_out(s: Sample, file_count: int, files: list[File] | None = None) -> SampleOut:
    return SampleOut(
        id=s.id,
        name=s.name,
        description=s.description,
        created_at=s.created_at,
        file_count=file_count,
        files=[_file_out(f) for f in files] if files is not None else None,
    )


def _analysis_out(a: Analysis) -> AnalysisOut:
    return AnalysisOut(
        id=a.id,
        sample_id=a.sample_id,
        status=a.status,
        attempt=a.attempt,
        execution_name=a.execution_name,
        files_succeeded=a.files_succeeded,
        files_failed=a.files_failed,
        created_at=a.created_at,
        completed_at=a.completed_at,
        cause=a.cause,
        rerun_of=a.rerun_of,
        estimated_cost_usd=a.estimated_cost_usd,
        parameters=a.parameters,
    )


def _active_files_count(session: Session, sample_ids: list[str]) -> dict[str, int]:
    if not sample_ids:
        return {}
    rows = session.execute(
        select(File.sample_id, func.count())
        .where(File.sample_id.in_(sample_ids), File.status != "ABORTED")
        .group_by(File.sample_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


# ---------------------------------------------------------------- health, metrics, me


@router.get("/healthz", response_model=Health, tags=["system"])
async def healthz() -> Health:
    """Liveness: the process answers. Never touches the database."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, tags=["system"])
async def readyz(
    ctx: Ctx, response: Response, authorization: Annotated[str | None, Header()] = None
) -> Health:
    """Readiness from configuration and the outcome of the last pool checkout; no DB query.

    Not ready only after repeated connection failures with no success in the last minute, so a
    paused hml cluster (which resumes on the next real request) keeps the pod in service.
    Missing settings are named only to operators (``Authorization: Bearer $METRICS_TOKEN``) and
    in the log: this endpoint answers anyone who reaches the app.
    """
    health = ctx.db_health
    missing = ctx.settings.missing_aws_config()
    now = time.time()
    db_failing = health.consecutive_failures >= 3 and (
        health.last_ok_at is None or now - health.last_ok_at > 60
    )
    ready = not missing and not db_failing
    if not ready:
        response.status_code = 503
    return Health(
        status="ready" if ready else "not_ready",
        checks={
            "config": "ok"
            if not missing
            else (f"missing {', '.join(missing)}" if _is_operator(ctx, authorization) else "incomplete"),
            "database": "failing" if db_failing else "ok",
            "lastCheckoutAgeSeconds": round(now - health.last_ok_at, 1) if health.last_ok_at else None,
        },
    )


def _is_operator(ctx: AppContext, authorization: str | None) -> bool:
    token = ctx.settings.metrics_token
    if not token or not authorization:
        return False
    return hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode())


@router.get(
    "/metrics",
    tags=["system"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(ctx: Ctx, authorization: Annotated[str | None, Header()] = None) -> Response:
    """Prometheus metrics; requires ``Authorization: Bearer $METRICS_TOKEN`` (404 when unset)."""
    token = ctx.settings.metrics_token
    if not token:
        raise not_found("resource")
    expected = f"Bearer {token}"
    if not authorization or not hmac.compare_digest(authorization.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", "metrics token required")
    return Response(generate_latest(ctx.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/me", response_model=Me, tags=["users"])
@db_endpoint
def me(caller: Caller, session: Db) -> Me:
    user = session.get(User, caller.id)
    if user is None:  # pragma: no cover - created by the auth dependency
        raise not_found("user")
    return Me(id=user.id, email=user.email, name=user.name)


def _settle_running(ctx: AppContext, session: Session, user_id: str) -> None:
    """Ask Step Functions about the user's running analyses (at most STATUS_POLL_INTERVAL_SECONDS
    apart each), so a finished one's cost is recorded even when no completion event was read."""
    if ctx.settings.missing_aws_config():
        return
    running = session.execute(
        select(Analysis).where(Analysis.owner_id == user_id, Analysis.status == "RUNNING")
    ).scalars()
    for analysis in list(running):
        svc.refresh(ctx, session, analysis)


@router.get("/me/usage", response_model=Usage, tags=["users"])
@db_endpoint
def my_usage(caller: Caller, session: Db, ctx: Ctx) -> Usage:
    """The estimated cost of the caller's analyses created this calendar month (UTC), and the budget."""
    _settle_running(ctx, session, caller.id)
    usage = svc.month_usage(session, caller.id, utcnow())
    budget = ctx.settings.monthly_budget_usd_per_user
    return Usage(
        month=usage.month_start.strftime("%Y-%m"),
        spent_usd=round(usage.spent_usd, 6),
        budget_usd=budget,
        remaining_usd=None if budget is None else round(max(budget - usage.spent_usd, 0.0), 6),
        analyses_counted=usage.counted,
        analyses_without_cost=usage.without_cost,
        resets_at=usage.month_end,
    )


# ---------------------------------------------------------------- samples


@router.post("/samples", status_code=201, response_model=SampleOut, tags=["samples"])
@db_endpoint
def create_sample(body: SampleCreate, caller: Caller, session: Db, ctx: Ctx) -> SampleOut:
    description = (body.description or "").strip()
    if _CONTROL_CHARS.search(body.name) or _CONTROL_CHARS.search(description):
        raise bad_request("invalid_text", "name and description cannot contain control characters")
    limit = ctx.settings.max_samples_per_user
    _lock_user(session, caller.id)  # one count-then-insert at a time per user
    held = session.execute(
        select(func.count())
        .select_from(Sample)
        .where(Sample.owner_id == caller.id, Sample.deleted_at.is_(None))
    ).scalar_one()
    if held >= limit:
        raise conflict(
            "too_many_samples",
            f"you hold {held} samples and the limit is {limit} samples per user: delete samples you no "
            "longer need, or ask an administrator to raise it",
        )
    sample = Sample(
        id=new_id("s"), owner_id=caller.id, name=body.name, description=description, created_at=utcnow()
    )
    session.add(sample)
    session.commit()
    return _sample_out(sample, 0, [])


SampleStatus = Literal["NONE", "RUNNING", "SUCCEEDED", "PARTIAL", "FAILED"]


def _latest_analysis() -> LateralFromClause:
    """The sample's newest analysis (id, status, created_at), joined laterally to ``Sample``."""
    return (
        select(Analysis.id, Analysis.status, Analysis.created_at)
        .where(Analysis.sample_id == Sample.id, Analysis.owner_id == Sample.owner_id)
        .order_by(Analysis.created_at.desc(), Analysis.id.desc())
        .limit(1)
        .lateral("latest")
    )


@router.get("/samples", response_model=SampleList, tags=["samples"])
@db_endpoint
def list_samples(
    caller: Caller,
    session: ReadDb,
    q: Annotated[
        str | None, Query(max_length=200, description="Case-insensitive part of the name or description.")
    ] = None,
    status: Annotated[
        SampleStatus | None, Query(description="The latest analysis's status; NONE: no analysis yet.")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SampleList:
    """The caller's samples, newest first, each with its latest analysis: one SQL statement (a
    second one counts only when the page is past the end)."""
    latest = _latest_analysis()
    file_count = (
        select(func.count())
        .select_from(File)
        .where(File.sample_id == Sample.id, File.status != "ABORTED")
        .correlate(Sample)
        .scalar_subquery()
    )
    conditions: list[ColumnElement[bool]] = [Sample.owner_id == caller.id, Sample.deleted_at.is_(None)]
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(
            or_(Sample.name.ilike(pattern, escape="\\"), Sample.description.ilike(pattern, escape="\\"))
        )
    if status == "NONE":
        conditions.append(latest.c.id.is_(None))
    elif status is not None:
        conditions.append(latest.c.status == status)
    rows = session.execute(
        select(
            Sample,
            latest.c.id,
            latest.c.status,
            latest.c.created_at,
            file_count,
            func.count().over(),
        )
        .outerjoin(latest, true())
        .where(*conditions)
        .order_by(Sample.created_at.desc(), Sample.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    if rows:
        total = int(rows[0][5])
    else:
        total = session.execute(
            select(func.count()).select_from(Sample).outerjoin(latest, true()).where(*conditions)
        ).scalar_one()
    items = []
    for sample, aid, astatus, acreated, count, _ in rows:
        out = _sample_out(sample, int(count))
        if aid is not None:
            out.latest_analysis = LatestAnalysis(id=aid, status=astatus, created_at=acreated)
        items.append(out)
    return SampleList(items=items, total=int(total), offset=offset, limit=limit)


@router.get("/samples/{sampleId}", response_model=SampleOut, tags=["samples"])
@db_endpoint
def get_sample(sampleId: str, caller: Caller, session: ReadDb) -> SampleOut:
    """Two statements and no transaction: the sample with its latest analysis, then its files."""
    latest = _latest_analysis()
    row = session.execute(
        select(Sample, latest.c.id, latest.c.status, latest.c.created_at)
        .outerjoin(latest, true())
        .where(Sample.id == sampleId, Sample.owner_id == caller.id, Sample.deleted_at.is_(None))
    ).one_or_none()
    if row is None:
        raise not_found("sample")
    sample, aid, astatus, acreated = row
    files = list(
        session.execute(select(File).where(File.sample_id == sample.id).order_by(File.created_at)).scalars()
    )
    out = _sample_out(sample, sum(1 for f in files if f.status != "ABORTED"), files)
    if aid is not None:
        out.latest_analysis = LatestAnalysis(id=aid, status=astatus, created_at=acreated)
    return out


@router.delete("/samples/{sampleId}", status_code=204, response_class=Response, tags=["samples"])
@db_endpoint
def delete_sample(sampleId: str, caller: Caller, session: Db, ctx: Ctx) -> Response:
    """Soft delete: hidden from the owner; uploads are removed from S3; results are kept."""
    sample = _owned_sample(session, caller.id, sampleId, lock=True)
    running = list(
        session.execute(
            select(Analysis).where(Analysis.sample_id == sample.id, Analysis.status == "RUNNING")
        ).scalars()
    )
    for analysis in running:
        svc.refresh(ctx, session, analysis, force=True)
        if analysis.status == "RUNNING":
            raise conflict("analysis_running", "an analysis of this sample is still running")
    sample.deleted_at = utcnow()
    files = list(session.execute(select(File).where(File.sample_id == sample.id)).scalars())
    session.commit()
    if not ctx.settings.missing_aws_config():
        _delete_uploads(ctx, session, files)
    return Response(status_code=204)


def _delete_uploads(ctx: AppContext, session: Session, files: list[File]) -> None:
    bucket = ctx.settings.uploads_bucket
    with_sequence = set(
        session.execute(
            select(File.id).where(File.id.in_([f.id for f in files]), File.sequence_fasta.is_not(None))
        ).scalars()
    )
    for f in files:
        try:
            if f.status == "UPLOADING" and f.upload_id:
                try:
                    ctx.aws.s3.abort_multipart_upload(Bucket=bucket, Key=f.s3_key, UploadId=f.upload_id)
                except ClientError as exc:
                    if error_code(exc) != "NoSuchUpload":
                        raise
                f.status = "ABORTED"
            # The input, and the FASTA an analysis start wrote next to it.
            for key in (f.s3_key, svc.sequence_key(f)) if f.id in with_sequence else (f.s3_key,):
                ctx.aws.s3.delete_object(Bucket=bucket, Key=key)
            f.object_deleted_at = utcnow()
        except (ClientError, BotoCoreError):
            # The uploads bucket's lifecycle rule removes what is left after 365 days.
            log.warning("upload not deleted", extra={"file_id": f.id})
    session.commit()


# ---------------------------------------------------------------- files and multipart uploads


@router.post("/samples/{sampleId}/files", status_code=201, response_model=FileCreated, tags=["files"])
@db_endpoint
def register_file(sampleId: str, body: FileCreate, caller: Caller, session: Db, ctx: Ctx) -> FileCreated:
    _require_aws(ctx)
    settings = ctx.settings
    fmt = detect_format(body.file_name)
    if fmt is None:
        raise bad_request("unsupported_file_type", f"accepted file types: {ACCEPTED_EXTENSIONS}")
    if body.size_bytes > settings.max_upload_bytes:
        raise ApiError(413, "file_too_large", f"files are limited to {settings.max_upload_bytes} bytes")
    sequence = None
    if body.sequence is not None:
        # A bare sequence or FASTA, normalised to the FASTA the worker reads; refused here (422,
        # naming the problem) rather than failing the file later with BAD_FASTA.
        try:
            sequence = normalise_sequence(body.sequence, body.protein_name)
        except SequenceError as exc:
            raise ApiError(422, "invalid_sequence", f"sequence: {exc}") from exc
    # The user's row first (as analysis starts do), then the sample: registrations of one user run
    # one at a time, so the quota's sum-then-insert cannot be raced past the quota.
    _lock_user(session, caller.id)
    sample = _owned_sample(session, caller.id, sampleId, lock=True)
    existing = session.execute(
        select(func.count()).select_from(File).where(File.sample_id == sample.id, File.status != "ABORTED")
    ).scalar_one()
    if existing >= settings.max_files_per_sample:
        raise conflict("too_many_files", f"a sample holds at most {settings.max_files_per_sample} files")
    _enforce_storage_quota(session, settings, caller.id, body.size_bytes)
    plan = plan_parts(body.size_bytes, settings.default_part_size_bytes)
    file_id = new_id("f")
    key = object_key(caller.id, sample.id, file_id, fmt)
    try:
        mpu = ctx.aws.s3.create_multipart_upload(
            Bucket=settings.uploads_bucket,
            Key=key,
            ContentType="application/octet-stream",
            Metadata={"file-id": file_id, "sample-id": sample.id, "owner-id": caller.id},
        )
    except (ClientError, BotoCoreError) as exc:
        raise _aws_unavailable(exc) from exc
    f = File(
        id=file_id,
        sample_id=sample.id,
        owner_id=caller.id,
        file_name=body.file_name,
        protein_name=body.protein_name or None,
        format=fmt,
        size_bytes=body.size_bytes,
        sha256=body.sha256,
        sequence_fasta=sequence,
        s3_key=key,
        upload_id=mpu["UploadId"],
        part_size_bytes=plan.part_size_bytes,
        part_count=plan.part_count,
        status="UPLOADING",
        created_at=utcnow(),
    )
    session.add(f)
    session.commit()
    return FileCreated(
        file=_file_out(f), upload=UploadPlan(part_size_bytes=plan.part_size_bytes, part_count=plan.part_count)
    )


def _mib(n: int) -> str:
    return f"{n / MIB:.1f} MiB"


def storage_in_use(session: Session, settings: Settings, user_id: str) -> tuple[int, int]:
    """(bytes stored, bytes in flight) that count against a user's storage quota.

    Stored: completed uploads whose object was not deleted, within the uploads bucket's expiry.
    In flight: the declared sizes of multipart uploads registered and neither completed nor
    aborted, within the bucket's abort-incomplete-uploads window (S3 removes them after that).
    """
    now = utcnow()
    stored_since = now - timedelta(days=settings.uploads_retention_days)
    flight_since = now - timedelta(days=settings.incomplete_upload_days)
    row = session.execute(
        select(
            func.coalesce(
                func.sum(File.size_bytes).filter(
                    File.status == "UPLOADED", File.completed_at >= stored_since
                ),
                0,
            ),
            func.coalesce(
                func.sum(File.size_bytes).filter(File.status == "UPLOADING", File.created_at >= flight_since),
                0,
            ),
        ).where(File.owner_id == user_id, File.object_deleted_at.is_(None))
    ).one()
    return int(row[0]), int(row[1])


def _enforce_storage_quota(session: Session, settings: Settings, user_id: str, size_bytes: int) -> None:
    """Refuse (409) a file that would take the user past their quota; the caller holds the user lock."""
    quota = settings.max_storage_bytes_per_user
    stored, in_flight = storage_in_use(session, settings, user_id)
    total = stored + in_flight + size_bytes
    if total > quota:
        raise conflict(
            "storage_quota_exceeded",
            f"storage quota exceeded: this file ({_mib(size_bytes)}) would bring your storage to "
            f"{_mib(total)}, over your quota of {_mib(quota)} (stored {_mib(stored)}, uploading "
            f"{_mib(in_flight)}). Delete samples you no longer need or cancel unfinished uploads, "
            "or ask an administrator to raise the quota.",
        )


def _uploading(f: File) -> str:
    if f.status != "UPLOADING" or not f.upload_id:
        raise conflict("not_uploading", f"file is {f.status}")
    return f.upload_id


@router.post("/samples/{sampleId}/files/{fileId}/parts", response_model=PresignedParts, tags=["files"])
@db_endpoint
def presign_parts(
    sampleId: str,
    fileId: str,
    body: PartsRequest,
    caller: Caller,
    session: ReadDb,
    ctx: Ctx,
) -> PresignedParts:
    """Presigned ``UploadPart`` URLs (PUT the part bytes; keep each response's ETag)."""
    _require_aws(ctx)
    f = _owned_file(session, caller.id, sampleId, fileId)
    upload_id = _uploading(f)
    numbers = sorted(set(body.part_numbers))
    if numbers[-1] > f.part_count:
        raise bad_request("invalid_part_number", f"part numbers go from 1 to {f.part_count}")
    expiry = ctx.settings.presign_expiry_seconds
    expires_at = utcnow() + timedelta(seconds=expiry)
    # Each URL signs the part's exact length (``content-length`` in X-Amz-SignedHeaders): S3
    # refuses a PUT of any other size, so nobody can store 5 GiB parts against a small upload.
    parts = [
        PresignedPart(
            part_number=n,
            size_bytes=part_length(f.size_bytes, f.part_size_bytes, f.part_count, n),
            url=ctx.aws.s3.generate_presigned_url(
                "upload_part",
                Params={
                    "Bucket": ctx.settings.uploads_bucket,
                    "Key": f.s3_key,
                    "UploadId": upload_id,
                    "PartNumber": n,
                    "ContentLength": part_length(f.size_bytes, f.part_size_bytes, f.part_count, n),
                },
                ExpiresIn=expiry,
                HttpMethod="PUT",
            ),
            expires_at=expires_at,
        )
        for n in numbers
    ]
    return PresignedParts(parts=parts)


@router.get("/samples/{sampleId}/files/{fileId}/parts", response_model=UploadedParts, tags=["files"])
@db_endpoint
def list_parts(sampleId: str, fileId: str, caller: Caller, session: ReadDb, ctx: Ctx) -> UploadedParts:
    """Parts already stored (to resume an interrupted upload)."""
    _require_aws(ctx)
    f = _owned_file(session, caller.id, sampleId, fileId)
    upload_id = _uploading(f)
    parts: list[UploadedPart] = []
    marker = 0
    try:
        while True:
            resp = ctx.aws.s3.list_parts(
                Bucket=ctx.settings.uploads_bucket, Key=f.s3_key, UploadId=upload_id, PartNumberMarker=marker
            )
            parts.extend(
                UploadedPart(part_number=p["PartNumber"], etag=p["ETag"], size_bytes=p["Size"])
                for p in resp.get("Parts", [])
            )
            if not resp.get("IsTruncated"):
                break
            marker = int(resp.get("NextPartNumberMarker", 0))
    except ClientError as exc:
        if error_code(exc) == "NoSuchUpload":
            raise conflict("upload_missing", "the upload no longer exists; register the file again") from exc
        raise _aws_unavailable(exc) from exc
    except BotoCoreError as exc:
        raise _aws_unavailable(exc) from exc
    return UploadedParts(parts=parts)


@router.post("/samples/{sampleId}/files/{fileId}/complete", response_model=FileOut, tags=["files"])
@db_endpoint
def complete_upload(
    sampleId: str,
    fileId: str,
    body: CompleteRequest,
    caller: Caller,
    session: Db,
    ctx: Ctx,
) -> FileOut:
    _require_aws(ctx)
    f = _owned_file(session, caller.id, sampleId, fileId, lock=True)
    if f.status == "UPLOADED":
        return _file_out(f)  # a retried completion
    upload_id = _uploading(f)
    numbers = [p.part_number for p in body.parts]
    if numbers != list(range(1, f.part_count + 1)):
        raise bad_request("invalid_parts", f"list parts 1 to {f.part_count} once each, in order")
    bucket = ctx.settings.uploads_bucket
    try:
        ctx.aws.s3.complete_multipart_upload(
            Bucket=bucket,
            Key=f.s3_key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in body.parts]},
        )
    except ClientError as exc:
        code = error_code(exc)
        if code in {"InvalidPart", "InvalidPartOrder", "EntityTooSmall", "MalformedXML"}:
            raise bad_request(
                "invalid_parts", "parts missing, too small or with wrong ETags; list them and retry"
            ) from exc
        if code != "NoSuchUpload":
            raise _aws_unavailable(exc) from exc
        # Possibly completed by an earlier attempt whose answer was lost: the object decides.
    except BotoCoreError as exc:
        raise _aws_unavailable(exc) from exc
    # The object's size from a listing, not HeadObject: S3 authorises HeadObject as s3:GetObject,
    # which the uploads bucket denies until GuardDuty has tagged an object clean (malware
    # scanning), and the API never needs an upload's bytes. Listing is strongly consistent.
    try:
        listed = ctx.aws.s3.list_objects_v2(Bucket=bucket, Prefix=f.s3_key, MaxKeys=1)
    except (ClientError, BotoCoreError) as exc:
        raise _aws_unavailable(exc) from exc
    found = [o for o in listed.get("Contents", []) if o.get("Key") == f.s3_key]
    if not found:
        raise conflict("upload_missing", "the upload no longer exists; register the file again")
    size = found[0].get("Size")
    if size != f.size_bytes:
        try:
            ctx.aws.s3.delete_object(Bucket=bucket, Key=f.s3_key)
        except (ClientError, BotoCoreError):
            log.warning("could not delete mis-sized upload", extra={"file_id": f.id})
        f.status = "ABORTED"
        session.commit()
        raise ApiError(422, "size_mismatch", f"uploaded {size} bytes, declared {f.size_bytes}")
    f.status = "UPLOADED"
    f.completed_at = utcnow()
    session.commit()
    ctx.metrics.uploads_completed.inc()
    return _file_out(f)


@router.post(
    "/samples/{sampleId}/files/{fileId}/abort", status_code=204, response_class=Response, tags=["files"]
)
@db_endpoint
def abort_upload(sampleId: str, fileId: str, caller: Caller, session: Db, ctx: Ctx) -> Response:
    _require_aws(ctx)
    f = _owned_file(session, caller.id, sampleId, fileId, lock=True)
    if f.status == "ABORTED":
        return Response(status_code=204)
    upload_id = _uploading(f)
    try:
        ctx.aws.s3.abort_multipart_upload(
            Bucket=ctx.settings.uploads_bucket, Key=f.s3_key, UploadId=upload_id
        )
    except ClientError as exc:
        if error_code(exc) != "NoSuchUpload":
            raise _aws_unavailable(exc) from exc
    except BotoCoreError as exc:
        raise _aws_unavailable(exc) from exc
    f.status = "ABORTED"
    session.commit()
    return Response(status_code=204)


# ---------------------------------------------------------------- analyses


def _lock_user(session: Session, user_id: str) -> None:
    """Serialise analysis starts of one user (concurrency limit, idempotency keys)."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update()).one()


def _enforce_limit(ctx: AppContext, session: Session, user_id: str) -> None:
    limit = ctx.settings.max_concurrent_analyses_per_user
    if svc.running_count(session, user_id) < limit:
        return
    running = session.execute(
        select(Analysis).where(Analysis.owner_id == user_id, Analysis.status == "RUNNING")
    ).scalars()
    for analysis in list(running):
        svc.refresh(ctx, session, analysis)
    _lock_user(session, user_id)
    if svc.running_count(session, user_id) >= limit:
        raise ApiError(
            429,
            "too_many_analyses",
            f"at most {limit} analyses may run at once; wait for one to finish",
            headers={"Retry-After": "30"},
        )


def _enforce_budget(ctx: AppContext, session: Session, user_id: str) -> None:
    """Refuse (409) a start or rerun once the month's recorded cost reaches the user's budget.

    The caller holds the user lock, so two starts of one user cannot both pass on the same spend.
    Only costs already recorded count (no estimate is made for the analysis being started): the
    month can end above the limit by what the analyses running at the time cost, at most
    MAX_CONCURRENT_ANALYSES_PER_USER of them.
    """
    limit = ctx.settings.monthly_budget_usd_per_user
    if limit is None:
        return
    _settle_running(ctx, session, user_id)
    _lock_user(session, user_id)  # refresh may have committed
    usage = svc.month_usage(session, user_id, utcnow())
    if usage.spent_usd >= limit:
        raise conflict(
            "monthly_budget_exceeded",
            f"monthly budget reached: your analyses started in {usage.month_start:%B %Y} (UTC) have an "
            f"estimated cost of ${usage.spent_usd:.2f}, at or over your monthly limit of ${limit:.2f}. "
            f"New analyses and reruns can start again on {usage.month_end:%Y-%m-%d} 00:00 UTC, or ask an "
            "administrator to raise the limit (the API setting MONTHLY_BUDGET_USD_PER_USER).",
        )


def _check_background_proteome(parameters: dict[str, Any] | None, owner_id: str) -> None:
    """A background proteome must be one of the caller's own objects in the uploads bucket.

    The contract allows any key in that bucket, and the worker reads it with its own role: without
    this check one user could have another user's upload searched and see it in their results.
    """
    background = (parameters or {}).get("backgroundProteome")
    key = background.get("key") if isinstance(background, dict) else None
    prefix = f"uploads/{owner_id}/"
    if isinstance(key, str) and (not key.startswith(prefix) or "/../" in f"/{key}/"):
        raise ApiError(
            422,
            "validation_error",
            f"$.parameters.backgroundProteome.key: must be one of your own uploads (a key under {prefix})",
        )


@router.post("/samples/{sampleId}/analyses", status_code=202, response_model=AnalysisOut, tags=["analyses"])
@db_endpoint
def start_analysis(
    sampleId: str,
    caller: Caller,
    session: Db,
    ctx: Ctx,
    body: AnalysisCreate | None = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> AnalysisOut:
    """Write the manifest and start the pipeline. Repeat with the same Idempotency-Key safely."""
    _require_aws(ctx)
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise bad_request("invalid_idempotency_key", "Idempotency-Key: 1-255 visible ASCII characters")
    _check_background_proteome(body.parameters if body else None, caller.id)
    _lock_user(session, caller.id)
    if idempotency_key is not None:
        previous = session.execute(
            select(Analysis).where(
                Analysis.owner_id == caller.id, Analysis.idempotency_key == idempotency_key
            )
        ).scalar_one_or_none()
        if previous is not None:
            if previous.sample_id != sampleId:
                raise conflict("idempotency_key_reused", "this Idempotency-Key was used for another sample")
            _owned_sample(session, caller.id, sampleId)
            if previous.start_state != "STARTED" and previous.attempt == 1:
                previous.start_state = "PENDING"
                previous.status = "RUNNING"
                previous.started_at = utcnow()  # a start in progress, not an interrupted one
                previous.cause = None
                previous.completed_at = None
                session.commit()
                svc.launch(ctx, session, previous)
            session.commit()
            return _analysis_out(previous)
    sample = _owned_sample(session, caller.id, sampleId)
    files = list(
        session.execute(
            select(File).where(File.sample_id == sample.id).order_by(File.created_at, File.id)
        ).scalars()
    )
    if any(f.status == "UPLOADING" for f in files):
        raise conflict(
            "upload_in_progress", "wait until every file is uploaded (or abort the unfinished ones)"
        )
    uploaded = [f for f in files if f.status == "UPLOADED"]
    if not uploaded:
        raise conflict("no_files", "upload at least one file before starting an analysis")
    _enforce_budget(ctx, session, caller.id)
    _enforce_limit(ctx, session, caller.id)
    parameters = dict(body.parameters) if body and body.parameters else {}
    analysis, created = _insert_analysis(session, caller.id, sample.id, uploaded, parameters, idempotency_key)
    if created:
        svc.launch(ctx, session, analysis)
    return _analysis_out(analysis)


@router.get("/samples/{sampleId}/analyses", response_model=AnalysisList, tags=["analyses"])
@db_endpoint
def list_analyses(sampleId: str, caller: Caller, session: Db, ctx: Ctx) -> AnalysisList:
    sample = _owned_sample(session, caller.id, sampleId)
    items = list(
        session.execute(
            select(Analysis)
            .where(Analysis.sample_id == sample.id, Analysis.owner_id == caller.id)
            .order_by(Analysis.created_at.desc())
            .limit(500)
        ).scalars()
    )
    if not ctx.settings.missing_aws_config():
        for analysis in items:
            svc.refresh(ctx, session, analysis)
    return AnalysisList(items=[_analysis_out(a) for a in items])


@router.get("/analyses/{analysisId}", response_model=AnalysisOut, tags=["analyses"])
@db_endpoint
def get_analysis(analysisId: str, caller: Caller, session: Db, ctx: Ctx) -> AnalysisOut:
    analysis = _owned_analysis(session, caller.id, analysisId)
    if not ctx.settings.missing_aws_config():
        svc.refresh(ctx, session, analysis)
    return _analysis_out(analysis)


@router.post("/analyses/{analysisId}/rerun", status_code=202, response_model=AnalysisOut, tags=["analyses"])
@db_endpoint
def rerun_analysis(
    analysisId: str,
    caller: Caller,
    session: Db,
    ctx: Ctx,
    body: RerunRequest | None = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> AnalysisOut:
    """Run the files again as a NEW analysis (new id, ``rerunOf`` = this one).

    No body: the same files and parameters. ``parameters`` replaces them (validated like a start's);
    ``failedFilesOnly`` takes only the files whose result was FAILED (409 when there are none).

    The earlier analysis, its rows and its results stay as they were (they are kept for years).
    Repeat with the same Idempotency-Key safely. ``<analysisId>-<attempt>`` execution names are only
    for retrying the same start, never for a rerun.
    """
    _require_aws(ctx)
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise bad_request("invalid_idempotency_key", "Idempotency-Key: 1-255 visible ASCII characters")
    new_parameters = body.parameters if body is not None else None
    if new_parameters is not None:
        _check_background_proteome(new_parameters, caller.id)
    _lock_user(session, caller.id)
    if idempotency_key is not None:
        previous = session.execute(
            select(Analysis).where(
                Analysis.owner_id == caller.id, Analysis.idempotency_key == idempotency_key
            )
        ).scalar_one_or_none()
        if previous is not None:
            if previous.rerun_of != analysisId:
                raise conflict("idempotency_key_reused", "this Idempotency-Key was used for another request")
            return _analysis_out(previous)
    earlier = _owned_analysis(session, caller.id, analysisId)
    svc.refresh(ctx, session, earlier, force=True)
    if earlier.status == "RUNNING":
        raise conflict("analysis_running", "the analysis is still running")
    files = svc.analysis_files(session, earlier)
    if body is not None and body.failed_files_only:
        failed = set(
            session.execute(
                select(AnalysisResult.file_id).where(
                    AnalysisResult.analysis_id == earlier.id, AnalysisResult.status == "FAILED"
                )
            ).scalars()
        )
        files = [f for f in files if f.id in failed]
        if not files:
            raise conflict(
                "nothing_to_rerun",
                "no file of this analysis failed: leave failedFilesOnly out to rerun every file",
            )
    if not files or any(f.status != "UPLOADED" or f.object_deleted_at is not None for f in files):
        raise conflict("inputs_missing", "some input files of this analysis are no longer available")
    parameters = dict(new_parameters) if new_parameters is not None else dict(earlier.parameters or {})
    problem = parameters_problem(parameters)
    if problem is not None:
        # Parameters of an analysis started under an earlier contract (e.g. the retired fragment
        # check) cannot be sent again as they are: say what to change and start a new analysis.
        raise ApiError(
            422,
            "parameters_not_current",
            f"this analysis's parameters no longer follow the contract ({problem}); "
            "start a new analysis of the sample with current parameters",
        )
    _enforce_budget(ctx, session, caller.id)
    _enforce_limit(ctx, session, caller.id)
    rerun, created = _insert_analysis(
        session, caller.id, earlier.sample_id, files, parameters, idempotency_key, rerun_of=earlier.id
    )
    if created:
        svc.launch(ctx, session, rerun)
    return _analysis_out(rerun)


def _insert_analysis(
    session: Session,
    owner_id: str,
    sample_id: str,
    files: list[File],
    parameters: dict[str, Any],
    idempotency_key: str | None,
    rerun_of: str | None = None,
) -> tuple[Analysis, bool]:
    """Commit a RUNNING (start PENDING) analysis with one RUNNING result per file, before it is
    launched. When a concurrent request with the same Idempotency-Key won the race, answer with
    its analysis instead (``False``: launched by that request)."""
    analysis_id = new_id("a")
    now = utcnow()
    analysis = Analysis(
        id=analysis_id,
        sample_id=sample_id,
        owner_id=owner_id,
        status="RUNNING",
        start_state="PENDING",
        attempt=1,
        execution_name=svc.execution_name(analysis_id, 1),
        idempotency_key=idempotency_key,
        parameters=parameters,
        manifest_key=svc.manifest_key(analysis_id),
        file_count=len(files),
        files_succeeded=0,
        files_failed=0,
        created_at=now,
        started_at=now,
        rerun_of=rerun_of,
    )
    session.add(analysis)
    try:
        session.flush()
        session.add_all(
            AnalysisResult(
                analysis_id=analysis_id, file_id=f.id, position=position, status="RUNNING", updated_at=now
            )
            for position, f in enumerate(files)
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        winner = (
            session.execute(
                select(Analysis).where(
                    Analysis.owner_id == owner_id, Analysis.idempotency_key == idempotency_key
                )
            ).scalar_one_or_none()
            if idempotency_key is not None
            else None
        )
        if winner is None or winner.rerun_of != rerun_of:
            raise conflict("conflict", "concurrent update, please retry") from exc
        return winner, False
    return analysis, True


def request_route(request: Request) -> str:
    route = request.scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"
