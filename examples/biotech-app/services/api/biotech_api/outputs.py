"""The worker's outputs as the API offers them: stable download names, kinds, presigned links."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Literal

from .models import utcnow

OutputKind = Literal["table", "plot", "summary", "report", "error"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
PART_MAX = 60
# Compression and then format suffixes removed from a file name (``BSA1.mzML.gz`` -> ``BSA1``).
_COMPRESSION = (".gz", ".bz2", ".xz", ".zip")
_FORMATS = (".mzml", ".mzxml", ".mgf", ".raw", ".d")


def slug(text: str | None, fallback: str) -> str:
    """``text`` reduced to ``[A-Za-z0-9._-]``: runs of other characters become ``-``, the ends are
    trimmed of ``-`` and ``.``, at most 60 characters; ``fallback`` when nothing is left."""
    value = _UNSAFE.sub("-", text or "").strip("-.")[:PART_MAX].strip("-.")
    return value or fallback


def file_stem(file_name: str) -> str:
    """The file name without its extensions: ``BSA1.mzML.gz`` -> ``BSA1``, ``run.2.mgf`` -> ``run.2``."""
    name = file_name.strip()
    for group in (_COMPRESSION, _FORMATS):
        lower = name.lower()
        for suffix in group:
            if lower.endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return name


def stable_name(sample_name: str, protein_name: str | None, file_name: str, output: str) -> str:
    """``<sample>_<protein>_<file>_<output>``, e.g. ``lysozyme-batch-3_BSA_BSA1_peptides.csv``."""
    return "_".join(
        (
            slug(sample_name, "sample"),
            slug(protein_name, "protein"),
            slug(file_stem(file_name), "file"),
            slug(output, "output"),
        )
    )


def output_kind(output: str) -> OutputKind:
    if output == "summary.json":
        return "summary"
    if output == "error.json":
        return "error"
    lower = output.lower()
    if lower.endswith(".png"):
        return "plot"
    if lower.endswith((".csv", ".tsv", ".parquet")):
        return "table"
    return "report"


def content_disposition(name: str, kind: OutputKind) -> str:
    """Plots open in the browser; everything else is saved under its stable name.

    ``name`` is already limited to ``[A-Za-z0-9._-]``: no quoting or encoding is needed.
    """
    return f'{"inline" if kind == "plot" else "attachment"}; filename="{name}"'


def presign(s3: Any, bucket: str, key: str, name: str, kind: OutputKind, expiry: int) -> tuple[str, datetime]:
    """A GET link to ``key`` that saves (or shows) the object as ``name``; and when it expires."""
    url = s3.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": key, "ResponseContentDisposition": content_disposition(name, kind)},
        ExpiresIn=expiry,
    )
    return str(url), utcnow() + timedelta(seconds=expiry)
