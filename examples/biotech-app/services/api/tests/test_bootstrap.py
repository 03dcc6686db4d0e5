"""`python -m biotech_api.bootstrap`: API role, migrations and grants, idempotent."""

from __future__ import annotations

import json

import psycopg
from sqlalchemy import make_url

from biotech_api.bootstrap import bootstrap
from devtools.local_aws import LocalAws
from tests.conftest import recreate_database


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
        conn.execute("DELETE FROM users")
        # ... but cannot change the schema.
        try:
            conn.execute("DROP TABLE analysis_results")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
        else:
            raise AssertionError("the API role must not own the schema")
