"""Pure helpers for uploads: accepted formats, server-side keys and multipart part plans."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import MIB, S3_MAX_OBJECT_BYTES, S3_MAX_PART_BYTES, S3_MAX_PARTS, S3_MIN_PART_BYTES

# (lower-case suffix, manifest format); longest suffix first so ".mzml.gz" wins over ".gz".
_FORMATS: tuple[tuple[str, str], ...] = (
    (".mzml.gz", "mzML.gz"),
    (".mzxml", "mzXML"),
    (".mzml", "mzML"),
    (".mgf", "mgf"),
)
ACCEPTED_EXTENSIONS = ".mzML, .mzML.gz, .mzXML, .mgf"


def detect_format(file_name: str) -> str | None:
    lower = file_name.strip().lower()
    for suffix, fmt in _FORMATS:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return fmt
    return None


def object_key(owner_id: str, sample_id: str, file_id: str, fmt: str) -> str:
    """Server-chosen key; the client's file name never reaches S3."""
    return f"uploads/{owner_id}/{sample_id}/{file_id}/input.{fmt}"


@dataclass(frozen=True)
class PartPlan:
    part_size_bytes: int
    part_count: int


def plan_parts(size_bytes: int, preferred_part_bytes: int) -> PartPlan:
    """Part size and count for ``size_bytes`` within S3's limits.

    Parts are at least 5 MiB (except the last), at most 5 GiB, at most 10,000 of them; the part
    size is a whole number of MiB and grows past the preferred size only when needed.
    """
    if size_bytes < 1 or size_bytes > S3_MAX_OBJECT_BYTES:
        raise ValueError("size out of range")
    needed = math.ceil(size_bytes / S3_MAX_PARTS)
    part = max(preferred_part_bytes, S3_MIN_PART_BYTES, needed)
    part = math.ceil(part / MIB) * MIB
    part = min(part, S3_MAX_PART_BYTES)
    count = max(1, math.ceil(size_bytes / part))
    if count > S3_MAX_PARTS:  # pragma: no cover - impossible with the bounds above
        raise ValueError("too many parts")
    return PartPlan(part_size_bytes=part, part_count=count)


def part_length(size_bytes: int, part_size_bytes: int, part_count: int, part_number: int) -> int:
    """Bytes in part ``part_number`` (1-based) of a plan: the part size, the last part the rest."""
    if not 1 <= part_number <= part_count:
        raise ValueError("part number out of range")
    if part_number < part_count:
        return part_size_bytes
    return size_bytes - part_size_bytes * (part_count - 1)
