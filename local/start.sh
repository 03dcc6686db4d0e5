#!/usr/bin/env bash
# Starts the platform locally, wired from the example's synthesized hml templates, and
# prints its URL (local/README.md). Installs what it runs first (local/platform/setup.sh).
# Options go to local/platform/start.mjs: --workers N, --chunk-size N, --info-file FILE.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/local/platform/setup.sh"
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
exec node "$ROOT/local/platform/start.mjs" "$@"
