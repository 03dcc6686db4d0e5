"""Index for the per-user storage quota: the sum of a user's files by status.

Revision ID: 0004_files_owner_status
Revises: 0003_rerun_of
"""

from __future__ import annotations

from alembic import op

revision = "0004_files_owner_status"
down_revision = "0003_rerun_of"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every file registration sums the caller's UPLOADING and UPLOADED files (bytes in flight plus
    # stored); without this index that is a scan of the user's files through the samples.
    op.create_index("ix_files_owner_status", "files", ["owner_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_files_owner_status", table_name="files")
