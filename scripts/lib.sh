# Shared by the project's scripts: `source scripts/lib.sh`. Sets ROOT, puts Node >= 22 first on
# PATH (installing Node 24 from the npm registry into .tools when the machine's is older), and
# offers `phase` / `phase_summary` to time each step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

ensure_node() {
  local major
  major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0)
  if [ "${major:-0}" -lt 22 ]; then
    if [ ! -x "$ROOT/.tools/node_modules/.bin/node" ]; then
      echo "Node $(node --version 2>/dev/null || echo none) is older than 22: installing Node 24 into .tools" >&2
      npm install --prefix "$ROOT/.tools" --no-audit --no-fund node@24 >/dev/null
    fi
    export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
  fi
  echo "node $(node --version), npm $(npm --version 2>/dev/null)"
}

# Installs the npm workspace (library + example app) unless node_modules matches the lockfile.
ensure_npm_deps() {
  cd "$ROOT"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ -n "${CI:-}" ]; then
    HUSKY=0 npm ci --no-audit --no-fund
  fi
}

PHASES=()
# phase NAME COMMAND...: runs the command, records its duration, stops the script on failure.
phase() {
  local name=$1; shift
  local start=$SECONDS
  echo
  echo "=== [$name] $*"
  if "$@"; then
    PHASES+=("$(printf '%-22s %5ss  ok' "$name" $((SECONDS - start)))")
  else
    local rc=$?
    PHASES+=("$(printf '%-22s %5ss  FAILED (exit %s)' "$name" $((SECONDS - start)) "$rc")")
    phase_summary
    exit "$rc"
  fi
}

phase_summary() {
  echo
  echo "=== phase times"
  printf '%s\n' "${PHASES[@]}"
}
