"""Shared fixtures: PostgreSQL (from TEST_DATABASE_URL), moto on 127.0.0.1, a local OIDC issuer."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import make_url

from biotech_api.config import MIB, Settings
from biotech_api.main import create_app
from biotech_api.migrate import run as run_migrations
from devtools.local_aws import LocalAws, start_local_aws
from devtools.oidc_issuer import LocalIssuer

REPO_ROOT = Path(__file__).resolve().parents[5]
SCHEMAS = REPO_ROOT / "contracts" / "schemas"
AUDIENCE = "biotech-web"


# The IAM check (examples/biotech-app/iam-check): with AWS_CALL_LOG_DIR set, every AWS call this
# package makes is recorded (in subprocesses too, through the recorder's sitecustomize).
if os.environ.get("AWS_CALL_LOG_DIR"):
    _RECORDER = str(REPO_ROOT / "examples" / "biotech-app" / "iam-check" / "recorder")
    sys.path.insert(0, _RECORDER)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_RECORDER, os.environ.get("PYTHONPATH")) if p)
    import aws_call_recorder

    aws_call_recorder.install()
    aws_call_recorder.write_sites(Path(__file__).resolve().parents[1] / "biotech_api")


def _admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.exit(
            "TEST_DATABASE_URL is not set: run scripts/test.sh, which starts PostgreSQL", returncode=2
        )
    return url


def recreate_database(name: str) -> str:
    """Drop and create database ``name`` next to TEST_DATABASE_URL's; returns its URL."""
    admin = make_url(_admin_url())
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def issuer() -> Iterator[LocalIssuer]:
    server = LocalIssuer(audience=AUDIENCE).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def aws() -> Iterator[LocalAws]:
    local = start_local_aws()
    saved = {k: os.environ.get(k) for k in local.env()}
    os.environ.update(local.env())
    yield local
    local.stop()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def database_url() -> str:
    url = recreate_database("biotech_test")
    env = {"DATABASE_URL": url}
    run_migrations("upgrade", "head", _settings(env))
    return url


def _settings(env: dict[str, str]) -> Settings:
    base = {"OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_AUDIENCE": AUDIENCE}
    base.update(env)
    return Settings.from_env(base)


@pytest.fixture(scope="session")
def make_settings(issuer: LocalIssuer, aws: LocalAws, database_url: str) -> Any:
    def factory(**overrides: str) -> Settings:
        env = {
            "OIDC_ISSUER": issuer.issuer,
            "OIDC_AUDIENCE": AUDIENCE,
            "DATABASE_URL": database_url,
            "DEFAULT_PART_SIZE_BYTES": str(5 * MIB),
            "MAX_UPLOAD_BYTES": str(10 * 1024 * MIB),
            "MAX_CONCURRENT_ANALYSES_PER_USER": "2",
            "STATUS_POLL_INTERVAL_SECONDS": "0",
            "METRICS_TOKEN": "metrics-secret",
            "LOG_LEVEL": "WARNING",
            **aws.env(),
        }
        env.update(overrides)
        return Settings.from_env(env)

    return factory


@pytest.fixture(scope="session")
def client(make_settings: Any) -> Iterator[TestClient]:
    app = create_app(make_settings(), consume_events=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def auth(issuer: LocalIssuer) -> Any:
    def headers(sub: str, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {issuer.token(sub, **kwargs)}"}

    return headers


def _validator(name: str) -> Draft202012Validator:
    path = SCHEMAS / name
    if not path.exists():
        pytest.fail(f"contract schema missing: {path}")
    schema = json.loads(path.read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="session")
def contract() -> Any:
    cache: dict[str, Draft202012Validator] = {}

    def validate(name: str, document: Any) -> None:
        if name not in cache:
            cache[name] = _validator(name)
        errors = sorted(cache[name].iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)

    return validate
