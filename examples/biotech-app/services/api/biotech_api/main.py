"""Application factory: ``uvicorn --factory biotech_api.main:create_app``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from . import __version__
from .api import router
from .auth import TokenVerifier
from .aws import make_clients
from .config import Settings
from .consumer import CompletionConsumer
from .context import AppContext, Caller
from .db import DbHealth, create_db_engine, make_session_factory
from .errors import install_error_handlers
from .limits import BodyLimitMiddleware
from .logs import AccessLogMiddleware, configure_logging
from .metrics import Metrics
from .results import router as results_router


def build_context(settings: Settings) -> AppContext:
    health = DbHealth()
    engine = create_db_engine(settings, health)
    return AppContext(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        read_sessions=make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT")),
        verifier=TokenVerifier(settings),
        aws=make_clients(settings),
        metrics=Metrics(),
        db_health=health,
    )


def _add_openapi_route(app: FastAPI, settings: Settings) -> None:
    """``GET /api/openapi.json``: to anyone (``public``), to signed-in users, or not at all."""
    if settings.openapi_access == "off":
        return
    document: dict[str, Any] = {}

    def spec() -> JSONResponse:
        if not document:
            document.update(app.openapi())
        return JSONResponse(document)

    if settings.openapi_access == "public":

        @app.get("/api/openapi.json", include_in_schema=False)
        async def public_openapi() -> JSONResponse:
            return spec()

    else:

        @app.get("/api/openapi.json", include_in_schema=False)
        async def signed_in_openapi(caller: Caller) -> JSONResponse:
            return spec()


def create_app(settings: Settings | None = None, *, consume_events: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    missing = settings.missing_aws_config()
    if missing:
        # /api/readyz names them only to operators; the log always does.
        logging.getLogger("biotech_api").warning("settings missing: %s", ", ".join(missing))
    ctx = build_context(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if consume_events and settings.completion_queue_url:
            consumer = CompletionConsumer(ctx)
            consumer.start()
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop()
            ctx.engine.dispose()

    app = FastAPI(
        title="Proteomics platform API",
        version=__version__,
        lifespan=lifespan,
        # No Swagger UI or ReDoc: their pages load scripts from a third-party CDN on the app's
        # origin. The OpenAPI document is served by the route below, to whom OPENAPI_ACCESS says.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    app.include_router(router)
    app.include_router(results_router)
    _add_openapi_route(app, settings)
    # Innermost of the three: bodies above the route's limit are refused (413) before routing,
    # authentication or parsing; the access log outside it still records the refusal.
    app.add_middleware(BodyLimitMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
            expose_headers=["X-Request-Id", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(AccessLogMiddleware, metrics=ctx.metrics)
    return app
