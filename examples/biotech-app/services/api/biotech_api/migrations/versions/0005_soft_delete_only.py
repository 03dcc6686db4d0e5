"""Rows kept for 5 years are soft-deleted only: no role but the owner may DELETE them.

Samples, files, analyses and their result index describe results that must stay available for
5 years, and users own them; the API hides what a user deletes (``deleted_at``) and never
deletes a row. Deployments bootstrapped earlier granted the API's role DELETE on every table:
this revision revokes it from every role that is not the table's owner (the migration runs as
the owner). The deploy-time bootstrap no longer grants it.

Revision ID: 0005_soft_delete_only
Revises: 0003_rerun_of
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_soft_delete_only"
down_revision = "0004_files_owner_status"
branch_labels = None
depends_on = None

RETAINED_TABLES = ("users", "samples", "files", "analyses", "analysis_results")


def _grantees(privilege: str) -> list[tuple[str, str]]:
    """(table, role) pairs holding ``privilege`` on a retained table, the owner excluded."""
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT g.table_name, g.grantee FROM information_schema.role_table_grants g"
                " JOIN pg_tables t ON t.schemaname = g.table_schema AND t.tablename = g.table_name"
                " WHERE g.table_schema = current_schema() AND g.privilege_type = :p"
                " AND g.table_name = ANY(:tables) AND g.grantee <> t.tableowner"
            ),
            {"p": privilege, "tables": list(RETAINED_TABLES)},
        )
        .all()
    )
    return [(str(table), str(role)) for table, role in rows]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def upgrade() -> None:
    for table, role in _grantees("DELETE"):
        grantee = "PUBLIC" if role == "PUBLIC" else _quote(role)
        op.execute(f"REVOKE DELETE ON {_quote(table)} FROM {grantee}")


def downgrade() -> None:
    # Give DELETE back to the roles that may write the tables (what earlier deploys granted).
    for table, role in _grantees("UPDATE"):
        grantee = "PUBLIC" if role == "PUBLIC" else _quote(role)
        op.execute(f"GRANT DELETE ON {_quote(table)} TO {grantee}")
