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

# ensure_venv DIR REQUIREMENT...: a virtualenv at DIR holding the given requirements, created when
# missing and re-installed only when they changed (DIR/.requirements.sha256 holds the hash of the
# arguments and of every file they name, -r includes too). A REQUIREMENT is a requirements file
# (*.txt, installed with -r), a local package directory (installed editable without dependencies:
# its pins come from the requirements files), or anything else pip install takes (a wheel, a pinned
# name). VENV_PYTHON picks the interpreter that creates the virtualenv (default python3).
ensure_venv() {
  local dir=$1; shift
  local python=${VENV_PYTHON:-python3} hash arg args=() editable=()
  hash=$(
    for arg in "$@"; do
      echo "$arg"
      if [ -d "$arg" ]; then cat "$arg"/pyproject.toml "$arg"/setup.cfg "$arg"/setup.py 2>/dev/null || true
      elif [ -f "$arg" ]; then _requirements_text "$arg"; fi
    done | sha256sum | cut -c1-64
  )
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" = "$hash" ]; then return 0; fi
  command -v "$python" >/dev/null 2>&1 || die "venv" "$python is not installed: it is needed to create $dir"
  if [ ! -x "$dir/bin/python" ]; then
    echo "creating the virtualenv $dir ($python)" >&2
    "$python" -m venv "$dir" || die "venv" "$python -m venv $dir failed (Debian: apt-get install python3-venv)"
  fi
  for arg in "$@"; do
    if [ -d "$arg" ]; then editable+=(-e "$arg")
    elif [ -f "$arg" ] && [[ "$arg" == *.txt ]]; then args+=(-r "$arg")
    else args+=("$arg"); fi
  done
  echo "installing into $dir: $*" >&2
  rm -f "$dir/.requirements.sha256"
  if [ ${#args[@]} -gt 0 ]; then
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "${args[@]}" \
      || die "venv" "pip could not install $* into $dir"
  fi
  if [ ${#editable[@]} -gt 0 ]; then
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "${editable[@]}" \
      || die "venv" "pip could not install ${editable[*]} into $dir"
  fi
  echo "$hash" >"$dir/.requirements.sha256"
}

# A requirements file's text followed by that of the files it includes (-r / --requirement).
_requirements_text() {
  local file=$1 inc
  cat "$file"
  while read -r inc; do
    [ -f "$(dirname "$file")/$inc" ] && _requirements_text "$(dirname "$file")/$inc"
  done < <(sed -nE 's/^(-r|--requirement)[ =]+([^ #]+).*/\2/p' "$file")
}

# The pinned static-analysis tools (scripts/lint-requirements.txt) in .tools/lint-venv; sets LINT_VENV.
ensure_lint_venv() {
  LINT_VENV="$ROOT/.tools/lint-venv"
  ensure_venv "$LINT_VENV" "$ROOT/scripts/lint-requirements.txt"
  export LINT_VENV
}

# actionlint in .tools/bin, from the Go module proxy (the PyPI wrapper downloads its binary from
# GitHub); needs Go 1.25 or newer (its go.mod).
ACTIONLINT_VERSION=v1.7.12
ensure_actionlint() {
  if [ ! -x "$ROOT/.tools/bin/actionlint" ] || ! "$ROOT/.tools/bin/actionlint" --version | grep -q "${ACTIONLINT_VERSION#v}"; then
    command -v go >/dev/null 2>&1 || die "actionlint" "go is not installed: it is needed to build actionlint $ACTIONLINT_VERSION"
    GOBIN="$ROOT/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
      || die "actionlint" "go install github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION failed"
  fi
}

# Phase timing. Every phase's line goes to $PHASE_LOG, shared with nested scripts (scripts/test.sh
# runs inside .ci/run's "tests" phase), so the closing table lists every phase once, nested ones
# indented. A phase may have a budget in seconds (phase_budget NAME SECONDS): the table prints it
# and marks a phase that went over. Budgets are printed, not enforced: shared machines are noisy.
if [ -z "${PHASE_LOG:-}" ]; then
  PHASE_LOG="$(mktemp)"
  PHASE_DEPTH=0
  export PHASE_LOG PHASE_DEPTH
  PHASE_OWNER=$$
else
  PHASE_DEPTH=$((PHASE_DEPTH + 1))
  export PHASE_DEPTH
  PHASE_OWNER=""
fi
declare -A PHASE_BUDGET=()

phase_budget() { PHASE_BUDGET[$1]=$2; }

# A phase holds its place in the table from its start (a placeholder line), so that a nested
# script's phases are listed under the phase that runs them.
_phase_open() { printf '@@%s:%s@@\n' "$1" "$$" >>"$PHASE_LOG"; }

_phase_record() {
  local name=$1 took=$2 state=$3 budget=${PHASE_BUDGET[$1]:-} mark="" line
  if [ -n "$budget" ] && [ "$took" -gt "$budget" ] && [ "$state" = ok ]; then mark="  OVER BUDGET"; fi
  line=$(printf '%*s%-*s %5ss %7s  %s%s' $((PHASE_DEPTH * 2)) '' $((24 - PHASE_DEPTH * 2)) "$name" "$took" \
    "${budget:+${budget}s}" "$state" "$mark")
  awk -v mark="@@$name:$$@@" -v line="$line" '$0 == mark { $0 = line; found = 1 } { print } END { if (!found) print line }' \
    "$PHASE_LOG" >"$PHASE_LOG.new" && mv "$PHASE_LOG.new" "$PHASE_LOG"
}

# phase NAME COMMAND...: runs the command, records its duration, stops the script on failure.
phase() {
  local name=$1; shift
  local start=$SECONDS
  echo
  echo "=== [$name] $*"
  _phase_open "$name"
  if "$@"; then
    _phase_record "$name" $((SECONDS - start)) ok
  else
    local rc=$?
    _phase_record "$name" $((SECONDS - start)) "FAILED (exit $rc)"
    phase_summary
    printf '\nFAILED phase %s (exit %s): its own output above says why.\n' "$name" "$rc" >&2
    exit "$rc"
  fi
}

# Prints the table once, from the outermost script (nested scripts leave it to their caller).
phase_summary() {
  [ -n "$PHASE_OWNER" ] || return 0
  echo
  echo "=== phase times (seconds taken, budget)"
  cat "$PHASE_LOG"
  echo "phases: $(grep -c '  ok' "$PHASE_LOG") passed, $(grep -c 'FAILED' "$PHASE_LOG") failed"
}
