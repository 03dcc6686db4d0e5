#!/usr/bin/env bash
# Installs, before anything else runs, the system tools every later phase needs, so that a machine
# that lacks one fails in the first minute with its name and the reason instead of 40 minutes in.
# Debian packages come from apt-get (one update, one install, as root); each tool is then checked.
#   chromium    web end-to-end test and the docs' browser test (driven by playwright-core)
#   graphviz    the docs' architecture pictures (dot)
#   postgresql  the API's tests run against a real, throw-away PostgreSQL
#   maven       Java packaging (jsii-pacmak) and its dependency prefetch
#   python3     3.11+ with venv: worker, API, lint tools, the Python smoke test
#   go/gofmt    Go packaging check
# Usage: bash scripts/ensure-system.sh
source "$(dirname "$0")/lib.sh"

declare -A package_of=([chromium]=chromium [dot]=graphviz [mvn]=maven [java]=openjdk-17-jdk-headless [gofmt]=golang-go)
missing=()
for tool in "${!package_of[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${package_of[$tool]}")
done
# initdb/pg_ctl live under /usr/lib/postgresql/<major>/bin, off PATH.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null || missing+=(postgresql)
# python3 with venv (a bare Debian image, like CI's debian:bookworm container, has neither).
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)

if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "system" "missing ${missing[*]}, and only root can apt-get install them here"
  command -v apt-get >/dev/null || die "system" "missing ${missing[*]}, and this machine has no apt-get"
  echo "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "system" "apt-get update failed (is the Debian mirror reachable?)"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "system" "apt-get install ${missing[*]} failed"
fi

for tool in "${!package_of[@]}" python3; do
  command -v "$tool" >/dev/null 2>&1 || die "system" "$tool is still missing after the install"
done
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "system" "python3 is $(python3 --version 2>&1); the worker, API and smoke test need 3.11 or newer"
python3 -c 'import ensurepip, venv' 2>/dev/null || die "system" "python3 has no venv/ensurepip after the install"
echo "system: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), $(dot -V 2>&1 | awk '{print $5}' | sed 's/^/graphviz /'), $(python3 --version), $(java -version 2>&1 | head -1), $(mvn -B -v 2>/dev/null | head -1 | awk '{print $1, $2, $3}'), $(go version 2>/dev/null | awk '{print $3}'), PostgreSQL $(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -1)"
