#!/usr/bin/env bash
# Installs what the local platform runs, idempotently: the worker's and the API's virtualenvs
# (pinned requirements; moto comes with the API's development requirements), the web app's
# dependencies and production build, PostgreSQL and Chromium (Debian; needs root when missing),
# and the example's synthesized templates (cdk.out) the wiring is read from.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
log() { printf '[local setup] %s\n' "$*" >&2; }
source scripts/lib.sh
ensure_node
export PATH="$ROOT/.tools/node_modules/.bin:$PATH"

# Worker: its pinned runtime requirements and the package itself (python -m proteomics_worker),
# in a virtualenv of its own made with an interpreter outside /root (Debian's python3.11 when
# there is one), so that worker processes can run as the job definition's non-root user.
bash worker/scripts/install-system-deps.sh
VENV_PYTHON="$(command -v /usr/bin/python3.11 || command -v python3)" \
  ensure_venv local/.venv-worker worker/requirements.txt worker

# API (and moto, from its development requirements) and PostgreSQL.
(
  source examples/biotech-app/services/api/scripts/lib/common.sh
  cd examples/biotech-app/services/api
  ensure_venv "$VENV" "$SERVICE_DIR/requirements-dev.txt"
  ensure_postgres
)

# Web app: dependencies and the production build.
WEB=examples/biotech-app/services/web
if [ ! -f "$WEB/node_modules/.package-lock.json" ] || [ "$WEB/package-lock.json" -nt "$WEB/node_modules/.package-lock.json" ]; then
  log "web dependencies"
  (cd "$WEB" && npm ci --no-audit --no-fund)
fi
newest_src="$(find "$WEB/src" "$WEB/app" "$WEB/next.config."* -type f -newer "$WEB/.next/standalone/server.js" 2>/dev/null | head -n 1 || true)"
if [ ! -f "$WEB/.next/standalone/server.js" ] || [ -n "$newest_src" ]; then
  log "web production build"
  (cd "$WEB" && NEXT_TELEMETRY_DISABLED=1 npx next build)
fi
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  [ "$(id -u)" -eq 0 ] || die "local setup" "chromium is missing at ${CHROMIUM_PATH:-/usr/bin/chromium} and only root can apt-get install it"
  log "Debian chromium"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
    || die "local setup" "apt-get install chromium failed"
fi

# The wiring: the example's synthesized templates (needs the compiled library).
if [ ! -f examples/biotech-app/cdk.out/manifest.json ] || [ -n "$(find src -newer examples/biotech-app/cdk.out/manifest.json -name '*.ts' | head -n 1)" ]; then
  log "synthesizing the example (cdk.out)"
  [ -f lib/index.js ] || (npx projen pre-compile && npx projen compile)
  (cd examples/biotech-app && npx projen synth >/dev/null)
fi
log "ready"
