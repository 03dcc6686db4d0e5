"""Per-file QC figures of contracts v2 file summaries, shown next to the results.

``identification_rate`` (``qc.identification.ms2IdentificationRate``), ``median_abs_ppm``
(``massError.precursor.medianAbsPpm``) and ``qc_flags`` (``qcFlags``). Nullable, no default: rows
indexed before this revision read as unknown (null, and no flags).

Revision ID: 0006_result_qc
Revises: 0005_soft_delete_only
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006_result_qc"
down_revision = "0005_soft_delete_only"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("analysis_results", sa.Column("identification_rate", sa.Float()))
    op.add_column("analysis_results", sa.Column("median_abs_ppm", sa.Float()))
    op.add_column("analysis_results", sa.Column("qc_flags", JSONB()))


def downgrade() -> None:
    op.drop_column("analysis_results", "qc_flags")
    op.drop_column("analysis_results", "median_abs_ppm")
    op.drop_column("analysis_results", "identification_rate")
