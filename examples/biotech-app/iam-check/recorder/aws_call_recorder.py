"""Records every AWS call our Python code makes, for the IAM check (``iam-check/``).

Installed by the API's and the worker's tests when ``AWS_CALL_LOG_DIR`` is set (``sitecustomize``
in this folder installs it in subprocesses too, such as the worker's CLI). For each call it writes
one JSON line to ``$AWS_CALL_LOG_DIR/<pid>.jsonl``::

    {"service": "s3", "operation": "HeadObject", "iamAction": "s3:GetObject",
     "resourceArn": "arn:aws:s3:::b/uploads/x", "context": {"aws:SecureTransport": "true"},
     "kms": [{"action": "kms:Decrypt", "via": "s3", "encryptionContext": {...}}],
     "presigned": false, "site": "biotech_api/api.py:485", "principalHint": "biotech_api"}

Only calls made from our packages count (``site`` is the innermost frame of a watched package; the
tests' own set-up calls have none and are skipped). A presigned URL counts as the call it
authorises: botocore emits ``before-parameter-build`` for presigning too. Names (buckets, state
machine, queue) are the tests' own; the check maps them to the synthesized template.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

# Packages whose frames make a call "ours"; the first path component names the principal.
WATCHED = ("biotech_api", "proteomics_worker")

_lock = threading.Lock()
_installed = False
# s3transfer runs download_file/upload_file in worker threads whose stacks hold none of our
# frames: the transfer method's own call site is kept here while it runs.
_transfer_site: dict[int, list[str]] = {}


def _frames() -> list[str]:
    """``<package>/<file>:<line>`` of every frame of a watched package, innermost first."""
    out = []
    frame = sys._getframe(1)
    while frame is not None:
        parts = Path(frame.f_code.co_filename).parts
        for pkg in WATCHED:
            if pkg in parts:
                i = len(parts) - 1 - parts[::-1].index(pkg)
                out.append(f"{'/'.join(parts[i:])}:{frame.f_lineno}")
                break
        frame = frame.f_back  # type: ignore[assignment]
    if not out and _transfer_site:
        out = list(next(iter(_transfer_site.values())))
    return out


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def _queue_arn(url: str) -> str:
    # https://sqs.<region>.amazonaws.com/<account>/<name> (moto: http://127.0.0.1:<port>/<account>/<name>)
    account, name = urlparse(url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{_region()}:{account}:{name}"


_S3_OBJECT = {
    "HeadObject": ("s3:GetObject", []),
    "GetObject": ("s3:GetObject", ["kms:Decrypt"]),
    "PutObject": ("s3:PutObject", ["kms:GenerateDataKey"]),
    # Multipart uploads into an SSE-KMS bucket need both (S3 decrypts the parts to complete).
    "CreateMultipartUpload": ("s3:PutObject", ["kms:GenerateDataKey", "kms:Decrypt"]),
    "UploadPart": ("s3:PutObject", ["kms:GenerateDataKey", "kms:Decrypt"]),
    "CompleteMultipartUpload": ("s3:PutObject", ["kms:GenerateDataKey", "kms:Decrypt"]),
    "ListParts": ("s3:ListMultipartUploadParts", []),
    "AbortMultipartUpload": ("s3:AbortMultipartUpload", []),
    "DeleteObject": ("s3:DeleteObject", []),
    "GetObjectTagging": ("s3:GetObjectTagging", []),
}


def describe(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """IAM action, resource ARN, context keys and implied KMS use of one call."""
    ctx: dict[str, Any] = {"aws:SecureTransport": "true"}
    kms: list[dict[str, Any]] = []
    if service == "s3" and operation in _S3_OBJECT:
        action, kms_actions = _S3_OBJECT[operation]
        arn = f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"
        for a in kms_actions:
            kms.append({"action": a, "via": "s3", "encryptionContext": {"aws:s3:arn": arn}})
        return {"iamAction": action, "resourceArn": arn, "context": ctx, "kms": kms}
    if service == "s3" and operation in {"ListObjectsV2", "ListObjects", "HeadBucket"}:
        if "Prefix" in params:
            ctx["s3:prefix"] = params["Prefix"]
        return {
            "iamAction": "s3:ListBucket",
            "resourceArn": f"arn:aws:s3:::{params['Bucket']}",
            "context": ctx,
            "kms": kms,
        }
    if service == "states" and operation == "StartExecution":
        sm = params["stateMachineArn"]
        for a in ("kms:GenerateDataKey", "kms:Decrypt"):
            kms.append({"action": a, "via": "states", "encryptionContext": {"aws:states:stateMachineArn": sm}})
        return {"iamAction": "states:StartExecution", "resourceArn": sm, "context": ctx, "kms": kms}
    if service == "states" and operation in {"DescribeExecution", "StopExecution", "GetExecutionHistory"}:
        arn = params["executionArn"]
        sm = arn.replace(":execution:", ":stateMachine:").rsplit(":", 1)[0]
        if operation != "StopExecution" and params.get("includedData", "ALL_DATA") != "METADATA_ONLY":
            kms.append(
                {"action": "kms:Decrypt", "via": "states", "encryptionContext": {"aws:states:stateMachineArn": sm}}
            )
        return {"iamAction": f"states:{operation}", "resourceArn": arn, "context": ctx, "kms": kms}
    if service == "sqs" and "QueueUrl" in params:
        arn = _queue_arn(params["QueueUrl"])
        if operation == "ReceiveMessage":
            kms.append({"action": "kms:Decrypt", "via": "sqs", "encryptionContext": {"aws:sqs:arn": arn}})
        if operation == "SendMessage":
            kms.append({"action": "kms:GenerateDataKey", "via": "sqs", "encryptionContext": {"aws:sqs:arn": arn}})
        return {"iamAction": f"sqs:{operation}", "resourceArn": arn, "context": ctx, "kms": kms}
    if service == "secretsmanager" and operation == "GetSecretValue":
        arn = params["SecretId"]
        kms.append({"action": "kms:Decrypt", "via": "secretsmanager", "encryptionContext": {"SecretARN": arn}})
        return {"iamAction": "secretsmanager:GetSecretValue", "resourceArn": arn, "context": ctx, "kms": kms}
    # Anything else is recorded as unmapped: the check refuses it until it is mapped here.
    return {"iamAction": None, "resourceArn": None, "context": ctx, "kms": kms}


def _write(record: dict[str, Any]) -> None:
    folder = Path(os.environ["AWS_CALL_LOG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, sort_keys=True)
    with _lock, open(folder / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def _record(service: str, operation: str, params: dict[str, Any], presigned: bool, frames: list[str]) -> None:
    if not frames:
        return
    record = {
        "service": service,
        "operation": operation,
        "presigned": presigned,
        "site": frames[0],
        # The outermost frame is the entry point (the API, the bootstrap job, the worker's CLI).
        "entry": frames[-1].split(":")[0],
        "principalHint": frames[0].split("/", 1)[0],
    }
    record.update(describe(service, operation, params))
    _write(record)


def _on_params(params: dict[str, Any], model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
    service = model.service_model.endpoint_prefix  # s3, states, sqs, secretsmanager, rds
    _record(service, model.name, dict(params), bool(context and context.get("is_presign_request")), _frames())


def install() -> None:
    """Hook every botocore session created from now on (idempotent)."""
    global _installed
    if _installed or not os.environ.get("AWS_CALL_LOG_DIR"):
        return
    _installed = True
    import boto3.s3.inject as inject
    import botocore.session
    import botocore.signers as signers

    original_init = botocore.session.Session.__init__

    @functools.wraps(original_init)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        self.register("before-parameter-build", _on_params)

    botocore.session.Session.__init__ = init  # type: ignore[method-assign]

    original_token = signers.generate_db_auth_token

    @functools.wraps(original_token)
    def db_auth_token(
        self: Any, DBHostname: str, Port: int, DBUsername: str, Region: str | None = None, **kw: Any
    ) -> Any:
        frames = _frames()
        if frames:
            # rds-db:connect names the cluster's resource id, which the template knows: the host stands in.
            _write(
                {
                    "service": "rds",
                    "operation": "GenerateDbAuthToken",
                    "presigned": True,
                    "site": frames[0],
                    "entry": frames[-1].split(":")[0],
                    "principalHint": frames[0].split("/", 1)[0],
                    "iamAction": "rds-db:connect",
                    "resourceArn": f"arn:aws:rds-db:{Region or _region()}:0:dbuser:{DBHostname}/{DBUsername}",
                    "context": {"aws:SecureTransport": "true"},
                    "kms": [],
                }
            )
        return original_token(self, DBHostname, Port, DBUsername, Region, **kw)

    signers.generate_db_auth_token = db_auth_token

    for name in ("download_file", "upload_file"):
        original = getattr(inject, name)

        def transfer(*args: Any, __original: Any = original, **kwargs: Any) -> Any:
            frames = _frames()
            key = threading.get_ident()
            if frames:
                _transfer_site[key] = frames
            try:
                return __original(*args, **kwargs)
            finally:
                _transfer_site.pop(key, None)

        setattr(inject, name, transfer)


# Client methods that are not operations of a service model but make (or authorise) calls.
_EXTRA_METHODS = {"generate_presigned_url", "generate_db_auth_token", "download_file", "upload_file", "get_paginator"}


def call_sites(package_dir: Path) -> list[dict[str, Any]]:
    """Every boto3 call site in ``package_dir``, found by parsing the source.

    A site is a call ``<expr>.<method>(...)`` whose method is an operation of a service the package
    creates a client for (``client("s3")``) or one of the client's presign/transfer helpers. The
    statement's line range is kept: a recorded call matches a site when its line falls in it.
    """
    import ast

    import botocore.session
    from botocore import xform_name

    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(package_dir.rglob("*.py"))}
    services = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "client"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                services.add(node.args[0].value)
    session = botocore.session.get_session()
    methods = set(_EXTRA_METHODS)
    for service in services:
        methods |= {xform_name(op) for op in session.get_service_model(service).operation_names}
    sites = []
    for path, tree in trees.items():
        rel = "/".join(path.relative_to(package_dir.parent).parts)
        for stmt in ast.walk(tree):
            if not isinstance(stmt, ast.stmt) or isinstance(
                stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
            ):
                continue
            # Only the calls of this statement itself, not of statements nested in it.
            nested = [n for n in ast.iter_child_nodes(stmt) if not isinstance(n, ast.stmt)]
            for expr in nested:
                for node in ast.walk(expr):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and node.func.attr in methods
                        and node.func.attr != "client"
                    ):
                        sites.append(
                            {
                                "file": rel,
                                "method": node.func.attr,
                                "line": node.lineno,
                                "firstLine": stmt.lineno,
                                "lastLine": stmt.end_lineno or stmt.lineno,
                            }
                        )
    return sites


def write_sites(package_dir: Path) -> None:
    """Writes ``sites-<package>.json`` (the static list of call sites) next to the call logs."""
    if not os.environ.get("AWS_CALL_LOG_DIR"):
        return
    folder = Path(os.environ["AWS_CALL_LOG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    out = {"package": package_dir.name, "sites": call_sites(package_dir)}
    (folder / f"sites-{package_dir.name}.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
