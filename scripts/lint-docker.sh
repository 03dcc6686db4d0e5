#!/usr/bin/env bash
# pre-commit: hadolint on the staged Dockerfiles.
source "$(dirname "$0")/lib.sh"
for f in "$@"; do "$ROOT/.tools/lint-venv/bin/hadolint" "$f"; done
