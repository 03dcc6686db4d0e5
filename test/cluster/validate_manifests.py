"""Validate the Kubernetes objects AppCluster generates, offline.

Usage: python validate_manifests.py <dir>   (one JSON object per file, written by the jest tests)

Built-in kinds are validated with kubernetes-validate (strict: unknown fields fail) against the
Kubernetes 1.35 schemas, or the newest the installed package ships if it has no 1.35 (the
version used is printed). The custom resources of EKS Auto Mode and Karpenter are validated with
jsonschema against the minimal schemas in crd-schemas/ (see crd-schemas/README.md).

CloudFormation tokens in the dumped objects appear as `${Ref:...}` / `${GetAtt:...}` strings; they
stand where the deployed object has an ARN, an id or a CIDR, all of which the schemas type as
strings.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils as kv_utils

WANTED_VERSION = "1.35"
HERE = Path(__file__).resolve().parent
CRD_SCHEMAS = {
    ("eks.amazonaws.com/v1", "TargetGroupBinding"): "targetgroupbinding.json",
    ("eks.amazonaws.com/v1", "NodeClass"): "nodeclass.json",
    ("karpenter.sh/v1", "NodePool"): "nodepool.json",
}
CRD_GROUPS = {"eks.amazonaws.com", "karpenter.sh", "elbv2.k8s.aws"}


def kubernetes_version() -> str:
    """The schema version to validate against: 1.35 when shipped, else the newest shipped."""
    versions = sorted(kv_utils.all_versions(), key=lambda v: tuple(int(p) for p in v.split(".")))
    minor = [v for v in versions if v.startswith(WANTED_VERSION + ".") or v == WANTED_VERSION]
    return minor[-1] if minor else versions[-1]


def load_crd_schema(name: str) -> dict:
    return json.loads((HERE / "crd-schemas" / name).read_text())


def validate(obj: dict, version: str) -> list[str]:
    api_version, kind = obj.get("apiVersion", ""), obj.get("kind", "")
    group = api_version.split("/")[0] if "/" in api_version else ""
    if group in CRD_GROUPS:
        schema_name = CRD_SCHEMAS.get((api_version, kind))
        if schema_name is None:
            return [f"no schema for custom resource {api_version} {kind}"]
        validator = jsonschema.Draft202012Validator(load_crd_schema(schema_name))
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in validator.iter_errors(obj)]
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{'/'.join(str(p) for p in e.path) or '(root)'}: {e.message}"]
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
        return [f"schema problem: {e}"]
    return []


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    files = sorted(Path(argv[1]).glob("*.json"))
    if not files:
        print(f"no manifests in {argv[1]}: run the jest tests first (test/cluster/validate.sh does)")
        return 1
    version = kubernetes_version()
    note = "" if version.startswith(WANTED_VERSION) else f" (no {WANTED_VERSION} schemas shipped: using the newest)"
    print(f"kubernetes-validate {kubernetes_validate.__version__}, Kubernetes schemas {version}{note}")
    passed = failed = 0
    kinds: dict[str, int] = {}
    for f in files:
        obj = json.loads(f.read_text())
        errors = validate(obj, version)
        kinds[obj.get("kind", "?")] = kinds.get(obj.get("kind", "?"), 0) + 1
        if errors:
            failed += 1
            print(f"FAIL {f.name}")
            for e in errors:
                print(f"     {e}")
        else:
            passed += 1
    print("kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
