"""Request and response bodies (camelCase JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
SINGLE_LINE = r"^[^\r\n\x00]*$"

FileStatus = Literal["UPLOADING", "UPLOADED", "ABORTED"]
AnalysisStatus = Literal["RUNNING", "SUCCEEDED", "PARTIAL", "FAILED"]


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ParamModel(BaseModel):
    """Parameter objects use the manifest's own (camelCase) field names and refuse unknown keys."""

    model_config = ConfigDict(extra="forbid")


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


class SampleOut(ApiModel):
    id: str
    name: str
    description: str
    created_at: datetime
    file_count: int
    files: list[FileOut] | None = None


class SampleList(ApiModel):
    items: list[SampleOut]


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
# Mirrors contracts/schemas/analysis-manifest.v1.schema.json#/$defs/parameters; the tests validate
# every manifest the API writes against that schema, which catches drift.

BuiltinModification = Literal[
    "Carbamidomethyl:C",
    "Carboxymethyl:C",
    "Oxidation:M",
    "Deamidation:N",
    "Deamidation:Q",
    "Phospho:S",
    "Phospho:T",
    "Phospho:Y",
    "Pyro-glu:Q",
]


class CustomModification(ParamModel):
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]
    residues: Annotated[str, StringConstraints(pattern=r"^[ACDEFGHIKLMNPQRSTVWY]{1,20}$")]
    monoisotopicDelta: Annotated[float, Field(ge=-500, le=2000, allow_inf_nan=False)]


Modification = BuiltinModification | CustomModification
_MsLevels = Annotated[list[Annotated[int, Field(ge=1, le=10)]], Field(min_length=1, max_length=10)]
_IsotopeErrors = Annotated[list[Annotated[int, Field(ge=-1, le=3)]], Field(min_length=1, max_length=5)]
_Charges = Annotated[list[Annotated[int, Field(ge=1, le=10)]], Field(min_length=1, max_length=6)]


class FragmentTolerance(ParamModel):
    value: Annotated[float, Field(gt=0, le=5, allow_inf_nan=False)]
    unit: Literal["Da", "ppm"]


class SpectrumFilters(ParamModel):
    msLevels: _MsLevels | None = None
    mzMin: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    mzMax: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    dropEmpty: bool | None = None
    minPeaks: Annotated[int, Field(ge=0, le=100_000)] | None = None
    relativeIntensityFloor: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    noiseFactor: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] | None = None
    topN: Annotated[int, Field(ge=1, le=100_000)] | None = None


class AnalysisParameters(ParamModel):
    """Worker parameters; omitted fields take the worker's documented defaults."""

    model_config = ConfigDict(extra="forbid")

    enzyme: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=SINGLE_LINE)] | None = None
    missedCleavages: Annotated[int, Field(ge=0, le=5)] | None = None
    minPeptideLength: Annotated[int, Field(ge=1, le=100)] | None = None
    maxPeptideLength: Annotated[int, Field(ge=1, le=200)] | None = None
    fixedModifications: Annotated[list[Modification], Field(max_length=10)] | None = None
    variableModifications: Annotated[list[Modification], Field(max_length=5)] | None = None
    maxVariableModifications: Annotated[int, Field(ge=0, le=3)] | None = None
    precursorTolerancePpm: Annotated[float, Field(gt=0, le=1000, allow_inf_nan=False)] | None = None
    isotopeErrors: _IsotopeErrors | None = None
    assumedCharges: _Charges | None = None
    fragmentTolerance: FragmentTolerance | None = None
    fragmentConfirmation: bool | None = None
    decoyMethod: Literal["reverse", "shuffle"] | None = None
    minFragmentIons: Annotated[int, Field(ge=1, le=50)] | None = None
    minFragmentScoreMargin: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] | None = None
    filters: SpectrumFilters | None = None
    traceMaxPoints: Annotated[int, Field(ge=10, le=100_000)] | None = None
    deconvolution: bool | None = None

    def to_manifest(self) -> dict[str, Any]:
        """Only the fields the caller set; explicit nulls kept only where the schema allows them."""
        data = self.model_dump(mode="json", exclude_unset=True)
        out = {k: v for k, v in data.items() if v is not None or k in _NULLABLE_PARAMETERS}
        filters = out.get("filters")
        if isinstance(filters, dict):
            out["filters"] = {k: v for k, v in filters.items() if v is not None or k in _NULLABLE_FILTERS}
        return out


_NULLABLE_PARAMETERS = frozenset({"fragmentTolerance"})
_NULLABLE_FILTERS = frozenset({"mzMax", "topN"})


class AnalysisCreate(ApiModel):
    parameters: AnalysisParameters | None = None


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


class AnalysisList(ApiModel):
    items: list[AnalysisOut]


class Download(ApiModel):
    name: str
    url: str


class FileResult(ApiModel):
    file_id: str
    file_name: str
    protein_name: str | None
    status: Literal["RUNNING", "SUCCEEDED", "FAILED"]
    coverage_percent: float | None = None
    fragment_confirmed_coverage_percent: float | None = None
    experiment_type: str | None = None
    counts: dict[str, Any] | None = None
    reason: str | None = None
    downloads: list[Download]


class AnalysisResults(ApiModel):
    analysis_id: str
    status: AnalysisStatus
    files: list[FileResult]


class Health(ApiModel):
    status: str
    checks: dict[str, Any] | None = None
