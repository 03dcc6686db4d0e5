"""A minimal OIDC issuer on 127.0.0.1 for tests: discovery document, JWKS and token minting.

It only signs tokens for tests; the API verifies them exactly as it verifies a real issuer's.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class LocalIssuer:
    def __init__(self, audience: str = "biotech-web", port: int = 0) -> None:
        self.audience = audience
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex[:16]
        jwk = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self._jwks = {"keys": [jwk]}
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {
                        "issuer": issuer.issuer,
                        "jwks_uri": f"{issuer.issuer}/jwks.json",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path in {"/jwks.json", "/.well-known/jwks.json"}:
                    body = issuer._jwks
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LocalIssuer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def token(
        self,
        sub: str,
        *,
        email: str | None = None,
        name: str | None = None,
        audience: str | None = None,
        issuer: str | None = None,
        expires_in: int = 3600,
        extra: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        omit_aud: bool = False,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer or self.issuer,
            "sub": sub,
            "iat": now,
            "exp": now + expires_in,
        }
        if not omit_aud:
            claims["aud"] = audience or self.audience
        if email:
            claims["email"] = email
        if name:
            claims["name"] = name
        claims.update(extra or {})
        return jwt.encode(claims, key or self._key, algorithm="RS256", headers={"kid": kid or self.kid})


if __name__ == "__main__":  # pragma: no cover - manual use
    server = LocalIssuer().start()
    print(json.dumps({"issuer": server.issuer, "token": server.token("dev-user", email="dev@example.org")}))
    threading.Event().wait()
