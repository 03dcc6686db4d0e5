"""Per-user monthly budget: the month's recorded cost, the refusal when it is spent, /api/me/usage.

The cost arrives the way it does in production: a contract-v2 completion event (built from the
contract's own example, validated against its schema) read from the SQS queue by the consumer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import create_engine, update

from biotech_api.analyses import month_bounds
from biotech_api.config import ConfigError
from biotech_api.main import create_app
from biotech_api.models import Analysis
from devtools.local_aws import LocalAws
from tests.conftest import REPO_ROOT
from tests.helpers import put_json
from tests.test_contracts_v2 import _deliver, _event, _get_json, _publish, _start


@pytest.fixture(scope="module")
def budget_client(make_settings: Any) -> Iterator[TestClient]:
    app = create_app(make_settings(MONTHLY_BUDGET_USD_PER_USER="1.00"), consume_events=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _complete(
    client: TestClient, h: dict[str, str], aws: LocalAws, make_settings: Any, contract: Any, cost: float
) -> dict[str, Any]:
    """Start an analysis of a new sample and let the pipeline report it finished at ``cost``."""
    started = _start(client, h)
    analysis = started["analysis"]
    owner = client.get("/api/me", headers=h).json()["id"]
    _publish(aws, analysis, started["files"], 2, contract)
    # The roll-up and the event carry the same cost (the pipeline writes both from one figure).
    key = f"analyses/{analysis['id']}/summary.json"
    summary = _get_json(aws, aws.results_bucket, key)
    summary["cost"]["estimatedCostUsd"] = cost
    contract("analysis-summary.v2.schema.json", summary)
    put_json(aws.client("s3"), aws.results_bucket, key, summary)
    _deliver(aws, make_settings, _event(analysis, owner, 2, contract, estimatedCostUsd=cost))
    done = client.get(f"/api/analyses/{analysis['id']}", headers=h).json()
    assert done["status"] == "PARTIAL" and done["estimatedCostUsd"] == cost
    return {**started, "analysis": done}


def _move_to_last_month(database_url: str, analysis_id: str) -> None:
    start, _ = month_bounds(datetime.now(UTC))
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as conn:
            conn.execute(
                update(Analysis)
                .where(Analysis.id == analysis_id)
                .values(created_at=start - timedelta(seconds=1))
            )
    finally:
        engine.dispose()


def test_starts_and_reruns_are_refused_once_the_months_budget_is_spent(
    budget_client: TestClient, auth: Any, aws: LocalAws, make_settings: Any, contract: Any, database_url: str
) -> None:
    client = budget_client
    h = auth("budget-spender")
    _complete(client, h, aws, make_settings, contract, 0.6)
    # Under the limit ($0.60 of $1.00): the next one starts.
    second = _complete(client, h, aws, make_settings, contract, 0.55)

    sid = second["sid"]
    r = client.post(f"/api/samples/{sid}/analyses", json={}, headers=h)
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "monthly_budget_exceeded"
    message = error["message"]
    assert "$1.00" in message and "$1.15" in message and "MONTHLY_BUDGET_USD_PER_USER" in message

    r = client.post(f"/api/analyses/{second['analysis']['id']}/rerun", headers=h)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "monthly_budget_exceeded"

    # Another user's spend is not this user's.
    other = auth("budget-other")
    r = client.post(f"/api/samples/{_start(client, other)['sid']}/analyses", json={}, headers=other)
    assert r.status_code == 202, r.text

    # Last month's analyses do not count.
    _move_to_last_month(database_url, second["analysis"]["id"])
    r = client.post(f"/api/samples/{sid}/analyses", json={}, headers=h)
    assert r.status_code == 202, r.text


def test_usage_reports_the_months_recorded_cost_and_the_budget(
    budget_client: TestClient, auth: Any, aws: LocalAws, make_settings: Any, contract: Any, database_url: str
) -> None:
    client = budget_client
    h = auth("budget-reader")
    usage = client.get("/api/me/usage", headers=h).json()
    assert usage["budgetUsd"] == 1.0 and usage["spentUsd"] == 0.0 and usage["remainingUsd"] == 1.0
    assert usage["month"] == datetime.now(UTC).strftime("%Y-%m")
    assert usage["resetsAt"].startswith(month_bounds(datetime.now(UTC))[1].strftime("%Y-%m-01T00:00:00"))

    first = _complete(client, h, aws, make_settings, contract, 0.25)
    _complete(client, h, aws, make_settings, contract, 0.5)
    usage = client.get("/api/me/usage", headers=h).json()
    assert usage["spentUsd"] == pytest.approx(0.75) and usage["remainingUsd"] == pytest.approx(0.25)
    assert usage["analysesCounted"] == 2 and usage["analysesWithoutCost"] == 0

    r = client.post(f"/api/samples/{first['sid']}/analyses", json={}, headers=h)
    assert r.status_code == 202, r.text
    usage = client.get("/api/me/usage", headers=h).json()
    assert usage["analysesWithoutCost"] == 1  # the one just started has no cost yet
    assert usage["spentUsd"] == pytest.approx(0.75)

    _move_to_last_month(database_url, first["analysis"]["id"])
    usage = client.get("/api/me/usage", headers=h).json()
    assert usage["spentUsd"] == pytest.approx(0.5) and usage["analysesCounted"] == 1

    # Another user's spend is not this user's.
    assert client.get("/api/me/usage", headers=auth("budget-nobody")).json()["spentUsd"] == 0.0


def test_without_a_budget_usage_reports_spend_and_no_limit(
    client: TestClient, auth: Any, aws: LocalAws, make_settings: Any, contract: Any
) -> None:
    h = auth("budget-free")
    _complete(client, h, aws, make_settings, contract, 5.0)
    usage = client.get("/api/me/usage", headers=h).json()
    assert usage["spentUsd"] == 5.0 and usage["budgetUsd"] is None and usage["remainingUsd"] is None
    r = client.post(f"/api/samples/{_start(client, h)['sid']}/analyses", json={}, headers=h)
    assert r.status_code == 202, r.text


def test_usage_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/me/usage").status_code == 401


def test_month_bounds_are_utc_calendar_months() -> None:
    start, end = month_bounds(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert (start, end) == (datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    # 21:30 on 31 January in UTC-3 is already February in UTC.
    start, _ = month_bounds(datetime(2026, 1, 31, 21, 30, tzinfo=UTC) + timedelta(hours=3))
    assert start == datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["0", "-5", "ten", "nan", "inf"])
def test_an_unusable_budget_is_refused_naming_the_setting(make_settings: Any, raw: str) -> None:
    with pytest.raises(ConfigError, match="MONTHLY_BUDGET_USD_PER_USER"):
        make_settings(MONTHLY_BUDGET_USD_PER_USER=raw)


def test_an_unset_budget_means_no_limit(make_settings: Any) -> None:
    assert make_settings().monthly_budget_usd_per_user is None
    assert make_settings(MONTHLY_BUDGET_USD_PER_USER=" ").monthly_budget_usd_per_user is None
    assert make_settings(MONTHLY_BUDGET_USD_PER_USER="250").monthly_budget_usd_per_user == 250.0


def test_the_web_apps_usage_fixture_is_the_apis_answer(budget_client: TestClient, auth: Any) -> None:
    """services/web/tests/unit/fixtures/usage.json (what the web app's tests feed its usage line)
    follows the API's OpenAPI schema of /api/me/usage and has exactly the fields the API answers."""
    fixture = json.loads(
        (REPO_ROOT / "examples/biotech-app/services/web/tests/unit/fixtures/usage.json").read_text()
    )
    openapi = budget_client.app.openapi()  # type: ignore[attr-defined]
    schema = openapi["components"]["schemas"]["Usage"]
    errors = [
        e.message for e in Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(fixture)
    ]
    assert not errors, errors
    assert set(schema["required"]) == set(fixture)
    live = budget_client.get("/api/me/usage", headers=auth("budget-shape")).json()
    assert set(live) == set(fixture)
