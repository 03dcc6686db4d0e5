"""Reruns are new analyses: ``analyses.rerun_of`` links a rerun to the analysis it reruns.

Revision ID: 0003_rerun_of
Revises: 0002_results_v2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_rerun_of"
down_revision = "0002_results_v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: a catalogue change only. Earlier analyses are no one's rerun.
    op.add_column("analyses", sa.Column("rerun_of", sa.String(64), sa.ForeignKey("analyses.id")))


def downgrade() -> None:
    op.drop_column("analyses", "rerun_of")
