"""Schema migrations: ``python -m biotech_api.migrate [upgrade [REV] | downgrade REV | current]``.

Idempotent (Alembic records the applied revision) and safe to run from several deploy jobs at
once: a PostgreSQL advisory lock serialises them. Reads the same DB settings as the API; the
OIDC settings are not needed here.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text

from .config import Settings
from .db import create_db_engine

_LOCK_ID = 7_305_114_202  # arbitrary, constant advisory-lock key for this schema


def alembic_config(connection: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "biotech_api:migrations")
    cfg.attributes["connection"] = connection
    return cfg


def _settings() -> Settings:
    env = dict(os.environ)
    # The migration job has no use for the identity provider.
    env.setdefault("OIDC_ISSUER", "https://unused.invalid")
    env.setdefault("OIDC_AUDIENCE", "unused")
    return Settings.from_env(env)


def run_on(connection: Connection, action: str, revision: str | None = None) -> None:
    """Run ``action`` on ``connection`` under the advisory lock (committed when done)."""
    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_ID})
    connection.commit()
    try:
        cfg = alembic_config(connection)
        if action == "upgrade":
            command.upgrade(cfg, revision or "head")
        elif action == "downgrade":
            command.downgrade(cfg, revision or "-1")
        elif action == "current":
            command.current(cfg)
        else:
            raise ValueError(f"unknown action {action}")
        connection.commit()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_ID})
        connection.commit()


def run(action: str, revision: str | None = None, settings: Settings | None = None) -> None:
    settings = settings or _settings()
    engine = create_db_engine(settings)
    try:
        with engine.connect() as connection:
            run_on(connection, action, revision)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m biotech_api.migrate")
    parser.add_argument("action", nargs="?", default="upgrade", choices=["upgrade", "downgrade", "current"])
    parser.add_argument("revision", nargs="?", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run(args.action, args.revision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
