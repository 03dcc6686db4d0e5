#!/usr/bin/env bash
# Local stack for browser tests: PostgreSQL + moto (S3/Step Functions/SQS) + the API.
# Prints one JSON line with the URLs when ready; stops everything on Ctrl-C / SIGTERM.
#
#   OIDC_ISSUER=http://127.0.0.1:9999 OIDC_AUDIENCE=web API_PORT=8000 \
#     CORS_ORIGINS=http://127.0.0.1:5173 bash scripts/dev-server.sh
#
# Variables: OIDC_ISSUER, OIDC_AUDIENCE (required unless DEV_LOCAL_ISSUER=1), OIDC_JWKS_URL,
# API_HOST (127.0.0.1), API_PORT (8000), MOTO_PORT (free), PG_PORT (free), CORS_ORIGINS,
# DEV_INFO_FILE (also write the JSON line there), and any API variable (see README.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SERVICE_DIR"

ensure_venv "$VENV" "$SERVICE_DIR/requirements-dev.txt"
ensure_postgres
trap 'pg_stop' EXIT
pg_start "${PG_PORT:-$(free_port)}"
export DATABASE_URL="$PG_URL"
export PYTHONPATH="$SERVICE_DIR${PYTHONPATH:+:$PYTHONPATH}"

# Run in the background and wait, so that the EXIT trap also runs on SIGTERM.
"$PY" -m devtools.dev_server &
child=$!
trap 'kill -TERM "$child" 2>/dev/null || true' TERM INT
wait "$child" || true
wait "$child" 2>/dev/null || true
