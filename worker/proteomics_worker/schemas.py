"""Access to the JSON Schemas (version 2 is written; version 1 is still read).

The package carries a copy of ``contracts/schemas`` (the Docker build context
is ``worker/``); the test-suite checks that the copy equals the contracts.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

SCHEMA_DIR = Path(__file__).resolve().parent / "schema_files"


CURRENT = 2


@cache
def load(name: str, version: int = CURRENT) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{name}.v{version}.schema.json", encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


@cache
def validator(name: str, version: int = CURRENT) -> Draft202012Validator:
    return Draft202012Validator(load(name, version), format_checker=FormatChecker())


def version_of(document: Any) -> int:
    """The document's schemaVersion (1 or 2); anything else is validated as the current version."""
    v = document.get("schemaVersion") if isinstance(document, dict) else None
    return v if v in (1, 2) else CURRENT


def errors(name: str, document: Any, version: int | None = None) -> list[str]:
    """Schema problems of a document; version None validates against the version it declares."""
    out = []
    ver = version_of(document) if version is None else version
    for err in sorted(validator(name, ver).iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(root)"
        out.append(f"{where}: {err.message}")
    return out


@cache
def parameters_validator() -> Draft202012Validator:
    manifest = load("analysis-manifest")
    schema = dict(manifest["$defs"]["parameters"])
    schema["$defs"] = manifest["$defs"]
    schema["$schema"] = manifest["$schema"]
    return Draft202012Validator(schema, format_checker=FormatChecker())
