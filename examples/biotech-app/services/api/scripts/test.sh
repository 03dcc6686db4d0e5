#!/usr/bin/env bash
# CI entry point of the API service: lints, then the test suite against a throw-away
# PostgreSQL and moto (S3, Step Functions, SQS) on 127.0.0.1. Idempotent; exits non-zero on
# any failure. Usage: bash scripts/test.sh [extra pytest args]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$SERVICE_DIR"
started=$SECONDS

ensure_venv "$VENV" "$SERVICE_DIR/requirements-dev.txt"
ensure_postgres

status=0
step() {
  local name="$1"; shift
  log "== $name"
  if ! "$@"; then log "FAILED: $name"; status=1; fi
}

step "ruff check" "$VENV/bin/ruff" check .
step "ruff format --check" "$VENV/bin/ruff" format --check .
step "mypy --strict (biotech_api)" "$VENV/bin/mypy" biotech_api
step "bandit" "$VENV/bin/bandit" -q -c pyproject.toml -r biotech_api
step "hadolint" "$VENV/bin/hadolint" Dockerfile

log "== pip-audit (runtime pins)"
# pip-audit asks the package index's per-release JSON API for advisories. Where that API is not
# reachable or not served (an offline mirror), it can audit nothing: report the skip and go on,
# except on GitHub Actions (GITHUB_ACTIONS=true), where PyPI is reachable and a skip is a failure.
audit_out="$("$VENV/bin/pip-audit" --progress-spinner off --vulnerability-service pypi --disable-pip --no-deps \
  -r requirements.txt 2>&1)" && audit_rc=0 || audit_rc=$?
pins="$(grep -c '==' requirements.txt)"
unaudited="$(grep -c 'could not be audited' <<<"$audit_out" || true)"
if grep -qE '^Found [0-9]+ known vulnerabilit' <<<"$audit_out"; then
  echo "$audit_out"; log "FAILED: pip-audit found known vulnerabilities"; status=1
elif [ "$audit_rc" -ne 0 ] || [ "$unaudited" -ge "$pins" ]; then
  if [ "$audit_rc" -ne 0 ]; then
    why="the advisory API could not be queried ($(tail -n 1 <<<"$audit_out"))"
  else
    why="the index answered no release data for any of the $pins pins (offline mirror)"
  fi
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    log "FAILED: pip-audit could not audit: $why"; status=1
  else
    echo "pip-audit skipped: $why"
  fi
else
  echo "$audit_out" | tail -n 3
fi

port="$(free_port)"
trap 'pg_stop' EXIT
pg_start "$port"
export TEST_DATABASE_URL="$PG_URL"

log "== pytest"
if ! "$PY" -m pytest -q "$@"; then status=1; fi

log "done in $((SECONDS - started)) s, status $status"
exit "$status"
