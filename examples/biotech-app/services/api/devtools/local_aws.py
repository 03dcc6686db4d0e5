"""moto's server on 127.0.0.1 with the platform's buckets, state machine and completion queue.

Presigned URLs point at this server, so tests upload parts with real HTTP PUTs.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalAws:
    endpoint: str
    uploads_bucket: str
    results_bucket: str
    state_machine_arn: str
    queue_url: str
    server: Any

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "UPLOADS_BUCKET": self.uploads_bucket,
            "RESULTS_BUCKET": self.results_bucket,
            "STATE_MACHINE_ARN": self.state_machine_arn,
        }

    def client(self, name: str) -> Any:
        return boto3.client(
            name,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        )

    def stop(self) -> None:
        self.server.stop()


def start_local_aws(
    port: int = 0, prefix: str = "biotech", cors_origins: list[str] | None = None
) -> LocalAws:
    port = port or free_port()
    # Dummy credentials for every boto3 client of this process, including the API's.
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ.setdefault(k, v)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    aws = LocalAws(
        endpoint=endpoint,
        uploads_bucket=f"{prefix}-uploads",
        results_bucket=f"{prefix}-results",
        state_machine_arn="",
        queue_url="",
        server=server,
    )
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=aws.uploads_bucket)
    s3.create_bucket(Bucket=aws.results_bucket)
    if cors_origins:
        # What the platform configures on the real buckets: browsers PUT parts (and must read
        # each part's ETag) and GET results.
        for bucket, methods in (
            (aws.uploads_bucket, ["PUT", "GET", "HEAD"]),
            (aws.results_bucket, ["GET", "HEAD"]),
        ):
            s3.put_bucket_cors(
                Bucket=bucket,
                CORSConfiguration={
                    "CORSRules": [
                        {
                            "AllowedOrigins": cors_origins,
                            "AllowedMethods": methods,
                            "AllowedHeaders": ["*"],
                            "ExposeHeaders": ["ETag"],
                            "MaxAgeSeconds": 600,
                        }
                    ]
                },
            )
    sfn = aws.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    aws.state_machine_arn = sfn.create_state_machine(
        name=f"{prefix}-analysis",
        definition=json.dumps(definition),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/sfn",
    )["stateMachineArn"]
    aws.queue_url = aws.client("sqs").create_queue(QueueName=f"{prefix}-completion")["QueueUrl"]
    return aws


def set_execution_status(
    execution_arn: str, status: str, error: str | None = None, cause: str | None = None
) -> None:
    """Play the pipeline's part: moto does not run state machines, so set the outcome by hand."""
    from moto.stepfunctions.models import stepfunctions_backends

    backend = stepfunctions_backends[ACCOUNT][REGION]
    for machine in backend.state_machines:
        for execution in machine.executions:
            if execution.execution_arn == execution_arn:
                execution.status = status
                execution.error = error
                execution.cause = cause
                return
    raise KeyError(execution_arn)
