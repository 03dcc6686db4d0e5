# Shared helpers for test.sh and dev-server.sh (source this file; bash only).
# shellcheck shell=bash

SERVICE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${VENV:-$SERVICE_DIR/.venv}"
PY="$VENV/bin/python"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The repository's helpers: ensure_venv DIR REQUIREMENTS... (the virtualenv, re-installed only
# when the pinned requirements change), die.
source "$SERVICE_DIR/../../../../scripts/lib.sh"

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

ensure_postgres() {
  if pg_bindir >/dev/null; then return 0; fi
  if [ "$(id -u)" -ne 0 ]; then
    log "PostgreSQL is not installed and this user cannot apt-get install it"; return 1
  fi
  log "installing PostgreSQL with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  pg_bindir >/dev/null
}

# pg_start PORT -> sets PG_DIR and PG_URL (database "biotech", user "postgres", trust auth on
# 127.0.0.1 only). initdb refuses to run as root, so as root the cluster belongs to "postgres".
pg_start() {
  local port="$1" bindir as=()
  bindir="$(pg_bindir)"
  PG_DIR="$(mktemp -d /tmp/biotech-pg.XXXXXX)"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
    chown postgres "$PG_DIR"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres biotech
  PG_URL="postgresql://postgres@127.0.0.1:$port/biotech"
  PG_AS=("${as[@]}")
  PG_BINDIR="$bindir"
  export PG_DIR PG_URL
  log "PostgreSQL running on 127.0.0.1:$port (data in $PG_DIR)"
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
    "${PG_AS[@]}" "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    log "PostgreSQL stopped"
  fi
  PG_DIR=""
}
