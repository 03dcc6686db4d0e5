#!/usr/bin/env bash
# The documentation site's test, self-contained for CI (CI=true) and for a fresh machine:
#   1. Node deps (npm ci)            2. graphviz and chromium (apt-get, when missing)
#   3. examples/biotech-app/cdk.out  4. pictures fresh relative to the synth
#   5. site build (VitePress)        6. browser test (playwright-core + /usr/bin/chromium)
# Ends with "N passed, N failed". Local build only: npm --prefix docs ci && npm --prefix docs run build
set -euo pipefail
export CI="${CI:-true}"
DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(cd "$DOCS/.." && pwd)"
cd "$DOCS"

phase_start=$SECONDS
phase() { echo "== docs: $1 ($((SECONDS - phase_start)) s so far)"; }
fail() { echo "docs: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

# Node 22+: use the repository's own Node 24 when the machine's is older (as scripts/main.sh does).
if [ -x "$REPO/.tools/node_modules/.bin/node" ]; then export PATH="$REPO/.tools/node_modules/.bin:$PATH"; fi
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 22 ]; then
  phase "installing Node 24 into .tools (machine has Node $node_major)"
  npm install --prefix "$REPO/.tools" --no-audit --no-fund node@24 >/dev/null
  export PATH="$REPO/.tools/node_modules/.bin:$PATH"
fi

phase "npm ci"
npm ci --no-audit --no-fund --loglevel=error

missing=()
command -v dot >/dev/null || missing+=(graphviz)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  phase "apt-get install ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

phase "synthesized example"
for f in tree.json BiotechX-hml.template.json BiotechX-prod.template.json; do
  [ -f "$REPO/examples/biotech-app/cdk.out/$f" ] || fail "examples/biotech-app/cdk.out/$f is missing: run 'bash scripts/main.sh' (or the repository's test phases) first; the pictures are generated from it."
done

phase "pictures fresh"
node scripts/check-diagrams.mjs || fail "the committed pictures are stale: run 'npm --prefix docs run diagrams' and commit docs/public/diagrams"

phase "build"
rm -rf .vitepress/dist
npx vitepress build . >/tmp/docs-build.log 2>&1 || { cat /tmp/docs-build.log; fail "the site does not build"; }
tail -1 /tmp/docs-build.log

phase "browser test"
node scripts/browser-test.mjs
echo "docs: done in $((SECONDS - phase_start)) s"
