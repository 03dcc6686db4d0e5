"""Results routes under /api: per-file results, download links, tables, coverage, archive, compare.

Everything is read from the results bucket with the API's own role, never from the browser, and
only for the caller's own analyses (another user's ids are 404, as everywhere).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated, Literal

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import analyses as svc
from . import archive, coverage, tables
from .api import _ERRORS, _aws_unavailable, _owned_analysis, _require_aws
from .aws import error_code, read_json
from .context import AppContext, Caller, Ctx, Db, db_endpoint
from .errors import ApiError, conflict, not_found
from .models import Analysis, AnalysisResult, File, Sample, utcnow
from .outputs import OutputKind, output_kind, presign, slug, stable_name
from .schemas import (
    AnalysisResults,
    CompareAnalysis,
    CompareCell,
    CompareProtein,
    Comparison,
    Coverage,
    Download,
    DownloadLink,
    FileResult,
    TablePage,
)

log = logging.getLogger("biotech_api.results")

router = APIRouter(prefix="/api", responses=_ERRORS)


# ---------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Output:
    """One object the worker wrote for a file: its own name, its key and its stable name."""

    output: str
    key: str
    name: str

    @property
    def kind(self) -> OutputKind:
        return output_kind(self.output)


def file_outputs(analysis: Analysis, sample: Sample, f: File, result: AnalysisResult) -> list[Output]:
    """summary.json, then the outputs the file summary lists, then error.json (a failed file)."""
    prefix = svc.file_prefix(analysis.id, f.id)
    pairs: list[tuple[str, str]] = []
    if result.summary_key:
        pairs.append(("summary.json", result.summary_key))
    pairs.extend((name, prefix + name) for name in result.outputs or [])
    if result.error_key:
        pairs.append(("error.json", result.error_key))
    return [Output(o, key, stable_name(sample.name, f.protein_name, f.file_name, o)) for o, key in pairs]


def _require_finished(analysis: Analysis) -> None:
    if analysis.status == "RUNNING":
        raise conflict(
            "results_not_ready",
            "the analysis is still running: its results can be read once it has finished "
            "(poll GET /api/analyses/{analysisId})",
        )


def _aws_ready(ctx: AppContext) -> bool:
    return not ctx.settings.missing_aws_config()


def _sample(session: Session, analysis: Analysis) -> Sample:
    sample = session.get(Sample, analysis.sample_id)
    if sample is None:  # pragma: no cover - the analysis was found through its sample
        raise not_found("sample")
    return sample


def _finished_analysis(ctx: AppContext, session: Session, user_id: str, analysis_id: str) -> Analysis:
    analysis = _owned_analysis(session, user_id, analysis_id)
    if _aws_ready(ctx):
        svc.refresh(ctx, session, analysis)
    _require_finished(analysis)
    return analysis


def _file_result(
    session: Session, analysis: Analysis, file_id: str, user_id: str
) -> tuple[AnalysisResult, File]:
    row = session.execute(
        select(AnalysisResult, File)
        .join(File, File.id == AnalysisResult.file_id)
        .where(
            AnalysisResult.analysis_id == analysis.id,
            AnalysisResult.file_id == file_id,
            File.owner_id == user_id,
        )
    ).one_or_none()
    if row is None:
        raise not_found("file of this analysis")
    return row[0], row[1]


def _download(ctx: AppContext, out: Output) -> Download:
    url, _ = presign(
        ctx.aws.s3,
        ctx.settings.results_bucket,
        out.key,
        out.name,
        out.kind,
        ctx.settings.download_expiry_seconds,
    )
    return Download(name=out.name, output=out.output, kind=out.kind, url=url)


# ---------------------------------------------------------------- per-file results


def _result_rows(session: Session, analysis: Analysis, owner_id: str) -> list[tuple[AnalysisResult, File]]:
    """The analysis's per-file results with their files, in the order the files were given."""
    rows = session.execute(
        select(AnalysisResult, File)
        .join(File, File.id == AnalysisResult.file_id)
        .where(AnalysisResult.analysis_id == analysis.id, File.owner_id == owner_id)
        .order_by(AnalysisResult.position)
    ).all()
    return [(result, f) for result, f in rows]


@router.get("/analyses/{analysisId}/results", response_model=AnalysisResults, tags=["analyses"])
@db_endpoint
def get_results(analysisId: str, caller: Caller, session: Db, ctx: Ctx) -> AnalysisResults:
    """Per-file results with presigned download links (summary, data files, plots, error)."""
    analysis = _owned_analysis(session, caller.id, analysisId)
    aws_ready = _aws_ready(ctx)
    if aws_ready:
        svc.refresh(ctx, session, analysis)
    sample = _sample(session, analysis)
    rows = _result_rows(session, analysis, caller.id)
    files: list[FileResult] = []
    for result, f in rows:
        downloads: list[Download] = []
        if aws_ready and analysis.status != "RUNNING":
            downloads = [_download(ctx, out) for out in file_outputs(analysis, sample, f, result)]
        files.append(
            FileResult(
                file_id=f.id,
                file_name=f.file_name,
                protein_name=f.protein_name,
                status=result.status,
                summary_version=result.summary_version,
                coverage_percent=result.coverage_percent,
                psms_accepted=result.psms_accepted,
                peptides_accepted=result.peptides_accepted,
                protein_groups_accepted=result.protein_groups_accepted,
                fdr_estimable=result.fdr_estimable,
                fragment_confirmed_coverage_percent=result.fragment_confirmed_coverage_percent,
                experiment_type=result.experiment_type,
                counts=result.counts,
                reason=result.reason,
                identification_rate=result.identification_rate,
                median_abs_ppm=result.median_abs_ppm,
                qc_flags=list(result.qc_flags or []),
                downloads=downloads,
            )
        )
    return AnalysisResults(analysis_id=analysis.id, status=analysis.status, files=files)


# ---------------------------------------------------------------- tables


KindParam = Annotated[tables.TableKind, Path(description="psms, peptides or proteins")]
Offset = Annotated[
    int, Query(ge=0, le=100_000_000, description="Rows to skip (after filtering and sorting).")
]
SortParam = Annotated[str | None, Query(max_length=64, description="A column of the table.")]
OrderParam = Annotated[Literal["asc", "desc"], Query()]
FilterParam = Annotated[
    str | None,
    Query(alias="filter", max_length=200, description="Case-insensitive substring of any text column."),
]
AcceptedParam = Annotated[bool | None, Query(description="Only accepted (true) or rejected (false) rows.")]
PeptideParam = Annotated[str | None, Query(max_length=200, description="Exact peptide sequence.")]
ProteinParam = Annotated[
    str | None, Query(max_length=200, description="An accession among the row's ';'-separated proteins.")
]


def load_table(ctx: AppContext, key: str) -> tables.Table:
    """The parsed table at ``key`` in the results bucket (from the LRU when its ETag is known)."""
    bucket = ctx.settings.results_bucket
    try:
        head = ctx.aws.s3.head_object(Bucket=bucket, Key=key)
        size = int(head.get("ContentLength", 0))
        if size > tables.MAX_TABLE_BYTES:
            raise ApiError(
                413,
                "table_too_large",
                f"this table is {size} bytes, above the {tables.MAX_TABLE_BYTES} bytes the API reads: "
                "download the file itself instead",
            )
        cache_key = (bucket, key, str(head.get("ETag", "")))
        table = tables.CACHE.get(cache_key)
        if table is not None:
            return table
        obj = ctx.aws.s3.get_object(Bucket=bucket, Key=key)
        data = obj["Body"].read(tables.MAX_TABLE_BYTES + 1)
        obj["Body"].close()
    except ClientError as exc:
        if error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
            raise not_found("table") from exc
        raise _aws_unavailable(exc) from exc
    except BotoCoreError as exc:
        raise _aws_unavailable(exc) from exc
    if len(data) > tables.MAX_TABLE_BYTES:
        raise ApiError(413, "table_too_large", f"this table is above {tables.MAX_TABLE_BYTES} bytes")
    try:
        table = tables.parse_table(data)
    except tables.TableError as exc:
        log.warning("unreadable table", extra={"key": key, "error": str(exc)})
        raise ApiError(502, "table_unreadable", f"the stored table cannot be read: {exc}") from exc
    tables.CACHE.put((bucket, key, str(obj.get("ETag", cache_key[2]))), table, len(data))
    return table


def _table_rows(
    ctx: AppContext,
    session: Session,
    user_id: str,
    analysis_id: str,
    file_id: str,
    kind: tables.TableKind,
    query: tables.TableQuery,
) -> tuple[tables.Table, list[tables.Row], str]:
    """The filtered, sorted rows of one table, and the table's stable download name."""
    _require_aws(ctx)
    analysis = _finished_analysis(ctx, session, user_id, analysis_id)
    result, f = _file_result(session, analysis, file_id, user_id)
    output = f"{kind}.csv"
    if output not in (result.outputs or []):
        raise not_found(f"{output} of this file (the file has no such table; a failed file has none)")
    name = stable_name(_sample(session, analysis).name, f.protein_name, f.file_name, output)
    table = load_table(ctx, svc.file_prefix(analysis.id, f.id) + output)
    if query.sort is not None and query.sort not in table.columns:
        raise ApiError(
            422,
            "validation_error",
            f"sort: {query.sort!r} is not a column of {output}; use one of: {', '.join(table.columns)}",
        )
    return table, tables.select_rows(table, query), name


def _query(
    sort: str | None,
    order: str,
    text: str | None,
    accepted: bool | None,
    peptide: str | None,
    protein: str | None,
) -> tables.TableQuery:
    return tables.TableQuery(
        sort=sort or None,
        descending=order == "desc",
        text=text or None,
        accepted=accepted,
        peptide=peptide or None,
        protein=protein or None,
    )


@router.get(
    "/analyses/{analysisId}/files/{fileId}/tables/{kind}.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "The filtered, sorted table as CSV"}},
    tags=["results"],
)
@db_endpoint
def export_table(
    analysisId: str,
    fileId: str,
    kind: KindParam,
    caller: Caller,
    session: Db,
    ctx: Ctx,
    sort: SortParam = None,
    order: OrderParam = "asc",
    text: FilterParam = None,
    accepted: AcceptedParam = None,
    peptide: PeptideParam = None,
    protein: ProteinParam = None,
) -> StreamingResponse:
    """The whole table after the same filters and sort as the JSON route, saved under its stable name."""
    query = _query(sort, order, text, accepted, peptide, protein)
    table, rows, name = _table_rows(ctx, session, caller.id, analysisId, fileId, kind, query)
    return StreamingResponse(
        tables.iter_csv(table, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/analyses/{analysisId}/files/{fileId}/tables/{kind}", response_model=TablePage, tags=["results"])
@db_endpoint
def get_table(
    analysisId: str,
    fileId: str,
    kind: KindParam,
    caller: Caller,
    session: Db,
    ctx: Ctx,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    sort: SortParam = None,
    order: OrderParam = "asc",
    text: FilterParam = None,
    accepted: AcceptedParam = None,
    peptide: PeptideParam = None,
    protein: ProteinParam = None,
) -> TablePage:
    """A page of one of the worker's tables: numbers as numbers, accepted/decoy as booleans, empty
    cells null; ``total`` counts the rows after filtering."""
    query = _query(sort, order, text, accepted, peptide, protein)
    table, rows, _ = _table_rows(ctx, session, caller.id, analysisId, fileId, kind, query)
    return TablePage(
        kind=kind,
        columns=list(table.columns),
        rows=tables.as_objects(table, rows[offset : offset + limit]),
        total=len(rows),
        offset=offset,
        limit=limit,
    )


# ---------------------------------------------------------------- coverage


@router.get("/analyses/{analysisId}/files/{fileId}/coverage", response_model=Coverage, tags=["results"])
@db_endpoint
def get_coverage(analysisId: str, fileId: str, caller: Caller, session: Db, ctx: Ctx) -> Coverage:
    """Per protein: coverage from summary.json, the sequence from the file's FASTA and where each
    target peptide of peptides.csv lies in it (1-based, inclusive)."""
    _require_aws(ctx)
    analysis = _finished_analysis(ctx, session, caller.id, analysisId)
    result, f = _file_result(session, analysis, fileId, caller.id)
    if not result.summary_key:
        raise not_found("coverage of this file (a failed file has none)")
    try:
        summary = read_json(ctx.aws.s3, ctx.settings.results_bucket, result.summary_key)
    except (ClientError, BotoCoreError) as exc:
        raise _aws_unavailable(exc) from exc
    if summary is None:
        raise not_found("summary of this file")
    peptides = None
    if "peptides.csv" in (result.outputs or []):
        peptides = load_table(ctx, svc.file_prefix(analysis.id, f.id) + "peptides.csv")
    fasta = session.execute(select(File.sequence_fasta).where(File.id == f.id)).scalar_one()
    return Coverage.model_validate({"file_id": f.id, "proteins": coverage.build(summary, fasta, peptides)})


# ---------------------------------------------------------------- one fresh link


@router.get(
    "/analyses/{analysisId}/files/{fileId}/downloads/{output}", response_model=DownloadLink, tags=["results"]
)
@db_endpoint
def get_download(
    analysisId: str,
    fileId: str,
    output: Annotated[str, Path(max_length=128, description="The worker's output name, e.g. peptides.csv.")],
    caller: Caller,
    session: Db,
    ctx: Ctx,
) -> DownloadLink:
    """A newly presigned link to one output (ask when the link is used: listed links expire)."""
    _require_aws(ctx)
    analysis = _finished_analysis(ctx, session, caller.id, analysisId)
    result, f = _file_result(session, analysis, fileId, caller.id)
    outputs = file_outputs(analysis, _sample(session, analysis), f, result)
    out = next((o for o in outputs if o.output == output), None)
    if out is None:
        listed = ", ".join(o.output for o in outputs) or "none"
        raise not_found(f"output {output!r} of this file (its outputs: {listed})")
    url, expires_at = presign(
        ctx.aws.s3,
        ctx.settings.results_bucket,
        out.key,
        out.name,
        out.kind,
        ctx.settings.download_expiry_seconds,
    )
    return DownloadLink(name=out.name, output=out.output, kind=out.kind, url=url, expires_at=expires_at)


# ---------------------------------------------------------------- archive


def _unique(path: str, output: str, used: set[str]) -> str:
    """``path``, or ``..._<n>_<output>`` when two files share a stable name (same sample, protein
    and file name without extensions, e.g. ``BSA1.mzML`` and ``BSA1.mgf``)."""
    candidate, n = path, 2
    while candidate in used:
        candidate = f"{path[: -len(output)]}{n}_{output}"
        n += 1
    used.add(candidate)
    return candidate


@router.get(
    "/analyses/{analysisId}/archive.zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}, "description": "Every output of every file"}},
    tags=["results"],
)
@db_endpoint
def get_archive(analysisId: str, caller: Caller, session: Db, ctx: Ctx) -> StreamingResponse:
    """Every output of every file in one zip, streamed; entries ``<sample>_<analysisId>/<stable name>``.

    The objects' sizes are summed first: above MAX_ARCHIVE_BYTES the answer is 413 archive_too_large.
    """
    _require_aws(ctx)
    analysis = _finished_analysis(ctx, session, caller.id, analysisId)
    sample = _sample(session, analysis)
    rows = _result_rows(session, analysis, caller.id)
    folder = f"{slug(sample.name, 'sample')}_{analysis.id}"
    bucket = ctx.settings.results_bucket
    members: list[archive.Member] = []
    used: set[str] = set()
    total = 0
    try:
        for result, f in rows:
            for out in file_outputs(analysis, sample, f, result):
                try:
                    head = ctx.aws.s3.head_object(Bucket=bucket, Key=out.key)
                except ClientError as exc:
                    if error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                        log.warning(
                            "listed output missing", extra={"analysis_id": analysis.id, "key": out.key}
                        )
                        continue
                    raise
                size = int(head.get("ContentLength", 0))
                total += size
                members.append(
                    archive.Member(_unique(f"{folder}/{out.name}", out.output, used), out.key, size)
                )
    except (ClientError, BotoCoreError) as exc:
        raise _aws_unavailable(exc) from exc
    cap = ctx.settings.max_archive_bytes
    if total > cap:
        raise ApiError(
            413,
            "archive_too_large",
            f"the archive would hold {total} bytes, above the cap of {cap} bytes (MAX_ARCHIVE_BYTES): "
            "download the files one by one from the results instead",
        )
    if not members:
        raise not_found("outputs of this analysis (no file wrote any)")
    return StreamingResponse(
        archive.stream(ctx.aws.s3, bucket, members, analysis.completed_at or utcnow()),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{folder}.zip"'},
    )


# ---------------------------------------------------------------- compare

_COMPARE_MIN, _COMPARE_MAX = 2, 10


def _compare_ids(raw: str) -> list[str]:
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    if len(set(ids)) != len(ids):
        raise ApiError(422, "validation_error", "analysisIds: each analysis may be named once")
    if not _COMPARE_MIN <= len(ids) <= _COMPARE_MAX:
        raise ApiError(
            422,
            "validation_error",
            f"analysisIds: give {_COMPARE_MIN} to {_COMPARE_MAX} comma-separated analysis ids "
            f"(got {len(ids)})",
        )
    return ids


def _protein_figures(summary: dict[str, object]) -> list[tuple[str, str | None, float | None, int, int]]:
    coverage_doc = summary.get("coverage")
    listed = coverage_doc.get("proteins") if isinstance(coverage_doc, dict) else None
    found = []
    for p in listed if isinstance(listed, list) else []:
        if not isinstance(p, dict) or not isinstance(p.get("accession"), str):
            continue
        percent = p.get("percent")
        description = p.get("description")
        psms, peptides = p.get("psms"), p.get("peptides")
        found.append(
            (
                p["accession"],
                description if isinstance(description, str) else None,
                float(percent)
                if isinstance(percent, int | float) and not isinstance(percent, bool)
                else None,
                psms if isinstance(psms, int) and not isinstance(psms, bool) else 0,
                peptides if isinstance(peptides, int) and not isinstance(peptides, bool) else 0,
            )
        )
    return found


@router.get("/compare", response_model=Comparison, tags=["results"])
@db_endpoint
def compare(
    caller: Caller,
    session: Db,
    ctx: Ctx,
    analysisIds: Annotated[
        str, Query(max_length=1000, description="2 to 10 distinct analysis ids, comma-separated.")
    ],
) -> Comparison:
    """Proteins side by side: per analysis the highest coverage over its files and the summed
    accepted PSMs and peptides (from each file's summary.json); rows sorted by accession."""
    ids = _compare_ids(analysisIds)
    _require_aws(ctx)
    analyses = [_finished_analysis(ctx, session, caller.id, aid) for aid in ids]
    samples = {a.sample_id: _sample(session, a) for a in analyses}
    keys = session.execute(
        select(AnalysisResult.analysis_id, AnalysisResult.summary_key)
        .join(File, File.id == AnalysisResult.file_id)
        .where(
            AnalysisResult.analysis_id.in_(ids),
            AnalysisResult.status == "SUCCEEDED",
            AnalysisResult.summary_key.is_not(None),
            File.owner_id == caller.id,
        )
        .order_by(AnalysisResult.analysis_id, AnalysisResult.position)
    ).all()
    cells: dict[str, dict[str, CompareCell]] = {}
    descriptions: dict[str, str | None] = {}
    try:
        for analysis_id, key in keys:
            summary = read_json(ctx.aws.s3, ctx.settings.results_bucket, key) if key else None
            for accession, description, percent, psms, peptides in _protein_figures(summary or {}):
                descriptions.setdefault(accession, description)
                cell = cells.setdefault(accession, {}).get(analysis_id)
                if cell is None:
                    cells[accession][analysis_id] = CompareCell(
                        analysis_id=analysis_id, coverage_percent=percent, psms=psms, peptides=peptides
                    )
                    continue
                if percent is not None:
                    cell.coverage_percent = max(cell.coverage_percent or 0.0, percent)
                cell.psms += psms
                cell.peptides += peptides
    except (ClientError, BotoCoreError) as exc:
        raise _aws_unavailable(exc) from exc
    return Comparison(
        analyses=[
            CompareAnalysis(
                id=a.id,
                sample_id=a.sample_id,
                sample_name=samples[a.sample_id].name,
                created_at=a.created_at,
                status=a.status,
            )
            for a in analyses
        ],
        proteins=[
            CompareProtein(
                accession=accession,
                description=descriptions.get(accession),
                cells=[cells[accession].get(aid) for aid in ids],
            )
            for accession in sorted(cells)
        ],
    )
