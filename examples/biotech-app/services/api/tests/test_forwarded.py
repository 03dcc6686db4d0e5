"""X-Forwarded-For is trusted only from the peers FORWARDED_ALLOW_IPS names (the ALB's subnets)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from uvicorn.config import Config
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def _cmd() -> list[str]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    match = re.search(r"^CMD (\[.*\])\s*$", text, re.MULTILINE)
    assert match, "the Dockerfile has an exec-form CMD"
    cmd: list[str] = json.loads(match.group(1))
    return cmd


def test_the_image_does_not_trust_every_peer() -> None:
    cmd = _cmd()
    assert "--proxy-headers" in cmd
    # Without the flag uvicorn reads FORWARDED_ALLOW_IPS, which the platform sets to the ALB's
    # subnets; "*" would let any process that reaches the pod claim any client address.
    assert "--forwarded-allow-ips" not in cmd and "*" not in cmd


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [("10.0.1.17", True), ("10.0.2.200", True), ("10.0.3.5", False), ("192.0.2.1", False)],
)
def test_forwarded_allow_ips_from_the_environment_takes_cidrs(
    monkeypatch: pytest.MonkeyPatch, peer: str, trusted: bool
) -> None:
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.1.0/24,10.0.2.0/24")
    config = Config("biotech_api.main:create_app", factory=True, proxy_headers=True)
    middleware = ProxyHeadersMiddleware(app=None, trusted_hosts=config.forwarded_allow_ips)  # type: ignore[arg-type]
    assert (peer in middleware.trusted_hosts) is trusted
