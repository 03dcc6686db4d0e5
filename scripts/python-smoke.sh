#!/usr/bin/env bash
# Installs the built wheel (dist/python) into a fresh virtualenv and synthesizes with it. cdk-nag is
# not a dependency of the wheel; it is installed beside it, at the version the library is tested
# with, the way a user who wants the compliance packs would.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
wheel=$(ls dist/python/*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || { echo "No wheel in dist/python: run 'npx projen package:python' first." >&2; exit 1; }
VENV="$(mktemp -d)/venv"
ensure_venv "$VENV" "$wheel" "cdk-nag==$(node -p "require('$ROOT/node_modules/cdk-nag/package.json').version")"
"$VENV/bin/python" scripts/python_smoke.py
rm -rf "$(dirname "$VENV")"
