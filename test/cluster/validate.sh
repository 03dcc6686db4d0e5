#!/usr/bin/env bash
# Validates every Kubernetes object AppCluster generates against the Kubernetes schemas
# (kubernetes-validate, offline) and the CRD objects against the minimal schemas in crd-schemas/.
#
#   bash test/cluster/validate.sh            # dumps the manifests with jest, then validates them
#   SKIP_DUMP=1 bash test/cluster/validate.sh  # validates what test/cluster/.out/manifests holds
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
# Pinned: the schema set (and so the result) changes with the package version.
KUBERNETES_VALIDATE_VERSION="1.37.0"
JSONSCHEMA_VERSION="4.23.0"

if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import kubernetes_validate, sys; sys.exit(0 if kubernetes_validate.__version__ == '$KUBERNETES_VALIDATE_VERSION' else 1)" 2>/dev/null; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "jsonschema==$JSONSCHEMA_VERSION"
fi

if [[ "${SKIP_DUMP:-}" != "1" ]]; then
  rm -rf "$here/.out/manifests"
  (cd "$root" && npx jest test/cluster/app-cluster.test.ts --coverage=false --ci=false -t 'manifests are dumped' >/dev/null)
fi
exec "$venv/bin/python" "$here/validate_manifests.py" "$here/.out/manifests"
