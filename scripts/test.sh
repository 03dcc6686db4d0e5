#!/usr/bin/env bash
# Every test: the library (jsii build, jest, eslint, API docs), the example app (synth + jest),
# static analysis, the worker, the API and the web app. Each part installs what it needs.
source "$(dirname "$0")/lib.sh"
ensure_node
phase install ensure_npm_deps
# compile → post-compile (API.md + the example's build: synth and its tests) → test (jest + eslint)
phase library npx projen compile
phase library-docs-example npx projen post-compile
phase library-tests npx projen test
phase static-analysis bash scripts/lint.sh
for part in worker examples/biotech-app/services/api examples/biotech-app/services/web; do
  if [ -f "$part/scripts/test.sh" ]; then
    phase "$(basename "$part")" bash "$part/scripts/test.sh"
  fi
done
phase_summary
