#!/usr/bin/env bash
# The end-to-end browser test of the local platform (local/e2e/run.mjs): starts the platform,
# drives the real web app in Chromium, stops everything; exits non-zero on failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/local/platform/setup.sh"
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
exec node "$ROOT/local/e2e/run.mjs" "$@"
