"""OIDC bearer-token verification (PyJWT + the issuer's JWKS).

Checks the signature against the issuer's published keys, ``iss``, ``exp`` (and ``nbf``/``iat``
when present), and the audience: ``aud`` must contain ``OIDC_AUDIENCE`` or, for Cognito access
tokens, which carry no ``aud``, ``client_id`` must be one of the accepted clients
(``OIDC_CLIENT_IDS``, by default ``OIDC_AUDIENCE`` alone). Only access tokens are accepted: a
token whose ``token_use`` is set must say ``access`` (a Cognito ID token says ``id`` and carries
``aud`` = the app client, so the audience alone would let it in). A token whose ``azp``
(authorised party) is set must have been issued to an accepted client: a token another client
obtained for the same audience is refused. There is no switch that skips verification: tests
run a local issuer that publishes its own JWKS.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

from .config import Settings
from .errors import ApiError

log = logging.getLogger("biotech_api.auth")
# A claim value, not a secret.
_ACCESS_TOKEN_USE = "access"  # noqa: S105  # nosec B105


@dataclass(frozen=True)
class Identity:
    subject: str
    email: str | None
    name: str | None


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": 'Bearer realm="api"'})


class TokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: PyJWKClient | None = None
        self._lock = threading.Lock()
        # Verified tokens, by their exact text, until min(exp, 5 min): the web app sends the same
        # token with every request, and a signature check plus JWK parsing costs ~2 ms of CPU.
        self._verified: dict[str, tuple[Identity, float]] = {}

    def cached(self, token: str) -> Identity | None:
        hit = self._verified.get(token)
        if hit is not None and hit[1] > time.time():
            return hit[0]
        return None

    def verify(self, token: str) -> Identity:
        identity = self.cached(token)
        if identity is not None:
            return identity
        identity, expires = self._verify(token)
        if len(self._verified) >= 10_000:
            self._verified.clear()
        self._verified[token] = (identity, min(expires, time.time() + 300))
        return identity

    def _discover_jwks_url(self) -> str:
        if self._settings.oidc_jwks_url:
            return self._settings.oidc_jwks_url
        issuer = self._settings.oidc_issuer
        discovery = f"{issuer}/.well-known/openid-configuration"
        if not discovery.startswith(("https://", "http://")):
            raise _unauthorized("identity provider is not configured")
        try:
            with urllib.request.urlopen(discovery, timeout=5) as resp:  # noqa: S310  # nosec B310
                doc = json.loads(resp.read(1_000_000))
            uri = doc.get("jwks_uri")
            if isinstance(uri, str) and uri.startswith(("https://", "http://")):
                return uri
        except (OSError, ValueError):
            log.warning("OIDC discovery failed, using the default JWKS path")
        return f"{issuer}/.well-known/jwks.json"

    def _jwk_client(self) -> PyJWKClient:
        with self._lock:
            if self._client is None:
                self._client = PyJWKClient(
                    self._discover_jwks_url(), cache_keys=True, lifespan=600, timeout=5
                )
            return self._client

    def _verify(self, token: str) -> tuple[Identity, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized("malformed token") from exc
        if header.get("alg") not in self._settings.oidc_algorithms:
            raise _unauthorized("token algorithm not accepted")
        try:
            key = self._jwk_client().get_signing_key_from_jwt(token)
        except jwt.PyJWKClientConnectionError as exc:
            log.warning("JWKS unreachable")
            raise ApiError(503, "auth_unavailable", "identity provider keys unavailable") from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized("unknown signing key") from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=list(self._settings.oidc_algorithms),
                issuer=self._settings.oidc_issuer,
                leeway=self._settings.oidc_leeway_seconds,
                options={"require": ["exp", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise _unauthorized("token expired") from exc
        except jwt.PyJWTError as exc:
            raise _unauthorized("invalid token") from exc
        self._check_audience(claims)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 255:
            raise _unauthorized("invalid subject")
        email = claims.get("email")
        name = claims.get("name") or claims.get("preferred_username") or claims.get("cognito:username")
        identity = Identity(
            subject=sub,
            email=email[:320] if isinstance(email, str) else None,
            name=name[:255] if isinstance(name, str) else None,
        )
        return identity, float(claims["exp"])

    def _check_audience(self, claims: dict[str, Any]) -> None:
        expected = self._settings.oidc_audience
        clients = self._settings.accepted_clients()
        if claims.get("token_use", _ACCESS_TOKEN_USE) != _ACCESS_TOKEN_USE:
            raise _unauthorized("only access tokens are accepted")
        if "azp" in claims and claims["azp"] not in clients:
            raise _unauthorized("token issued to another client")
        aud = claims.get("aud")
        if aud is not None:
            audiences = [aud] if isinstance(aud, str) else aud
            if isinstance(audiences, list) and expected in audiences:
                return
            raise _unauthorized("token audience not accepted")
        if claims.get("client_id") in clients:
            return
        raise _unauthorized("token audience not accepted")


def bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise _unauthorized("missing bearer token")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 16_384:
        raise _unauthorized("missing bearer token")
    return token
