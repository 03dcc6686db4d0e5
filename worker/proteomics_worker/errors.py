"""Error type carrying one of the contract's error codes."""

from __future__ import annotations

ERROR_CODES = (
    "UNREADABLE",
    "CORRUPT",
    "TRUNCATED",
    "EMPTY",
    "UNKNOWN_FORMAT",
    "BAD_FASTA",
    "BAD_PARAMETERS",
    "BAD_MANIFEST",
    "CHECKSUM_MISMATCH",
    "DOWNLOAD_FAILED",
    "UPLOAD_FAILED",
    "TIMEOUT",
    "INTERNAL",
    "UNSUPPORTED_ACQUISITION",
)


class WorkerError(Exception):
    """A failure with a contract error code and a one-line message."""

    def __init__(self, code: str, message: str) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code}")
        self.code = code
        self.message = one_line(message)
        super().__init__(f"{code}: {self.message}")


def one_line(text: str, limit: int = 900) -> str:
    flat = " ".join(str(text).split())
    if not flat:
        flat = "no detail available"
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
