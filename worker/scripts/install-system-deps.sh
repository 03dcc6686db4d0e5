#!/usr/bin/env bash
# Install the Debian packages the worker needs outside pip (idempotent).
#   comet-ms  the Comet search engine (2019.01, Apache-2.0), run by proteomics_worker as a subprocess.
# After this, `pip install ./worker` is enough to run
#   python -m proteomics_worker analyse --input F --fasta DB --output DIR
# Needs root (apt-get) on Debian/Ubuntu; exits non-zero with the reason otherwise.
set -euo pipefail

PACKAGES=(comet-ms)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${PACKAGES[*]} ($(dpkg-query -W -f='${Version}' comet-ms))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing ${missing[*]} and apt-get is not available: install Comet 2019.01 (Debian package comet-ms) another way" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "error: missing ${missing[*]}: run this script as root (it calls apt-get install), e.g. sudo bash $0" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
command -v comet-ms >/dev/null || { echo "error: comet-ms is not on PATH after installing" >&2; exit 1; }
echo "installed: ${missing[*]}"
