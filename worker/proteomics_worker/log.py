"""Structured logs: one JSON object per line on stderr.

Agreed format (the monitoring metric filter matches ``{ $.level = "ERROR" || $.level = "CRITICAL" }``,
CloudWatch terms are case-sensitive): ``level`` is DEBUG, INFO, WARNING, ERROR or CRITICAL in upper case,
``event`` names what happened, and ``code``, ``fileId``, ``analysisId``, ``message`` are added when known.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def log(level: str, event: str, **fields: Any) -> dict[str, Any]:
    level = level.upper()
    if level not in LEVELS:
        raise ValueError(f"unknown log level {level}")
    doc: dict[str, Any] = {"level": level, "event": event}
    doc.update({k: v for k, v in fields.items() if v is not None})
    doc["time"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    print(json.dumps(doc, separators=(",", ":"), default=str), file=sys.stderr, flush=True)
    return doc
