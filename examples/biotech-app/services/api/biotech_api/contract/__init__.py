"""The analysis manifest contract (v2), as the API validates it.

``analysis-manifest.v2.schema.json`` here is a byte-for-byte copy of
``contracts/schemas/analysis-manifest.v2.schema.json`` (the image's build context is the service
folder, so the copy travels with the code); a test fails when the two differ. Request parameters
are checked against its ``$defs/parameters`` and every manifest against the whole schema before it
is written, so the API refuses at request time what the worker would refuse later.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

SCHEMA_FILE = "analysis-manifest.v2.schema.json"
SCHEMA_VERSION = 2
# Version 1 parameters that version 2 removed (the home-made fragment check); named in the error so
# a caller still sending them learns what replaced them.
RETIRED_PARAMETERS = ("fragmentConfirmation", "decoyMethod", "minFragmentIons", "minFragmentScoreMargin")


@cache
def manifest_schema() -> dict[str, Any]:
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _manifest_validator() -> Draft202012Validator:
    return Draft202012Validator(manifest_schema(), format_checker=FormatChecker())


@cache
def _parameters_validator() -> Draft202012Validator:
    schema = manifest_schema()
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/parameters"}
    return Draft202012Validator(sub, format_checker=FormatChecker())


def parameters_json_schema() -> dict[str, Any]:
    """``$defs/parameters`` with its references inlined (for the OpenAPI document)."""
    defs = manifest_schema()["$defs"]

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    result: dict[str, Any] = inline(defs["parameters"])
    return result


def _non_finite(node: Any, path: str) -> str | None:
    # Python's json module reads NaN and Infinity; JSON Schema's bounds let NaN through, and the
    # manifest would no longer be JSON. Refuse them by path.
    if isinstance(node, float) and not math.isfinite(node):
        return f"{path}: {node} is not a finite number"
    if isinstance(node, dict):
        for k, v in node.items():
            found = _non_finite(v, f"{path}.{k}")
            if found:
                return found
    if isinstance(node, list):
        for i, v in enumerate(node):
            found = _non_finite(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _describe(error: ValidationError, root: str) -> str:
    path = root + error.json_path.removeprefix("$")
    return f"{path}: {error.message}"


def parameters_problem(parameters: Any) -> str | None:
    """None when ``parameters`` follows the contract, else ``"$.parameters.<path>: <problem>"``."""
    found = _non_finite(parameters, "$.parameters")
    if found:
        return found
    error = best_match(_parameters_validator().iter_errors(parameters))
    if error is None:
        return None
    problem = _describe(error, "$.parameters")
    if isinstance(parameters, dict) and any(k in parameters for k in RETIRED_PARAMETERS):
        problem += (
            f"; {', '.join(k for k in RETIRED_PARAMETERS if k in parameters)}: retired in contracts v2,"
            " identifications are now accepted by target-decoy FDR, set fdrThreshold instead"
        )
    return problem


def manifest_problem(manifest: Any) -> str | None:
    """None when ``manifest`` follows the v2 analysis-manifest schema, else ``"$.<path>: <problem>"``."""
    found = _non_finite(manifest, "$")
    if found:
        return found
    error = best_match(_manifest_validator().iter_errors(manifest))
    return None if error is None else _describe(error, "$")
