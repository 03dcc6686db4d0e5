"""Alembic environment: uses the connection handed over by biotech_api.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from biotech_api.models import Base

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through `python -m biotech_api.migrate`")
    context.configure(connection=connection, target_metadata=target_metadata, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


run()
