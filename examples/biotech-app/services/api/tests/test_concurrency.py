"""Many concurrent requests on a tiny DB pool complete (no thread-pool/connection deadlock)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from biotech_api.main import create_app


def test_more_requests_than_connections_and_threads(make_settings: Any, auth: Any) -> None:
    app = create_app(make_settings(DB_POOL_SIZE="1", DB_MAX_OVERFLOW="0"), consume_events=False)
    h = auth("concurrency-user")

    async def scenario() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            sid = (await client.post("/api/samples", json={"name": "c"}, headers=h)).json()["id"]

            async def one(i: int) -> int:
                path = f"/api/samples/{sid}" if i % 2 else "/api/samples"
                return (await client.get(path, headers=h)).status_code

            return await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(80))), timeout=60)

    try:
        statuses = asyncio.run(scenario())
    finally:
        app.state.ctx.engine.dispose()
    assert statuses == [200] * 80
