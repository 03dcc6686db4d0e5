"""ORM tables. The Alembic revisions in ``migrations/versions`` create exactly these."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    """Random id matching the contracts' ``^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$``."""
    return f"{prefix}-{secrets.token_hex(10)}"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subject: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Sample(Base):
    __tablename__ = "samples"
    __table_args__ = (Index("ix_samples_owner_created", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class File(Base):
    __tablename__ = "files"
    __table_args__ = (
        Index("ix_files_sample", "sample_id", "created_at"),
        # The per-user storage quota sums a user's files by status (revision 0004).
        Index("ix_files_owner_status", "owner_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sample_id: Mapped[str] = mapped_column(String(64), ForeignKey("samples.id"))
    owner_id: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    protein_name: Mapped[str | None] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    # Up to ~5 MB per file: deferred, so listing or showing files never loads it. It is read one
    # file at a time when an analysis starts (written to S3 and referenced by the manifest).
    sequence_fasta: Mapped[str | None] = mapped_column(Text, deferred=True)
    s3_key: Mapped[str] = mapped_column(String(1024))
    upload_id: Mapped[str | None] = mapped_column(String(1024))
    part_size_bytes: Mapped[int] = mapped_column(BigInteger)
    part_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    object_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Analysis(Base):
    __tablename__ = "analyses"
    __table_args__ = (
        UniqueConstraint("owner_id", "idempotency_key", name="uq_analyses_owner_idempotency_key"),
        Index("ix_analyses_sample", "sample_id", "created_at"),
        Index("ix_analyses_owner_status", "owner_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sample_id: Mapped[str] = mapped_column(String(64), ForeignKey("samples.id"))
    owner_id: Mapped[str] = mapped_column(String(64), ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    # PENDING: row written, execution not yet confirmed; STARTED; START_FAILED.
    start_state: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    execution_name: Mapped[str] = mapped_column(String(80))
    execution_arn: Mapped[str | None] = mapped_column(String(2048))
    idempotency_key: Mapped[str | None] = mapped_column(String(255))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    manifest_key: Mapped[str] = mapped_column(String(1024))
    file_count: Mapped[int] = mapped_column(Integer)
    files_succeeded: Mapped[int] = mapped_column(Integer, default=0)
    files_failed: Mapped[int] = mapped_column(Integer, default=0)
    summary_key: Mapped[str | None] = mapped_column(String(1024))
    cause: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # From the v2 completion event or roll-up (cost.estimatedCostUsd); NULL when unknown.
    estimated_cost_usd: Mapped[float | None] = mapped_column(Float)
    # A rerun is a new analysis (new id, attempt 1) linked to the one it reruns, which is kept as
    # it was; ``attempt`` > 1 only ever means a retry of the same start.
    rerun_of: Mapped[str | None] = mapped_column(String(64), ForeignKey("analyses.id"))


class AnalysisResult(Base):
    """One row per (analysis, file): the result index read by /results."""

    __tablename__ = "analysis_results"

    analysis_id: Mapped[str] = mapped_column(String(64), ForeignKey("analyses.id"), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(64), ForeignKey("files.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    summary_key: Mapped[str | None] = mapped_column(String(1024))
    error_key: Mapped[str | None] = mapped_column(String(1024))
    reason: Mapped[str | None] = mapped_column(Text)
    experiment_type: Mapped[str | None] = mapped_column(String(32))
    coverage_percent: Mapped[float | None] = mapped_column(Float)
    fragment_confirmed_coverage_percent: Mapped[float | None] = mapped_column(Float)
    counts: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    outputs: Mapped[list[str] | None] = mapped_column(JSONB)
    # Contracts v2 (file summary schemaVersion 2); NULL for results indexed from v1 summaries.
    summary_version: Mapped[int | None] = mapped_column(Integer)
    psms_accepted: Mapped[int | None] = mapped_column(Integer)
    peptides_accepted: Mapped[int | None] = mapped_column(Integer)
    protein_groups_accepted: Mapped[int | None] = mapped_column(Integer)
    fdr_estimable: Mapped[bool | None] = mapped_column(Boolean)
    # v2 file summaries' QC figures (revision 0006); NULL when unknown or indexed before it.
    identification_rate: Mapped[float | None] = mapped_column(Float)
    median_abs_ppm: Mapped[float | None] = mapped_column(Float)
    qc_flags: Mapped[list[str] | None] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
