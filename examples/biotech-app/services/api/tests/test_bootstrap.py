"""`python -m biotech_api.bootstrap`: API role, migrations and grants, idempotent."""

from __future__ import annotations

import json

import psycopg
import pytest
from sqlalchemy import make_url

from biotech_api.bootstrap import bootstrap
from devtools.local_aws import LocalAws
from tests.conftest import recreate_database

RETAINED_TABLES = ("users", "samples", "files", "analyses", "analysis_results")


def test_bootstrap_with_master_secret(aws: LocalAws) -> None:
    url = make_url(recreate_database("biotech_bootstrap"))
    secret_arn = aws.client("secretsmanager").create_secret(
        Name="biotech-master", SecretString=json.dumps({"username": url.username, "password": "unused"})
    )["ARN"]
    env = {
        "DB_HOST": url.host or "127.0.0.1",
        "DB_PORT": str(url.port),
        "DB_NAME": "biotech_bootstrap",
        "DB_SECRET_ARN": secret_arn,
        "DB_IAM_USER": "biotech_api_test",
        "DB_CONNECT_MAX_WAIT_SECONDS": "5",
        **aws.env(),
    }
    bootstrap(env)
    bootstrap(env)  # a second deploy changes nothing and does not fail

    # The API role can use the tables (trust authentication on the test cluster).
    dsn = f"host={url.host} port={url.port} dbname=biotech_bootstrap user=biotech_api_test"
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO users (id, subject, created_at, last_seen_at) VALUES ('u-x', 's', now(), now())"
        )
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)
        conn.execute("UPDATE users SET email = NULL WHERE id = 'u-x'")
        conn.commit()
        # Rows that must live 5 years are soft-deleted only: the role has no DELETE on them.
        for table in RETAINED_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608  # nosec B608
            conn.rollback()
        # ... but cannot change the schema.
        try:
            conn.execute("DROP TABLE analysis_results")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        else:
            raise AssertionError("the API role must not own the schema")


def test_migration_revokes_delete_granted_by_earlier_deploys() -> None:
    """A deployment bootstrapped before soft-delete-only: the migration takes DELETE away."""
    from biotech_api.config import Settings
    from biotech_api.migrate import run

    url = recreate_database("biotech_revoke")
    settings = Settings.from_env({"OIDC_ISSUER": "http://x", "OIDC_AUDIENCE": "y", "DATABASE_URL": url})
    run("upgrade", "0003_rerun_of", settings)
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'biotech_api_old'").fetchone()
        if exists is None:
            conn.execute("CREATE ROLE biotech_api_old LOGIN")
        # What the earlier bootstrap granted.
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO biotech_api_old")
    run("upgrade", "head", settings)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in RETAINED_TABLES:
            row = conn.execute(
                "SELECT has_table_privilege('biotech_api_old', %s, 'DELETE'),"
                " has_table_privilege('biotech_api_old', %s, 'UPDATE')",
                (table, table),
            ).fetchone()
            assert row == (False, True), table
