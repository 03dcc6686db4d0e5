#!/usr/bin/env bash
# Lint, type-check, scan and test the worker on a fresh machine (idempotent).
# Usage: bash worker/scripts/test.sh   (from anywhere)
# Needs python3 (3.11), PyPI, and the Debian packages of scripts/install-system-deps.sh (comet-ms;
# installed here when missing, which needs root). Real test data is read from <repo>/testdata/ms
# (or $PROTEOMICS_TESTDATA).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"   # ensure_venv
cd "$ROOT/worker"
VENV="${WORKER_VENV:-.venv}"
PY="$VENV/bin/python"

step() { printf '\n==> %s\n' "$*"; }

step "system packages (comet-ms)"
bash scripts/install-system-deps.sh

step "pinned requirements ($VENV)"
ensure_venv "$VENV" requirements-dev.txt

step "ruff check"
"$VENV/bin/ruff" check proteomics_worker tests bench scripts

step "mypy (package)"
"$VENV/bin/mypy" proteomics_worker

step "bandit (package)"
"$VENV/bin/bandit" -q -r proteomics_worker

step "hadolint Dockerfile"
"$VENV/bin/hadolint" Dockerfile

step "pytest"
"$PY" -m pytest -q -p no:cacheprovider tests
