#!/usr/bin/env bash
# Load benchmark with its own throw-away PostgreSQL: bash bench/run.sh [load.py args]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
cd "$SERVICE_DIR"
ensure_venv "$VENV" "$SERVICE_DIR/requirements-dev.txt"
ensure_postgres
trap 'pg_stop' EXIT
pg_start "$(free_port)"
DATABASE_URL="$PG_URL" "$PY" bench/load.py "$@"
