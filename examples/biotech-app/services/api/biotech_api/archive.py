"""A zip of an analysis's outputs, streamed from S3 to the client (never written to S3 or disk).

Built with ``stream-zip`` (MIT): it takes the entries as iterables of bytes and yields the zip a
chunk at a time, switching to ZIP64 by itself for large members. Only one S3 object is open at
a time; memory holds one chunk of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stream_zip import ZIP_AUTO, stream_zip

CHUNK = 1024 * 1024
# PNG and Parquet are compressed already; deflating them again costs CPU for nothing.
_STORED_AS_IS = (".png", ".parquet", ".gz")


@dataclass(frozen=True)
class Member:
    path: str
    key: str
    size: int


def _object_chunks(s3: Any, bucket: str, key: str) -> Iterator[bytes]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        yield from body.iter_chunks(CHUNK)
    finally:
        body.close()


def stream(s3: Any, bucket: str, members: list[Member], modified_at: datetime) -> Iterable[bytes]:
    """The zip's bytes: each member read from ``bucket`` when the client reaches it."""
    mtime = modified_at.replace(tzinfo=None)

    def entries() -> Iterator[tuple[str, datetime, int, Any, Iterable[bytes]]]:
        for m in members:
            level = 0 if m.path.lower().endswith(_STORED_AS_IS) else 6
            yield m.path, mtime, 0o600, ZIP_AUTO(m.size, level=level), _object_chunks(s3, bucket, m.key)

    return stream_zip(entries(), chunk_size=CHUNK)
