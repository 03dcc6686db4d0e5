"""Request-body limits: 413 before parsing and before authentication, per route."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from biotech_api.limits import DEFAULT_BODY_LIMIT, MIB, body_limit
from biotech_api.main import create_app
from tests.helpers import create_sample


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(make_settings: Any) -> Iterator[tuple[str, int]]:
    """The real application behind a real uvicorn server on 127.0.0.1."""
    app = create_app(make_settings(), consume_events=False)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield "127.0.0.1", port
    srv.should_exit = True
    thread.join(10)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    sock.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, rest


def _send_all(sock: socket.socket, data: bytes) -> bool:
    """Send what the server takes; False once it stopped reading (it answered and closed)."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def test_limits_per_route() -> None:
    assert body_limit("POST", "/api/samples") == DEFAULT_BODY_LIMIT
    assert body_limit("POST", "/api/samples/s-1/files") == 6 * MIB
    assert body_limit("POST", "/api/samples/s-1/files/f-1/complete") == 1 * MIB
    assert body_limit("POST", "/api/samples/s-1/files/f-1/parts") == DEFAULT_BODY_LIMIT
    assert body_limit("GET", "/api/samples/s-1/files") == DEFAULT_BODY_LIMIT


def test_declared_length_over_limit_is_413_before_auth(client: TestClient) -> None:
    body = b"[" + b"1," * (DEFAULT_BODY_LIMIT // 2) + b"1]"
    r = client.post("/api/samples", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    error = r.json()["error"]
    assert error["code"] == "payload_too_large"
    assert str(DEFAULT_BODY_LIMIT) in error["message"]


def test_chunked_body_over_limit_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * (16 * 1024)

    r = client.post("/api/samples", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "payload_too_large"


def test_body_within_limit_reaches_the_route(client: TestClient, auth: Any) -> None:
    h = auth("limits-user")
    # Just under the default limit: parsed, validated, refused by the route's own rule (422).
    r = client.post("/api/samples", json={"name": "n", "description": "d" * 60_000}, headers=h)
    assert r.status_code == 422, r.text
    # A file with a 3 MB sequence is far above the default limit but within the files route's.
    sid = create_sample(client, h)["id"]
    big = {"fileName": "a.mzML", "sizeBytes": 10, "proteinName": "P", "sequence": "A" * 3_000_000}
    r = client.post(f"/api/samples/{sid}/files", json=big, headers=h)
    assert r.status_code != 413, r.text
    r = client.post(
        f"/api/samples/{sid}/files",
        content=b'{"fileName":"a.mzML","sizeBytes":10,"sequence":"' + b"A" * (6 * MIB) + b'"}',
        headers={**h, "Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text


def _answered(sock: socket.socket) -> bool:
    """Whether the server has started to answer (a byte is waiting), without consuming it."""
    sock.setblocking(False)
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except BlockingIOError:
        return False
    finally:
        sock.setblocking(True)


def test_real_server_refuses_60_mb_without_reading_it(server: tuple[str, int]) -> None:
    host, port = server
    declared = 60 * 1000 * 1000
    with socket.create_connection((host, port), timeout=10) as sock:
        head = (
            f"POST /api/samples HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {declared}\r\n\r\n"
        ).encode()
        assert _send_all(sock, head)
        started = time.monotonic()
        sent = 0
        # Offer the body; the server answers after the headers and stops reading.
        block = b"[" + b"1," * (512 * 1024)
        while sent < declared and time.monotonic() - started < 5:
            if not _send_all(sock, block):
                break
            sent += len(block)
            if _answered(sock):
                break
        status, body = _read_response(sock)
    assert status == 413, body
    assert b"payload_too_large" in body
    assert sent < declared  # answered long before the 60 MB were sent


def test_real_server_refuses_chunked_body_while_streaming(server: tuple[str, int]) -> None:
    host, port = server
    with socket.create_connection((host, port), timeout=10) as sock:
        head = (
            f"POST /api/samples HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"
        ).encode()
        assert _send_all(sock, head)
        piece = b" " * (32 * 1024)
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        sent = 0
        for _ in range(64):  # 2 MiB offered, 64 KiB allowed
            if not _send_all(sock, chunk):
                break
            sent += len(piece)
            if _answered(sock):
                break
        # The body never ended (no closing 0-length chunk): the answer came while it streamed.
        status, body = _read_response(sock)
    assert status == 413, body
    assert b"payload_too_large" in body
    assert sent > DEFAULT_BODY_LIMIT
