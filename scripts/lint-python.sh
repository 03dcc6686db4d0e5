#!/usr/bin/env bash
# pre-commit: ruff on the staged Python files (full ruff/mypy/bandit run in each part's tests).
source "$(dirname "$0")/lib.sh"
ensure_lint_venv
exec "$LINT_VENV/bin/ruff" check "$@"
