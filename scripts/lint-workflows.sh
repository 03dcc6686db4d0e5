#!/usr/bin/env bash
# pre-commit: actionlint and zizmor (offline) on the staged workflow files.
source "$(dirname "$0")/lib.sh"
"$ROOT/.tools/bin/actionlint" "$@"
"$ROOT/.tools/lint-venv/bin/zizmor" --offline --min-severity medium "$@"
