#!/usr/bin/env bash
# pre-commit: ruff on the staged Python files (full ruff/mypy/bandit run in each part's tests).
source "$(dirname "$0")/lib.sh"
exec "$ROOT/.tools/lint-venv/bin/ruff" check "$@"
