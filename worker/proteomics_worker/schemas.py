"""Access to the v1 JSON Schemas.

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


@cache
def load(name: str) -> dict[str, Any]:
    with open(SCHEMA_DIR / f"{name}.v1.schema.json", encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    return doc


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load(name), format_checker=FormatChecker())


def errors(name: str, document: Any) -> list[str]:
    out = []
    for err in sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path)):
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
