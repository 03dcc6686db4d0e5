"""Request-body limits, enforced before the body is parsed and before the caller is authenticated.

Without them a request with no token at all is read and parsed in full before its 401: a 60 MB
body grew the process by about 172 MB, and a 12.8 MB JSON array held the event loop for 1.8 s.
The limit is per route, sized from what the route accepts:

* registering a file carries an optional sequence of at most 5,000,000 characters: 6 MiB;
* completing an upload lists at most 10,000 parts with their ETags (S3 ETags are 34 characters,
  so about 60 bytes a part): 1 MiB;
* every other route takes at most a few KiB of JSON (a name, a description of at most 2,000
  characters, at most 100 part numbers, the analysis parameters): 64 KiB;
* requests to paths that are not API routes: 64 KiB too.

A declared ``Content-Length`` above the limit is refused at once, without reading a byte. A body
sent without a length (chunked transfer) is counted while it arrives and refused as soon as it
passes the limit. Either way the answer is ``413 payload_too_large`` naming the limit; the
application (routing, authentication, JSON parsing) never sees the body.
"""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
MIB = 1024 * KIB

DEFAULT_BODY_LIMIT = 64 * KIB

# (method, path pattern, limit). The first match wins; anything else gets DEFAULT_BODY_LIMIT.
_SEGMENT = r"[^/]+"
ROUTE_BODY_LIMITS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("POST", re.compile(rf"^/api/samples/{_SEGMENT}/files/?$"), 6 * MIB),
    ("POST", re.compile(rf"^/api/samples/{_SEGMENT}/files/{_SEGMENT}/complete/?$"), 1 * MIB),
)


def body_limit(method: str, path: str) -> int:
    """The largest request body accepted for ``method`` ``path``, in bytes."""
    for route_method, pattern, limit in ROUTE_BODY_LIMITS:
        if method == route_method and pattern.match(path):
            return limit
    return DEFAULT_BODY_LIMIT


def _too_large_body(limit: int) -> bytes:
    message = f"the request body is larger than this endpoint accepts ({limit} bytes); send less"
    return json.dumps({"error": {"code": "payload_too_large", "message": message}}).encode()


class BodyLimitMiddleware:
    """Refuse bodies above the route's limit with 413 before the application reads them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("method", ""), scope.get("path", ""))
        declared = None
        for name, value in scope.get("headers") or []:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
                break
        if declared is not None and declared > limit:
            await self._refuse(send, limit)
            return
        # Read the body here, counting, before anything parses it: a chunked body has no
        # declared length, and a declared one is enforced by the server but not trusted here.
        chunks: list[bytes] = []
        size = 0
        more = True
        disconnected: Message | None = None
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected = message
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._refuse(send, limit)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                if disconnected is not None:
                    return disconnected
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        payload = _too_large_body(limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
