"""Migrations run up, are idempotent, and run back down."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from biotech_api.config import Settings
from biotech_api.migrate import run
from tests.conftest import recreate_database

TABLES = {"users", "samples", "files", "analyses", "analysis_results"}


def _tables(url: str) -> set[str]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_roundtrip() -> None:
    url = recreate_database("biotech_migrations")
    settings = Settings.from_env({"OIDC_ISSUER": "http://x", "OIDC_AUDIENCE": "y", "DATABASE_URL": url})
    run("upgrade", "head", settings)
    assert _tables(url) >= TABLES
    run("upgrade", "head", settings)  # idempotent: a second deploy changes nothing
    assert _tables(url) >= TABLES
    run("downgrade", "base", settings)
    assert not (TABLES & _tables(url))
    run("upgrade", "head", settings)
    assert _tables(url) >= TABLES


def test_models_match_migrations() -> None:
    """The ORM metadata and the migrated schema agree (no pending autogenerate diff)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from biotech_api.models import Base

    url = recreate_database("biotech_migrations_diff")
    settings = Settings.from_env({"OIDC_ISSUER": "http://x", "OIDC_AUDIENCE": "y", "DATABASE_URL": url})
    run("upgrade", "head", settings)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []
