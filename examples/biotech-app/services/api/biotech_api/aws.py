"""boto3 clients, created once per process (boto3 clients are thread-safe).

On EKS the default credential chain picks up Pod Identity credentials, which are temporary and
refreshed by botocore; presigned URLs are therefore produced on demand with a short expiry.
``AWS_ENDPOINT_URL`` (honoured by botocore) points every client at a local emulator in tests.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .config import Settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_stepfunctions import SFNClient


@dataclass
class AwsClients:
    s3: S3Client
    sfn: SFNClient
    sqs: SQSClient | None


def make_clients(settings: Settings) -> AwsClients:
    custom_endpoint = bool(os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"))
    base = Config(
        region_name=settings.aws_region,
        retries={"max_attempts": 4, "mode": "standard"},
        connect_timeout=3,
        read_timeout=10,
        max_pool_connections=20,
    )
    s3_config = base.merge(
        Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if custom_endpoint else "virtual"},
        )
    )
    session = boto3.session.Session(region_name=settings.aws_region)
    s3: S3Client = session.client("s3", config=s3_config)
    sfn: SFNClient = session.client("stepfunctions", config=base)
    sqs: SQSClient | None = (
        session.client("sqs", config=base.merge(Config(read_timeout=30)))
        if settings.completion_queue_url
        else None
    )
    return AwsClients(s3=s3, sfn=sfn, sqs=sqs)


def error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def read_json(s3: S3Client, bucket: str, key: str, max_bytes: int = 50_000_000) -> dict[str, Any] | None:
    """The JSON object at ``key``, or None when it does not exist or is not a JSON object."""
    try:
        obj = s3.get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if error_code(exc) in {"NoSuchKey", "404", "NotFound"}:
            return None
        raise
    body = obj["Body"]
    try:
        raw = body.read(max_bytes + 1)
    finally:
        body.close()
    if len(raw) > max_bytes:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
