"""Request and response bodies (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from .contract import parameters_json_schema, parameters_problem

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
SINGLE_LINE = r"^[^\r\n\x00]*$"

FileStatus = Literal["UPLOADING", "UPLOADED", "ABORTED"]
AnalysisStatus = Literal["RUNNING", "SUCCEEDED", "PARTIAL", "FAILED"]


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# ---------------------------------------------------------------- errors


class ErrorBody(ApiModel):
    code: str
    message: str


class ErrorResponse(ApiModel):
    error: ErrorBody


# ---------------------------------------------------------------- users


class Me(ApiModel):
    id: str
    email: str | None
    name: str | None


class Usage(ApiModel):
    """The caller's estimated analysis cost this calendar month (UTC) and their monthly budget."""

    month: str = Field(description="The calendar month counted, in UTC: YYYY-MM.")
    spent_usd: float = Field(
        description="Sum of estimatedCostUsd of the caller's analyses created this month "
        "(recorded costs only)."
    )
    budget_usd: float | None = Field(description="MONTHLY_BUDGET_USD_PER_USER; null when there is no limit.")
    remaining_usd: float | None = Field(
        description="budgetUsd - spentUsd, never below 0; null without a limit."
    )
    analyses_counted: int = Field(description="Analyses of this month whose cost is recorded.")
    analyses_without_cost: int = Field(
        description="Analyses of this month with no recorded cost yet (running, never started, or from a "
        "pipeline that reports none); they count once the pipeline reports their cost."
    )
    resets_at: datetime = Field(description="When the month ends (the first instant of the next, UTC).")


# ---------------------------------------------------------------- samples and files

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SINGLE_LINE)
]


class SampleCreate(ApiModel):
    name: Name
    description: Annotated[str, StringConstraints(max_length=2000)] | None = None


class FileOut(ApiModel):
    id: str
    file_name: str
    protein_name: str | None
    size_bytes: int
    status: FileStatus
    created_at: datetime


class LatestAnalysis(ApiModel):
    id: str
    status: Literal["RUNNING", "SUCCEEDED", "PARTIAL", "FAILED"]
    created_at: datetime


class SampleOut(ApiModel):
    id: str
    name: str
    description: str
    created_at: datetime
    file_count: int
    files: list[FileOut] | None = None
    latest_analysis: LatestAnalysis | None = Field(
        default=None, description="The sample's most recent analysis; null when it has none."
    )


class SampleList(ApiModel):
    items: list[SampleOut]
    total: int = Field(description="Samples matching the search and status filter.")
    offset: int
    limit: int


class FileCreate(ApiModel):
    file_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=SINGLE_LINE)
    ]
    size_bytes: Annotated[int, Field(ge=1)]
    protein_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=255, pattern=SINGLE_LINE)] | None
    ) = None
    sequence: Annotated[str, StringConstraints(max_length=5_000_000)] | None = Field(
        default=None,
        description=(
            "The protein's amino-acid sequence: a bare sequence (line breaks and spaces ignored) or FASTA "
            "text with '>' header lines. Stored and passed to the worker as FASTA (a bare sequence gets the "
            "header '>' + the protein name); invalid residues, an empty text or more than 1,000,000 residues "
            "are refused with 422 invalid_sequence."
        ),
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[a-f0-9]{64}$")] | None = Field(
        default=None, description="Optional lower-case hex SHA-256 of the file; the worker checks it."
    )


class UploadPlan(ApiModel):
    part_size_bytes: int
    part_count: int


class FileCreated(ApiModel):
    file: FileOut
    upload: UploadPlan


class PartsRequest(ApiModel):
    part_numbers: Annotated[list[Annotated[int, Field(ge=1, le=10_000)]], Field(min_length=1, max_length=100)]


class PresignedPart(ApiModel):
    part_number: int
    size_bytes: int = Field(
        description=(
            "The part's exact length: the URL signs it as Content-Length, so the PUT must carry exactly "
            "these bytes (the part size, the last part the rest)."
        )
    )
    url: str
    expires_at: datetime


class PresignedParts(ApiModel):
    parts: list[PresignedPart]


class UploadedPart(ApiModel):
    part_number: int
    etag: str
    size_bytes: int


class UploadedParts(ApiModel):
    parts: list[UploadedPart]


class CompletedPart(ApiModel):
    part_number: Annotated[int, Field(ge=1, le=10_000)]
    etag: Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=SINGLE_LINE)]


class CompleteRequest(ApiModel):
    parts: Annotated[list[CompletedPart], Field(min_length=1, max_length=10_000)]


# ---------------------------------------------------------------- analysis parameters
# The parameter model IS the contract: biotech_api/contract holds a byte-for-byte copy of
# contracts/schemas/analysis-manifest.v2.schema.json (a test keeps it identical), and request
# parameters are validated against its $defs/parameters. No hand-written mirror to drift from it.


def _check_parameters(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    problem = parameters_problem(value)
    if problem is not None:
        raise PydanticCustomError("contract", "{problem}", {"problem": problem})
    return value


AnalysisParameters = Annotated[
    dict[str, Any],
    WithJsonSchema(parameters_json_schema()),
    AfterValidator(_check_parameters),
]


class AnalysisCreate(ApiModel):
    parameters: AnalysisParameters | None = Field(
        default=None,
        description=(
            "Worker parameters, exactly as in the analysis manifest (contracts v2 $defs/parameters); "
            "omitted fields take the worker's documented defaults. Anything the contract refuses "
            "gets 422 naming the JSON path and the problem."
        ),
    )


class RerunRequest(ApiModel):
    parameters: AnalysisParameters | None = Field(
        default=None,
        description="New parameters, validated like a start's; omitted: the earlier analysis's parameters.",
    )
    failed_files_only: bool = Field(
        default=False,
        description="Rerun only the files whose result was FAILED (409 nothing_to_rerun when none failed).",
    )


class AnalysisOut(ApiModel):
    id: str
    sample_id: str
    status: AnalysisStatus
    attempt: int
    execution_name: str
    files_succeeded: int
    files_failed: int
    created_at: datetime
    completed_at: datetime | None = None
    cause: str | None = None
    rerun_of: str | None = Field(default=None, description="The analysis this one reruns, if any.")
    estimated_cost_usd: float | None = Field(
        default=None, description="Estimated compute cost (v2 pipeline); null when unknown."
    )
    parameters: dict[str, Any] | None = Field(
        default=None,
        description="The parameters the analysis ran with, as written into its manifest "
        "(contracts v2 $defs/parameters); null when not stored.",
    )


class AnalysisList(ApiModel):
    items: list[AnalysisOut]


OutputKindField = Literal["table", "plot", "summary", "report", "error"]


class Download(ApiModel):
    name: str = Field(
        description="Stable download name <sample>_<protein>_<file>_<output>, each part limited to "
        "[A-Za-z0-9._-] (other runs become '-', at most 60 characters; no protein: 'protein'; the file "
        "part is the file name without its extensions)."
    )
    output: str = Field(description="The worker's own output name, e.g. peptides.csv or summary.json.")
    kind: OutputKindField
    url: str = Field(
        description="Presigned GET link (DOWNLOAD_EXPIRY_SECONDS); saves as `name` (plots open inline)."
    )


class DownloadLink(Download):
    expires_at: datetime


class FileResult(ApiModel):
    file_id: str
    file_name: str
    protein_name: str | None
    status: Literal["RUNNING", "SUCCEEDED", "FAILED"]
    summary_version: int | None = Field(
        default=None, description="schemaVersion of the file summary the figures come from (1 or 2)."
    )
    coverage_percent: float | None = Field(
        default=None,
        description=(
            "Sequence coverage: v2, by peptides accepted at the FDR threshold; v1, precursor-only matches."
        ),
    )
    psms_accepted: int | None = Field(
        default=None, description="v2 only: PSMs accepted at the FDR threshold."
    )
    peptides_accepted: int | None = Field(default=None, description="v2 only: accepted peptides.")
    protein_groups_accepted: int | None = Field(default=None, description="v2 only: accepted protein groups.")
    fdr_estimable: bool | None = Field(
        default=None,
        description="v2 only: false when too few decoys made the FDR threshold unreachable.",
    )
    fragment_confirmed_coverage_percent: float | None = Field(
        default=None, description="v1 results only (the retired fragment check); null for v2."
    )
    experiment_type: str | None = None
    counts: dict[str, Any] | None = None
    reason: str | None = None
    identification_rate: float | None = Field(
        default=None, description="v2: qc.identification.ms2IdentificationRate (0..1); null when unknown."
    )
    median_abs_ppm: float | None = Field(
        default=None, description="v2: massError.precursor.medianAbsPpm; null when unknown."
    )
    qc_flags: list[str] = Field(
        default_factory=list, description="v2: the codes of the file summary's qcFlags; [] when none."
    )
    downloads: list[Download]


class AnalysisResults(ApiModel):
    analysis_id: str
    status: AnalysisStatus
    files: list[FileResult]


class TablePage(ApiModel):
    kind: Literal["psms", "peptides", "proteins"]
    columns: list[str] = Field(description="The table's columns, in the worker's order.")
    rows: list[dict[str, Any]] = Field(
        description="One object per row, keyed by column: numbers as JSON numbers, accepted/decoy as "
        "booleans, empty cells null."
    )
    total: int = Field(description="Rows after filtering.")
    offset: int
    limit: int


class CoveragePeptide(ApiModel):
    peptide: str
    start: int | None = Field(description="1-based first residue in `sequence`; null when not found there.")
    end: int | None = Field(description="1-based last residue (inclusive); null when not found.")
    psms: int | None
    best_q_value: float | None = Field(description="The peptide-level qValue of peptides.csv.")
    accepted: bool | None


class CoverageProtein(ApiModel):
    accession: str
    description: str | None
    length: int | None
    percent: float | None
    sequence: str | None = Field(description="From the file's FASTA; null when unknown.")
    residue_coverage: str = Field(description="One character per residue: '+' covered, '.' not.")
    peptides: list[CoveragePeptide] = Field(
        description="Target peptides of peptides.csv naming this protein; one entry per place found."
    )


class Coverage(ApiModel):
    file_id: str
    proteins: list[CoverageProtein]


class CompareAnalysis(ApiModel):
    id: str
    sample_id: str
    sample_name: str
    created_at: datetime
    status: AnalysisStatus


class CompareCell(ApiModel):
    analysis_id: str
    coverage_percent: float | None = Field(description="The highest coverage of the protein in any file.")
    psms: int = Field(description="Accepted PSMs, summed over the analysis's files.")
    peptides: int = Field(description="Accepted peptides, summed over the analysis's files.")


class CompareProtein(ApiModel):
    accession: str
    description: str | None
    cells: list[CompareCell | None] = Field(
        description="One per requested analysis, in request order; null where it did not report the protein."
    )


class Comparison(ApiModel):
    analyses: list[CompareAnalysis]
    proteins: list[CompareProtein]


class Health(ApiModel):
    status: str
    checks: dict[str, Any] | None = None
