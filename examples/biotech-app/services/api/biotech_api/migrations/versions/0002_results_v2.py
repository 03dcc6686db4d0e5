"""Results of contracts v2: accepted identifications, FDR estimability, summary version, cost.

Revision ID: 0002_results_v2
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_results_v2"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns only: adding them is a catalogue change, no table rewrite, and rows of
    # analyses indexed from v1 summaries keep NULL (v1 has no FDR acceptance).
    op.add_column("analysis_results", sa.Column("summary_version", sa.Integer))
    op.add_column("analysis_results", sa.Column("psms_accepted", sa.Integer))
    op.add_column("analysis_results", sa.Column("peptides_accepted", sa.Integer))
    op.add_column("analysis_results", sa.Column("protein_groups_accepted", sa.Integer))
    op.add_column("analysis_results", sa.Column("fdr_estimable", sa.Boolean))
    op.add_column("analyses", sa.Column("estimated_cost_usd", sa.Float))


def downgrade() -> None:
    op.drop_column("analyses", "estimated_cost_usd")
    for name in ("fdr_estimable", "protein_groups_accepted", "peptides_accepted", "psms_accepted"):
        op.drop_column("analysis_results", name)
    op.drop_column("analysis_results", "summary_version")
