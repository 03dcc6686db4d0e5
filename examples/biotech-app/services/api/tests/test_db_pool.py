"""The pool pings a connection only after an idle spell, and read-only sessions run in autocommit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from biotech_api.config import ConfigError, Settings
from biotech_api.db import DbHealth, create_db_engine, make_session_factory


def _engine(database_url: str, ping_after: float) -> Any:
    settings = Settings.from_env(
        {
            "OIDC_ISSUER": "http://x",
            "OIDC_AUDIENCE": "y",
            "DATABASE_URL": database_url,
            "DB_PING_AFTER_IDLE_SECONDS": str(ping_after),
        }
    )
    engine = create_db_engine(settings, DbHealth())
    pings: list[float] = []
    real_ping = engine.dialect.do_ping

    def counting_ping(dbapi_conn: Any) -> bool:
        pings.append(time.monotonic())
        return real_ping(dbapi_conn)

    engine.dialect.do_ping = counting_ping  # type: ignore[method-assign]
    return engine, pings


def _backend_pid(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("select pg_backend_pid()")).scalar_one())


def test_a_connection_in_steady_use_is_not_pinged(database_url: str) -> None:
    engine, pings = _engine(database_url, ping_after=5.0)
    try:
        pids = {_backend_pid(engine) for _ in range(20)}
        assert len(pids) == 1  # the same pooled connection every time
        assert pings == []
    finally:
        engine.dispose()


def test_a_connection_the_server_closed_while_idle_is_replaced(database_url: str) -> None:
    engine, pings = _engine(database_url, ping_after=0.2)
    try:
        first = _backend_pid(engine)
        # What idle_session_timeout (or a paused Aurora cluster) does to an idle connection.
        admin = create_engine(engine.url, poolclass=NullPool)
        with admin.connect() as other:
            other.execute(text("select pg_terminate_backend(:pid)"), {"pid": first})
            other.commit()
        admin.dispose()
        time.sleep(0.5)
        second = _backend_pid(engine)
        assert second != first
        assert len(pings) >= 1
    finally:
        engine.dispose()


def test_read_sessions_run_in_autocommit_and_leave_the_pool_transactional(database_url: str) -> None:
    engine, _ = _engine(database_url, ping_after=5.0)
    reads = make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    writes = make_session_factory(engine)
    try:
        with reads() as session:
            assert session.execute(text("select 1")).scalar_one() == 1
            assert session.connection().connection.dbapi_connection.autocommit is True
        with writes() as session:
            session.execute(text("select 1"))
            assert session.connection().connection.dbapi_connection.autocommit is False
    finally:
        engine.dispose()


@pytest.mark.parametrize("raw", ["-1", "nan", "inf", "soon"])
def test_an_unusable_ping_interval_is_refused_with_its_name(raw: str) -> None:
    env = {"OIDC_ISSUER": "http://x", "OIDC_AUDIENCE": "y", "DB_PING_AFTER_IDLE_SECONDS": raw}
    with pytest.raises(ConfigError, match=r"DB_PING_AFTER_IDLE_SECONDS must be a .*number of seconds"):
        Settings.from_env(env)
