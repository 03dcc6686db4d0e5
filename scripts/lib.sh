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
      npm install --prefix "$ROOT/.tools" --no-audit --no-fund node@24 >/dev/null \
        || die "node" "could not install node@24 from the npm registry into .tools"
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

# die WHERE REASON: stops the script with the phase (or step) that failed and why.
die() {
  printf '\nFAILED [%s]: %s\n' "$1" "$2" >&2
  exit 1
}

# The pinned static-analysis tools (scripts/lint-requirements.txt) in .tools/lint-venv, created on
# first use and refreshed when the pins change; sets LINT_VENV.
ensure_lint_venv() {
  LINT_VENV="$ROOT/.tools/lint-venv"
  if [ ! -x "$LINT_VENV/bin/python" ] || ! cmp -s "$ROOT/scripts/lint-requirements.txt" "$LINT_VENV/requirements.txt"; then
    echo "installing the pinned lint tools into .tools/lint-venv" >&2
    python3 -m venv "$LINT_VENV" || die "lint-tools" "python3 -m venv failed"
    "$LINT_VENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/scripts/lint-requirements.txt" \
      || die "lint-tools" "pip could not install scripts/lint-requirements.txt from PyPI"
    cp "$ROOT/scripts/lint-requirements.txt" "$LINT_VENV/requirements.txt"
  fi
  export LINT_VENV
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
    printf '\nFAILED phase %s (exit %s): its own output above says why.\n' "$name" "$rc" >&2
    exit "$rc"
  fi
}

phase_summary() {
  echo
  echo "=== phase times"
  printf '%s\n' "${PHASES[@]}"
}
