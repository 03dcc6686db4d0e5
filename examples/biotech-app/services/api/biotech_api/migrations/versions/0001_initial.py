"""Initial tables: users, samples, files, analyses, analysis_results.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(255), nullable=False, unique=True),
        sa.Column("email", sa.String(320)),
        sa.Column("name", sa.String(255)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
    )
    op.create_table(
        "samples",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("deleted_at", TS),
    )
    op.create_index("ix_samples_owner_created", "samples", ["owner_id", "created_at"])
    op.create_table(
        "files",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("sample_id", sa.String(64), sa.ForeignKey("samples.id"), nullable=False),
        sa.Column("owner_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("protein_name", sa.String(255)),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("sequence_fasta", sa.Text),
        sa.Column("s3_key", sa.String(1024), nullable=False),
        sa.Column("upload_id", sa.String(1024)),
        sa.Column("part_size_bytes", sa.BigInteger, nullable=False),
        sa.Column("part_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("completed_at", TS),
        sa.Column("object_deleted_at", TS),
    )
    op.create_index("ix_files_sample", "files", ["sample_id", "created_at"])
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("sample_id", sa.String(64), sa.ForeignKey("samples.id"), nullable=False),
        sa.Column("owner_id", sa.String(64), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("start_state", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("execution_name", sa.String(80), nullable=False),
        sa.Column("execution_arn", sa.String(2048)),
        sa.Column("idempotency_key", sa.String(255)),
        sa.Column("parameters", JSONB, nullable=False),
        sa.Column("manifest_key", sa.String(1024), nullable=False),
        sa.Column("file_count", sa.Integer, nullable=False),
        sa.Column("files_succeeded", sa.Integer, nullable=False),
        sa.Column("files_failed", sa.Integer, nullable=False),
        sa.Column("summary_key", sa.String(1024)),
        sa.Column("cause", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("completed_at", TS),
        sa.Column("last_checked_at", TS),
        sa.UniqueConstraint("owner_id", "idempotency_key", name="uq_analyses_owner_idempotency_key"),
    )
    op.create_index("ix_analyses_sample", "analyses", ["sample_id", "created_at"])
    op.create_index("ix_analyses_owner_status", "analyses", ["owner_id", "status"])
    op.create_table(
        "analysis_results",
        sa.Column("analysis_id", sa.String(64), sa.ForeignKey("analyses.id"), primary_key=True),
        sa.Column("file_id", sa.String(64), sa.ForeignKey("files.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary_key", sa.String(1024)),
        sa.Column("error_key", sa.String(1024)),
        sa.Column("reason", sa.Text),
        sa.Column("experiment_type", sa.String(32)),
        sa.Column("coverage_percent", sa.Float),
        sa.Column("fragment_confirmed_coverage_percent", sa.Float),
        sa.Column("counts", JSONB),
        sa.Column("outputs", JSONB),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("analysis_results")
    op.drop_index("ix_analyses_owner_status", table_name="analyses")
    op.drop_index("ix_analyses_sample", table_name="analyses")
    op.drop_table("analyses")
    op.drop_index("ix_files_sample", table_name="files")
    op.drop_table("files")
    op.drop_index("ix_samples_owner_created", table_name="samples")
    op.drop_table("samples")
    op.drop_table("users")
