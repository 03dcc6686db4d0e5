"""Settings read from the environment (see README.md for the full list)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB
TIB = 1024 * GIB

S3_MIN_PART_BYTES = 5 * MIB
S3_MAX_PART_BYTES = 5 * GIB
S3_MAX_PARTS = 10_000
S3_MAX_OBJECT_BYTES = 5 * TIB


class ConfigError(ValueError):
    """Raised when the environment holds an unusable value."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    """A duration or interval in seconds: a finite number >= 0."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, e.g. {default:g}") from exc
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"{name} must be a finite number of seconds >= 0, got {raw!r}")
    return value


def _budget(env: Mapping[str, str], name: str) -> float | None:
    """A limit in USD: unset (or blank) means no limit; otherwise a finite number > 0."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of US dollars, e.g. 50 (unset it for no limit)") from exc
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{name} must be a number of US dollars > 0 (unset it for no limit), got {raw!r}")
    return value


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    raw = env.get(name, "")
    items = tuple(part.strip() for part in raw.split(",") if part.strip())
    return items or default


OPENAPI_ACCESS_CHOICES = ("public", "signed-in", "off")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, "").strip().lower() or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of: {', '.join(choices)} (got {value!r})")
    return value


@dataclass(frozen=True)
class Settings:
    # Identity provider
    oidc_issuer: str
    oidc_audience: str
    oidc_jwks_url: str | None = None
    oidc_algorithms: tuple[str, ...] = ("RS256", "ES256")
    oidc_leeway_seconds: int = 30
    # App clients whose tokens are accepted (``azp`` of an access token, ``client_id`` of a
    # Cognito access token); empty means only OIDC_AUDIENCE.
    oidc_client_ids: tuple[str, ...] = ()

    # Database
    database_url: str | None = None
    db_host: str | None = None
    db_port: int = 5432
    db_name: str = "biotech"
    db_user: str | None = None
    db_iam_auth: bool = False
    db_secret_arn: str | None = None
    db_sslmode: str | None = None
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_recycle_seconds: int = 300
    db_pool_timeout_seconds: int = 30
    db_connect_timeout_seconds: int = 10
    db_connect_max_wait_seconds: float = 45.0
    db_idle_session_timeout_ms: int = 120_000
    db_ping_after_idle_seconds: float = 5.0
    db_statement_timeout_ms: int = 15_000

    # AWS
    aws_region: str = "us-east-1"
    uploads_bucket: str = ""
    results_bucket: str = ""
    state_machine_arn: str = ""
    completion_queue_url: str | None = None

    # Behaviour
    max_upload_bytes: int = 50 * GIB
    default_part_size_bytes: int = 16 * MIB
    presign_expiry_seconds: int = 900
    download_expiry_seconds: int = 900
    max_concurrent_analyses_per_user: int = 3
    status_poll_interval_seconds: float = 10.0
    max_files_per_sample: int = 500
    # Per-user storage quota: declared sizes of the user's uploads in flight (multipart uploads
    # registered and not yet completed or aborted) plus the uploads stored. 1 TiB is twenty files
    # of the largest size (MAX_UPLOAD_BYTES), about $4 a month in Glacier IR once they tier down.
    max_storage_bytes_per_user: int = 1 * TIB
    # Samples a user may hold (not deleted); the sample list pages through all of them.
    max_samples_per_user: int = 1000
    # The most an analysis's zip archive (GET /analyses/{id}/archive.zip) may hold, summed over the
    # objects it packs before compression; above it the archive is refused (413 archive_too_large).
    max_archive_bytes: int = 512 * MIB
    # Windows after which S3 itself removes what a row may still count: the uploads bucket expires
    # uploads after 365 days and aborts unfinished multipart uploads after 3 days (the platform's
    # defaults; set these to the bucket's values when those props are changed).
    uploads_retention_days: int = 365
    incomplete_upload_days: int = 3
    # Per-user monthly budget in USD (None: no limit). A start or rerun is refused (409) once the
    # estimated cost recorded for the user's analyses created this calendar month (UTC) reaches it.
    monthly_budget_usd_per_user: float | None = None
    cors_origins: tuple[str, ...] = ()
    metrics_token: str | None = None
    log_level: str = "INFO"
    # Who may read /api/openapi.json: "public", "signed-in" (any valid token) or "off".
    openapi_access: str = "signed-in"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        issuer = env.get("OIDC_ISSUER", "").strip().rstrip("/")
        audience = env.get("OIDC_AUDIENCE", "").strip()
        if not issuer or not audience:
            raise ConfigError("OIDC_ISSUER and OIDC_AUDIENCE are required")
        max_upload = _int(env, "MAX_UPLOAD_BYTES", 50 * GIB, minimum=1)
        if max_upload > S3_MAX_OBJECT_BYTES:
            raise ConfigError("MAX_UPLOAD_BYTES cannot exceed 5 TiB (the S3 object limit)")
        part = _int(env, "DEFAULT_PART_SIZE_BYTES", 16 * MIB, minimum=S3_MIN_PART_BYTES)
        if part > S3_MAX_PART_BYTES:
            raise ConfigError("DEFAULT_PART_SIZE_BYTES cannot exceed 5 GiB")
        settings = cls(
            oidc_issuer=issuer,
            oidc_audience=audience,
            oidc_jwks_url=env.get("OIDC_JWKS_URL", "").strip() or None,
            oidc_algorithms=_list(env, "OIDC_ALGORITHMS", ("RS256", "ES256")),
            oidc_leeway_seconds=_int(env, "OIDC_LEEWAY_SECONDS", 30),
            oidc_client_ids=_list(env, "OIDC_CLIENT_IDS", (audience,)),
            database_url=env.get("DATABASE_URL", "").strip() or None,
            db_host=env.get("DB_HOST", "").strip() or None,
            db_port=_int(env, "DB_PORT", 5432, minimum=1),
            db_name=env.get("DB_NAME", "biotech").strip() or "biotech",
            db_user=env.get("DB_USER", "").strip() or None,
            db_iam_auth=env.get("DB_IAM_AUTH", "").strip().lower() in {"1", "true", "yes"},
            db_secret_arn=env.get("DB_SECRET_ARN", "").strip() or None,
            db_sslmode=env.get("DB_SSLMODE", "").strip() or None,
            db_pool_size=_int(env, "DB_POOL_SIZE", 5, minimum=1),
            db_max_overflow=_int(env, "DB_MAX_OVERFLOW", 5),
            db_pool_recycle_seconds=_int(env, "DB_POOL_RECYCLE_SECONDS", 300, minimum=1),
            db_pool_timeout_seconds=_int(env, "DB_POOL_TIMEOUT_SECONDS", 30, minimum=1),
            db_connect_timeout_seconds=_int(env, "DB_CONNECT_TIMEOUT_SECONDS", 10, minimum=1),
            db_connect_max_wait_seconds=_float(env, "DB_CONNECT_MAX_WAIT_SECONDS", 45.0),
            db_idle_session_timeout_ms=_int(env, "DB_IDLE_SESSION_TIMEOUT_MS", 120_000),
            db_ping_after_idle_seconds=_float(env, "DB_PING_AFTER_IDLE_SECONDS", 5.0),
            db_statement_timeout_ms=_int(env, "DB_STATEMENT_TIMEOUT_MS", 15_000),
            aws_region=(env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1").strip(),
            uploads_bucket=env.get("UPLOADS_BUCKET", "").strip(),
            results_bucket=env.get("RESULTS_BUCKET", "").strip(),
            state_machine_arn=env.get("STATE_MACHINE_ARN", "").strip(),
            completion_queue_url=env.get("COMPLETION_QUEUE_URL", "").strip() or None,
            max_upload_bytes=max_upload,
            default_part_size_bytes=part,
            presign_expiry_seconds=_int(env, "PRESIGN_EXPIRY_SECONDS", 900, minimum=60),
            download_expiry_seconds=_int(env, "DOWNLOAD_EXPIRY_SECONDS", 900, minimum=60),
            max_concurrent_analyses_per_user=_int(env, "MAX_CONCURRENT_ANALYSES_PER_USER", 3, minimum=1),
            status_poll_interval_seconds=_float(env, "STATUS_POLL_INTERVAL_SECONDS", 10.0),
            max_files_per_sample=_int(env, "MAX_FILES_PER_SAMPLE", 500, minimum=1),
            max_storage_bytes_per_user=_int(env, "MAX_STORAGE_BYTES_PER_USER", 1 * TIB, minimum=1),
            max_samples_per_user=_int(env, "MAX_SAMPLES_PER_USER", 1000, minimum=1),
            max_archive_bytes=_int(env, "MAX_ARCHIVE_BYTES", 512 * MIB, minimum=1),
            uploads_retention_days=_int(env, "UPLOADS_RETENTION_DAYS", 365, minimum=1),
            incomplete_upload_days=_int(env, "INCOMPLETE_UPLOAD_DAYS", 3, minimum=1),
            monthly_budget_usd_per_user=_budget(env, "MONTHLY_BUDGET_USD_PER_USER"),
            cors_origins=_list(env, "CORS_ORIGINS"),
            metrics_token=env.get("METRICS_TOKEN", "").strip() or None,
            log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
            openapi_access=_choice(env, "OPENAPI_ACCESS", OPENAPI_ACCESS_CHOICES, "signed-in"),
        )
        if not settings.database_url and not (settings.db_host and settings.db_user):
            raise ConfigError("set DATABASE_URL, or DB_HOST and DB_USER (with DB_IAM_AUTH or DB_SECRET_ARN)")
        return settings

    def accepted_clients(self) -> tuple[str, ...]:
        return self.oidc_client_ids or (self.oidc_audience,)

    def missing_aws_config(self) -> list[str]:
        """Names of AWS settings needed by the upload/analysis endpoints that are unset."""
        missing = []
        if not self.uploads_bucket:
            missing.append("UPLOADS_BUCKET")
        if not self.results_bucket:
            missing.append("RESULTS_BUCKET")
        if not self.state_machine_arn:
            missing.append("STATE_MACHINE_ARN")
        return missing
