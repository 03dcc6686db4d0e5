"""Per-process state and the FastAPI dependencies built on it (session, current user)."""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, ParamSpec, TypeVar

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from .auth import Identity, TokenVerifier, bearer_token
from .aws import AwsClients
from .config import Settings
from .db import DbHealth
from .metrics import Metrics
from .models import User, new_id, utcnow


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    # Sessions whose statements run in autocommit: a read-only endpoint then costs no BEGIN and
    # no ROLLBACK round trip. Never for an endpoint that writes (its writes would not be atomic).
    read_sessions: sessionmaker[Session]
    verifier: TokenVerifier
    aws: AwsClients
    metrics: Metrics
    db_health: DbHealth
    _user_cache: dict[str, tuple[str, float]] = field(default_factory=dict)
    _user_lock: threading.Lock = field(default_factory=threading.Lock)

    def cached_user_id(self, subject: str) -> str | None:
        with self._user_lock:
            hit = self._user_cache.get(subject)
            if hit and time.monotonic() - hit[1] < 300:
                return hit[0]
            return None

    def cache_user_id(self, subject: str, user_id: str) -> None:
        with self._user_lock:
            if len(self._user_cache) > 10_000:
                self._user_cache.clear()
            self._user_cache[subject] = (user_id, time.monotonic())


@dataclass(frozen=True)
class CurrentUser:
    id: str
    subject: str


async def get_ctx(request: Request) -> AppContext:
    ctx = request.app.state.ctx
    if not isinstance(ctx, AppContext):  # pragma: no cover - programming error
        raise TypeError("application context missing")
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


# Closing a session returns its connection to the pool. It must not wait for a thread of the
# default pool, which may be entirely taken by requests waiting for a connection (a deadlock
# under load): it gets a limiter of its own. Endpoints wrapped in ``db_endpoint`` close their
# session in their own thread already; this is the fallback for the others.
_close_limiter = anyio.CapacityLimiter(64)


@contextlib.asynccontextmanager
async def _session_scope(factory: sessionmaker[Session]) -> AsyncIterator[Session]:
    session = factory()
    try:
        yield session
    finally:
        if session.in_transaction():  # not already closed by db_endpoint
            await anyio.to_thread.run_sync(session.close, limiter=_close_limiter)


async def get_session(ctx: Ctx) -> AsyncIterator[Session]:
    async with _session_scope(ctx.sessions) as session:
        yield session


async def get_read_session(ctx: Ctx) -> AsyncIterator[Session]:
    async with _session_scope(ctx.read_sessions) as session:
        yield session


P = ParamSpec("P")
R = TypeVar("R")


def db_endpoint(func: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run a blocking endpoint in a worker thread and release its DB connection in that thread.

    FastAPI serialises a plain ``def`` endpoint's response in the thread pool too; when every
    pool thread waits for a DB connection while the connections belong to requests waiting for
    a thread to serialise their answer, the process deadlocks. Here the connection goes back to
    the pool before the thread is released, and serialisation happens on the event loop.
    """

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        def call() -> R:
            try:
                return func(*args, **kwargs)
            finally:
                for value in kwargs.values():
                    if isinstance(value, Session):
                        value.close()

        return await anyio.to_thread.run_sync(call)

    wrapper.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
    return wrapper


Db = Annotated[Session, Depends(get_session)]


ReadDb = Annotated[Session, Depends(get_read_session)]
"""A session for endpoints that only read (autocommit: one round trip per statement, no more)."""

_bearer = HTTPBearer(auto_error=False, description="OIDC access or ID token from the platform's issuer")


def ensure_user(ctx: AppContext, session: Session, identity: Identity) -> str:
    """The internal user id for ``identity``; the row is created on first sign-in."""
    cached = ctx.cached_user_id(identity.subject)
    if cached:
        return cached
    now = utcnow()
    session.execute(
        insert(User)
        .values(
            id=new_id("u"),
            subject=identity.subject,
            email=identity.email,
            name=identity.name,
            created_at=now,
            last_seen_at=now,
        )
        .on_conflict_do_nothing(index_elements=["subject"])
    )
    user = session.execute(select(User).where(User.subject == identity.subject)).scalar_one()
    user.last_seen_at = now
    if identity.email is not None:
        user.email = identity.email
    if identity.name is not None:
        user.name = identity.name
    session.commit()
    ctx.cache_user_id(identity.subject, user.id)
    return user.id


async def current_user(
    request: Request,
    ctx: Ctx,
    session: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> CurrentUser:
    """The caller. Known tokens and users cost no thread hop; the rest is done in a thread
    (JWKS download, signature check, user row creation)."""
    raw = f"{credentials.scheme} {credentials.credentials}" if credentials else None
    token = bearer_token(raw)
    identity = ctx.verifier.cached(token)
    if identity is None:
        identity = await anyio.to_thread.run_sync(ctx.verifier.verify, token)
    user_id = ctx.cached_user_id(identity.subject)
    if user_id is None:
        found = identity

        def lookup() -> str:
            try:
                return ensure_user(ctx, session, found)
            finally:
                session.close()

        user_id = await anyio.to_thread.run_sync(lookup)
    request.state.user_id = user_id
    return CurrentUser(id=user_id, subject=identity.subject)


Caller = Annotated[CurrentUser, Depends(current_user)]
