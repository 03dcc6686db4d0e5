"""JSON log lines and the per-request access log / metrics middleware."""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
import traceback
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .metrics import Metrics

_EXTRA_KEYS = (
    "request_id",
    "method",
    "path",
    "route",
    "status",
    "duration_ms",
    "user_id",
    "analysis_id",
    "file_id",
    "attempt",
    "error",
    "outcome",
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def _format_exception(formatter: logging.Formatter, exc_info: Any) -> str:
    """The traceback, except for database errors: their messages repeat values (PostgreSQL's
    ``invalid input syntax ...: "<value>"``, ``Key (email)=(...) already exists``), so only the
    frames, the driver's exception class and the SQLSTATE are written."""
    exc = exc_info[1]
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        sqlstate = getattr(orig, "sqlstate", None) or "unknown"
        frames = "".join(traceback.format_tb(exc_info[2]))
        what = f"{type(exc).__name__}: {type(orig).__name__} (SQLSTATE {sqlstate}); message withheld"
        return f"Traceback (most recent call last):\n{frames}{what}"
    return formatter.formatException(exc_info)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in _EXTRA_KEYS:
            value = record.__dict__.get(key)
            if value is not None:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc"] = _format_exception(self, record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn's own access log would duplicate ours (and is not JSON).
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class AccessLogMiddleware:
    """One JSON line per request (no headers, no query string, no bodies) plus metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = logging.getLogger("biotech_api.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or [])
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route_obj = scope.get("route")
            route = getattr(route_obj, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            state = scope.get("state") or {}
            self.log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": method,
                    "path": scope.get("path", "")[:512],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "user_id": state.get("user_id"),
                },
            )
