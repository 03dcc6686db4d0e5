#!/usr/bin/env bash
# pre-commit: hadolint on the staged Dockerfiles (the pinned lint tools are installed on first use).
source "$(dirname "$0")/lib.sh"
ensure_lint_venv
for f in "$@"; do "$LINT_VENV/bin/hadolint" "$f"; done
