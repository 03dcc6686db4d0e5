"""Property-based API tests generated from the OpenAPI schema, bounded per operation.

Each documented operation gets positive and negative examples; every answer must be a non-5xx
response that conforms to the documented status codes, content types and response schemas.
(The schemathesis pytest plugin is not used: it does not support this pytest version.)
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from biotech_api.config import Settings
from biotech_api.main import create_app
from devtools.oidc_issuer import LocalIssuer
from tests.helpers import create_sample, make_data, register_file, upload_file

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 30


def _operations() -> list[str]:
    dummy = Settings.from_env(
        {
            "OIDC_ISSUER": "http://127.0.0.1:9",
            "OIDC_AUDIENCE": "x",
            "DATABASE_URL": "postgresql://u@127.0.0.1:9/x",
        }
    )
    spec = create_app(dummy, consume_events=False).openapi()
    return [f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item]


@pytest.fixture(scope="module")
def fuzz_schema(make_settings: Any) -> Any:
    app: FastAPI = create_app(
        make_settings(MAX_CONCURRENT_ANALYSES_PER_USER="1000", OPENAPI_ACCESS="public"), consume_events=False
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(scope="module")
def fuzz_headers(issuer: LocalIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.token('fuzz-user', email='fuzz@example.org')}"}


@pytest.fixture(scope="module")
def real_ids(client: Any, fuzz_headers: dict[str, str]) -> dict[str, str]:
    """Existing objects of the fuzzing user, so that examples also reach past the 404s."""
    sid = create_sample(client, fuzz_headers, "fuzz")["id"]
    upload_file(
        client, fuzz_headers, sid, register_file(client, fuzz_headers, sid, "f.mzML", 64), make_data(64)
    )
    aid = client.post(f"/api/samples/{sid}/analyses", headers=fuzz_headers).json()["id"]
    pending = register_file(client, fuzz_headers, sid, "g.mgf", 12 * 1024 * 1024)
    return {"sampleId": sid, "fileId": pending["file"]["id"], "analysisId": aid}


@pytest.mark.parametrize("label", _operations())
def test_operation_never_fails(
    label: str, fuzz_schema: Any, fuzz_headers: dict[str, str], real_ids: dict[str, str]
) -> None:
    operation = fuzz_schema.find_operation_by_label(label)
    assert operation is not None, label
    headers = {"Authorization": "Bearer metrics-secret"} if label.endswith("/api/metrics") else fuzz_headers
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    known = {k: v for k, v in real_ids.items() if "{" + k + "}" in label}
    if known and not label.startswith("DELETE"):
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known))
    strategy = st.one_of(*strategies)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()
