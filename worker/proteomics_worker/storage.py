"""Local paths and s3:// URLs behind one small interface, and the local scratch space.

S3 objects are downloaded to local disk before use; results are written
locally and uploaded only when complete, every upload carrying a SHA-256
checksum (required by buckets with Object Lock).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .errors import WorkerError

UPLOAD_LAST = ("summary.json", "error.json")


def is_s3(url: str) -> bool:
    return url.startswith("s3://")


def split_s3(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"not an s3:// URL: {url}")
    return parsed.netloc, parsed.path.lstrip("/")


_CLIENT: Any = None


def client() -> Any:
    global _CLIENT
    if _CLIENT is None:
        import boto3
        from botocore.config import Config

        _CLIENT = boto3.client("s3", config=Config(retries={"max_attempts": 8, "mode": "adaptive"}))
    return _CLIENT


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def download(url: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        if is_s3(url):
            bucket, key = split_s3(url)
            client().download_file(bucket, key, str(dest))
        else:
            shutil.copyfile(url, dest)
    except Exception as exc:  # noqa: BLE001 - any transfer failure
        raise WorkerError("DOWNLOAD_FAILED", f"cannot fetch {url}: {exc}") from exc
    return dest


def read_text(url: str) -> str:
    try:
        if is_s3(url):
            bucket, key = split_s3(url)
            body = client().get_object(Bucket=bucket, Key=key)["Body"].read()
            return str(body.decode("utf-8"))
        return Path(url).read_text(encoding="utf-8")
    except Exception as exc:  # noqa: BLE001
        raise WorkerError("DOWNLOAD_FAILED", f"cannot read {url}: {exc}") from exc


def write_text(url: str, text: str, content_type: str = "application/json") -> None:
    if is_s3(url):
        bucket, key = split_s3(url)
        client().put_object(
            Bucket=bucket, Key=key, Body=text.encode("utf-8"), ContentType=content_type, ChecksumAlgorithm="SHA256"
        )
    else:
        path = Path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def join(base: str, *parts: str) -> str:
    if is_s3(base):
        out = base if base.endswith("/") else base + "/"
        return out + "/".join(p.strip("/") for p in parts)
    return str(Path(base, *parts))


def upload_dir(local: Path, dest: str) -> list[str]:
    """Upload every file of `local` to `dest`, summary.json/error.json last."""
    files = sorted(p for p in local.iterdir() if p.is_file() and not p.name.endswith(".tmp"))
    files.sort(key=lambda p: p.name in UPLOAD_LAST)
    done = []
    try:
        for path in files:
            target = join(dest, path.name)
            ctype = "application/vnd.apache.parquet" if path.suffix == ".parquet" else None
            ctype = ctype or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if is_s3(target):
                bucket, key = split_s3(target)
                client().upload_file(
                    str(path), bucket, key, ExtraArgs={"ChecksumAlgorithm": "SHA256", "ContentType": ctype}
                )
            else:
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                if Path(target).resolve() != path.resolve():
                    shutil.copyfile(path, target)
            done.append(target)
    except Exception as exc:  # noqa: BLE001
        raise WorkerError("UPLOAD_FAILED", f"cannot upload results to {dest}: {exc}") from exc
    return done


def list_keys(url: str) -> list[str]:
    """Keys (S3) or relative paths (local) under a prefix."""
    if is_s3(url):
        bucket, prefix = split_s3(url)
        keys: list[str] = []
        for page in client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return keys
    root = Path(url)
    if not root.exists():
        return []
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]


def work_dir() -> Path:
    """Scratch space: PROTEOMICS_WORK_DIR, else TMPDIR (the job's ephemeral storage).

    On Fargate /tmp is a bind-mounted task volume: it is writable by the image's user (UID 10001) only
    because the image declares /tmp as a VOLUME owned by that user (see the Dockerfile). A scratch
    directory the user cannot write fails here with the reason, before any input is downloaded.
    """
    base = os.environ.get("PROTEOMICS_WORK_DIR") or os.environ.get("TMPDIR") or tempfile.gettempdir()
    try:
        Path(base).mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="proteomics-", dir=base))
    except OSError as exc:
        raise WorkerError(
            "INTERNAL",
            f"scratch directory {base} is not writable by uid {os.getuid()} ({exc.strerror or exc}): the image must "
            "declare it as a VOLUME owned by its user, or set PROTEOMICS_WORK_DIR/TMPDIR to a writable path",
        ) from exc
