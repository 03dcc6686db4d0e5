"""Connection retries absorb a database that is paused/resuming (port closed for a while)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest
from sqlalchemy import make_url, text

from biotech_api.config import Settings
from biotech_api.db import DbHealth, create_db_engine
from devtools.local_aws import free_port


class DelayedProxy:
    """Accepts on ``port`` only after ``delay`` seconds, then forwards to the real server."""

    def __init__(self, target: tuple[str, int], delay: float) -> None:
        self.port = free_port()
        self._target = target
        self._delay = delay
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def _serve(self) -> None:
        time.sleep(self._delay)
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", self.port))
            server.listen()
            server.settimeout(0.2)
            while not self._stop.is_set():
                try:
                    client, _ = server.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(self._target)
                threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
                threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def stop(self) -> None:
        self._stop.set()


def _settings(url: str, max_wait: float) -> Settings:
    return Settings.from_env(
        {
            "OIDC_ISSUER": "http://x",
            "OIDC_AUDIENCE": "y",
            "DATABASE_URL": url,
            "DB_CONNECT_MAX_WAIT_SECONDS": str(max_wait),
            "DB_CONNECT_TIMEOUT_SECONDS": "2",
        }
    )


def test_connect_waits_for_resume(database_url: str) -> None:
    real = make_url(database_url)
    proxy = DelayedProxy((real.host or "127.0.0.1", real.port or 5432), delay=2.0)
    health = DbHealth()
    engine = create_db_engine(
        _settings(database_url.replace(f":{real.port}/", f":{proxy.port}/"), 20), health
    )
    try:
        started = time.monotonic()
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar() == 1
        assert time.monotonic() - started >= 1.5
        assert health.last_error is not None and health.last_ok_at is not None
        assert health.consecutive_failures == 0
    finally:
        engine.dispose()
        proxy.stop()


def test_connect_gives_up_after_max_wait(database_url: str) -> None:
    real = make_url(database_url)
    closed = free_port()
    health = DbHealth()
    engine = create_db_engine(_settings(database_url.replace(f":{real.port}/", f":{closed}/"), 1.5), health)
    try:
        with pytest.raises(Exception, match="connect"):
            engine.connect()
        assert health.consecutive_failures >= 2
    finally:
        engine.dispose()
