"""Database engine: credentials (URL, IAM token or Secrets Manager), pool and connect retries.

The pool is sized for one pod. Idle connections are closed on the server side through
``idle_session_timeout`` so that an Aurora Serverless v2 cluster allowed to scale to 0 ACU can
pause once the API is quiet. A connection that sat idle in the pool for more than
``DB_PING_AFTER_IDLE_SECONDS`` is pinged on checkout and replaced when the server closed it; a
connection in steady use is not pinged, which saves a round trip on every request under load.
Connection attempts are retried with backoff for ``DB_CONNECT_MAX_WAIT_SECONDS`` so that the
~15 s resume of a paused cluster is absorbed instead of failing the request.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings

log = logging.getLogger("biotech_api.db")


@dataclass
class DbHealth:
    """Outcome of the latest connection checkout, read by /api/readyz without touching the DB."""

    last_ok_at: float | None = None
    last_error_at: float | None = None
    last_error: str | None = None
    consecutive_failures: int = 0

    def ok(self) -> None:
        self.last_ok_at = time.time()
        self.consecutive_failures = 0

    def failed(self, exc: BaseException) -> None:
        self.last_error_at = time.time()
        self.last_error = type(exc).__name__
        self.consecutive_failures += 1


class _SecretCache:
    """Username/password from a Secrets Manager secret, re-read after ``ttl`` seconds or on demand."""

    def __init__(self, arn: str, region: str, ttl: float = 600.0) -> None:
        self._arn = arn
        self._region = region
        self._ttl = ttl
        self._value: dict[str, Any] | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def get(self, force: bool = False) -> dict[str, Any]:
        with self._lock:
            if force or self._value is None or time.monotonic() - self._read_at > self._ttl:
                import boto3

                client = boto3.client("secretsmanager", region_name=self._region)
                raw = client.get_secret_value(SecretId=self._arn)["SecretString"]
                self._value = json.loads(raw)
                self._read_at = time.monotonic()
            return self._value


def _base_url(settings: Settings) -> URL:
    if settings.database_url:
        url = make_url(settings.database_url)
        if url.drivername in {"postgresql", "postgres"}:
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create(
        "postgresql+psycopg",
        username=settings.db_user,
        host=settings.db_host,
        port=settings.db_port,
        database=settings.db_name,
    )


def _server_options(settings: Settings) -> str:
    opts = []
    if settings.db_idle_session_timeout_ms > 0:
        opts.append(f"-c idle_session_timeout={settings.db_idle_session_timeout_ms}")
    if settings.db_statement_timeout_ms > 0:
        opts.append(f"-c statement_timeout={settings.db_statement_timeout_ms}")
    return " ".join(opts)


def create_db_engine(settings: Settings, health: DbHealth | None = None) -> Engine:
    health = health if health is not None else DbHealth()
    url = _base_url(settings)
    connect_args: dict[str, Any] = {"connect_timeout": settings.db_connect_timeout_seconds}
    options = _server_options(settings)
    if options:
        connect_args["options"] = options
    if settings.db_sslmode:
        connect_args["sslmode"] = settings.db_sslmode
    elif settings.db_iam_auth:
        connect_args["sslmode"] = "require"

    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Pinged in the checkout hook below, only after an idle spell.
        pool_pre_ping=False,
        pool_recycle=settings.db_pool_recycle_seconds,
        pool_timeout=settings.db_pool_timeout_seconds,
        connect_args=connect_args,
        # A failed statement's error names its bound values otherwise (e-mail addresses, file
        # names, sequences), and errors are logged: keep them out of the logs.
        hide_parameters=True,
    )
    secret = _SecretCache(settings.db_secret_arn, settings.aws_region) if settings.db_secret_arn else None

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        deadline = time.monotonic() + settings.db_connect_max_wait_seconds
        delay = 0.5
        attempt = 0
        force_secret = False
        while True:
            attempt += 1
            if settings.db_iam_auth:
                cparams["password"] = _iam_token(settings)
            elif secret is not None:
                value = secret.get(force=force_secret)
                cparams["password"] = value["password"]
                cparams.setdefault("user", value.get("username"))
            try:
                conn = dialect.connect(*cargs, **cparams)
            except psycopg.OperationalError as exc:
                health.failed(exc)
                # A rotated secret shows up as an authentication failure: re-read it once.
                force_secret = secret is not None and "password" in str(exc).lower()
                if time.monotonic() + delay > deadline:
                    log.error("database connect failed", extra={"attempt": attempt})
                    raise
                log.warning("database connect failed, retrying", extra={"attempt": attempt})
                time.sleep(delay + random.uniform(0, delay / 2))  # noqa: S311  # nosec B311
                delay = min(delay * 2, 5.0)
                continue
            return conn

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_conn: Any, conn_rec: Any) -> None:
        conn_rec.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, conn_rec: Any, conn_proxy: Any) -> None:
        idle_since = conn_rec.info.pop("idle_since", None)
        idle = time.monotonic() - idle_since if idle_since is not None else 0.0
        if idle > settings.db_ping_after_idle_seconds:
            try:
                engine.dialect.do_ping(dbapi_conn)
            except psycopg.Error as exc:
                # The pool discards this connection and checks out (or opens) another.
                raise DisconnectionError(f"connection idle for {idle:.0f} s was closed") from exc
        health.ok()

    return engine


_token_lock = threading.Lock()
_token_cache: dict[str, tuple[str, float]] = {}


def _iam_token(settings: Settings) -> str:
    """RDS IAM auth token, reused for 10 minutes (tokens are valid for 15)."""
    key = f"{settings.db_host}:{settings.db_port}:{settings.db_user}"
    with _token_lock:
        cached = _token_cache.get(key)
        if cached and time.monotonic() - cached[1] < 600:
            return cached[0]
        import boto3

        client = boto3.client("rds", region_name=settings.aws_region)
        token = client.generate_db_auth_token(
            DBHostname=settings.db_host or "",
            Port=settings.db_port,
            DBUsername=settings.db_user or "",
            Region=settings.aws_region,
        )
        _token_cache[key] = (token, time.monotonic())
        return token


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
    finally:
        session.close()
