"""Pure helpers: part plans, formats, settings."""

from __future__ import annotations

import pytest

from biotech_api.config import GIB, MIB, TIB, ConfigError, Settings
from biotech_api.schemas import AnalysisCreate
from biotech_api.uploads import detect_format, object_key, plan_parts


@pytest.mark.parametrize(
    ("size", "part", "count"),
    [
        (1, 16 * MIB, 1),
        (16 * MIB, 16 * MIB, 1),
        (16 * MIB + 1, 16 * MIB, 2),
        (100 * GIB, 16 * MIB, 6400),
        (200 * GIB, 21 * MIB, 9753),
        (5 * TIB, 525 * MIB, 9987),
    ],
)
def test_plan_parts(size: int, part: int, count: int) -> None:
    plan = plan_parts(size, 16 * MIB)
    assert (plan.part_size_bytes, plan.part_count) == (part, count)
    assert 5 * MIB <= plan.part_size_bytes <= 5 * GIB
    assert plan.part_count <= 10_000
    assert plan.part_size_bytes * plan.part_count >= size


def test_plan_parts_bounds() -> None:
    with pytest.raises(ValueError):
        plan_parts(0, 16 * MIB)
    with pytest.raises(ValueError):
        plan_parts(5 * TIB + 1, 16 * MIB)


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("run.mzML", "mzML"),
        ("RUN.MZML.GZ", "mzML.gz"),
        ("a.b.mzXML", "mzXML"),
        ("x.mgf", "mgf"),
        ("x.gz", None),
        (".mgf", None),
        ("x.fasta", None),
        ("x.mzML ", "mzML"),
    ],
)
def test_detect_format(name: str, fmt: str | None) -> None:
    assert detect_format(name) == fmt


def test_object_key() -> None:
    assert object_key("u-1", "s-2", "f-3", "mzML.gz") == "uploads/u-1/s-2/f-3/input.mzML.gz"


def test_settings_validation() -> None:
    base = {"OIDC_ISSUER": "https://issuer/", "OIDC_AUDIENCE": "aud", "DATABASE_URL": "postgresql://x@h/db"}
    s = Settings.from_env(base)
    assert (
        s.oidc_issuer == "https://issuer" and s.db_pool_size == 5 and s.max_concurrent_analyses_per_user == 3
    )
    with pytest.raises(ConfigError):
        Settings.from_env({**base, "OIDC_AUDIENCE": ""})
    with pytest.raises(ConfigError):
        Settings.from_env({**base, "MAX_UPLOAD_BYTES": str(6 * TIB)})
    with pytest.raises(ConfigError):
        Settings.from_env({**base, "DB_POOL_SIZE": "many"})
    with pytest.raises(ConfigError):
        Settings.from_env({"OIDC_ISSUER": "https://i", "OIDC_AUDIENCE": "a"})
    iam = Settings.from_env(
        {
            "OIDC_ISSUER": "https://i",
            "OIDC_AUDIENCE": "a",
            "DB_HOST": "h",
            "DB_USER": "api",
            "DB_IAM_AUTH": "true",
        }
    )
    assert iam.db_iam_auth and iam.database_url is None


def test_parameters_are_kept_as_sent() -> None:
    """What the contract accepts goes to the manifest unchanged, explicit nulls included."""
    sent = {"enzyme": "trypsin", "fragmentTolerance": None, "filters": {"mzMax": None}}
    assert AnalysisCreate.model_validate({"parameters": sent}).parameters == sent
    assert AnalysisCreate.model_validate({}).parameters is None


def test_iam_token_is_a_presigned_rds_connect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token the API connects with: SigV4-presigned ``connect`` for the configured user."""
    from biotech_api import db

    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # pragma: allowlist secret (a fake for SigV4)
        "AWS_SESSION_TOKEN": "t",
    }.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(db, "_token_cache", {})
    settings = Settings.from_env(
        {
            "OIDC_ISSUER": "https://i",
            "OIDC_AUDIENCE": "a",
            "DB_HOST": "db.cluster.example",
            "DB_PORT": "5433",
            "DB_USER": "biotech_api",
            "DB_IAM_AUTH": "true",
            "AWS_REGION": "sa-east-1",
        }
    )
    token = db._iam_token(settings)
    assert token.startswith("db.cluster.example:5433/?Action=connect&DBUser=biotech_api&")
    assert "X-Amz-Credential=testing%2F" in token and "%2Fsa-east-1%2Frds-db%2Faws4_request" in token
    assert db._iam_token(settings) == token  # reused for 10 minutes
