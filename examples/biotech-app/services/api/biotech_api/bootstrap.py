"""Deploy-time database preparation: ``python -m biotech_api.bootstrap``.

Run by the platform's bootstrap Job with the cluster's master credentials (``DB_SECRET_ARN``,
or ``DB_USER``/``DATABASE_URL``), it is idempotent and:

1. creates the API's login role ``DB_IAM_USER`` when missing and grants it ``rds_iam`` (IAM
   authentication; skipped with a notice where that role does not exist, e.g. plain PostgreSQL);
2. runs the schema migrations (``upgrade head``, under the migrations' advisory lock);
3. grants the API role data access (no DDL) on the current and future tables and sequences:
   SELECT, INSERT and UPDATE, never DELETE on the tables whose rows are kept for 5 years
   (``RETAINED_TABLES``: the API soft-deletes), and DELETE on any other table that exists
   when the bootstrap runs (it runs after the migrations on every deploy).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys

from sqlalchemy import Connection, text

from .config import Settings
from .db import create_db_engine
from .migrate import run_on

log = logging.getLogger("biotech_api.bootstrap")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Rows kept for the 5-year retention of results: soft delete only, the API role cannot DELETE.
RETAINED_TABLES = frozenset({"users", "samples", "files", "analyses", "analysis_results"})


def _settings(env: dict[str, str]) -> Settings:
    env.setdefault("OIDC_ISSUER", "https://unused.invalid")
    env.setdefault("OIDC_AUDIENCE", "unused")
    if env.get("DB_SECRET_ARN") and not env.get("DB_USER") and not env.get("DATABASE_URL"):
        import boto3

        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        client = boto3.client("secretsmanager", region_name=region)
        secret = json.loads(client.get_secret_value(SecretId=env["DB_SECRET_ARN"])["SecretString"])
        env["DB_USER"] = str(secret["username"])
    return Settings.from_env(env)


def _ensure_role(conn: Connection, role: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        log.info("created role %s", role)
    has_rds_iam = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'")).first()
    if has_rds_iam is not None:
        conn.execute(text(f'GRANT rds_iam TO "{role}"'))
    else:
        log.info("no rds_iam role here (not Aurora/RDS): IAM authentication not granted")
    conn.commit()


def _grant(conn: Connection, role: str) -> None:
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    statements = [
        f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        # Earlier deploys granted DELETE on future tables by default: no longer.
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE DELETE ON TABLES FROM "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]
    tables = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
    ).scalars()
    for table in tables:
        verb = "REVOKE DELETE ON {t} FROM" if table in RETAINED_TABLES else "GRANT DELETE ON {t} TO"
        statements.append(verb.format(t=f'"{table}"') + f' "{role}"')
    for statement in statements:
        conn.execute(text(statement))
    conn.commit()


def bootstrap(env: dict[str, str] | None = None) -> None:
    env = dict(os.environ) if env is None else dict(env)
    role = env.get("DB_IAM_USER", "").strip()
    if role and not _ROLE.match(role):
        raise ValueError("DB_IAM_USER must be a plain lower-case PostgreSQL identifier")
    settings = _settings(env)
    engine = create_db_engine(settings)
    try:
        with engine.connect() as conn:
            if role:
                _ensure_role(conn, role)
            run_on(conn, "upgrade", "head")
            if role:
                _grant(conn, role)
    finally:
        engine.dispose()
    log.info("database ready")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    bootstrap()
    return 0


if __name__ == "__main__":
    sys.exit(main())
