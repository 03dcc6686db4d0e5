#!/usr/bin/env bash
# Installs the built wheel (dist/python) into a fresh virtualenv and synthesizes with it.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
wheel=$(ls dist/python/*.whl 2>/dev/null | head -1)
[ -n "$wheel" ] || { echo "No wheel in dist/python: run 'npx projen package:python' first." >&2; exit 1; }
VENV="$(mktemp -d)/venv"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check "$wheel"
"$VENV/bin/python" scripts/python_smoke.py
rm -rf "$(dirname "$VENV")"
