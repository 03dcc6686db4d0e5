#!/usr/bin/env bash
# PostgreSQL (Debian's) for the local platform: installs it when missing, starts a throw-away
# cluster on 127.0.0.1:$1 with trust auth, prints "ready <url>" and stops it on SIGTERM/SIGINT.
# Uses the API's own helpers (examples/biotech-app/services/api/scripts/lib/common.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../examples/biotech-app/services/api/scripts/lib/common.sh"
ensure_postgres
trap 'pg_stop' EXIT
trap 'exit 0' TERM INT
# SIGUSR1 restarts the server (a fault the browser test injects mid-analysis).
pg_restart() {
  "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w restart >/dev/null
  echo "restarted $(date +%s)"
}
trap 'pg_restart' USR1
pg_start "$1"
echo "ready $PG_URL" "$PG_DIR"
# Sleep in the background so the traps run at once.
# A trapped signal ends `wait` early (status > 128): keep waiting.
while true; do sleep 3600 & wait $! || true; done
