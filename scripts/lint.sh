#!/usr/bin/env bash
# Static analysis that spans the repository (each Python part also runs ruff, mypy and bandit in
# its own test script): workflows (actionlint, zizmor), Dockerfiles (hadolint), secrets
# (detect-secrets), and the synthesized templates of the example (cfn-lint, checkov).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_lint_venv
export PATH="$LINT_VENV/bin:$PATH"
status=0
run() { echo "--- $*"; "$@" || status=1; }

# Workflows (actionlint, zizmor): scripts/lint-workflows.sh, which pre-commit runs on staged ones.
run bash scripts/lint-workflows.sh

mapfile -t dockerfiles < <(git ls-files '*Dockerfile' 'Dockerfile*' | grep -v node_modules || true)
for f in "${dockerfiles[@]}"; do run hadolint "$f"; done

# Secrets: every tracked file but generated output (diagrams, example results, lockfiles,
# snapshots) and the published MS test data (base64 peak arrays), against the committed baseline
# of reviewed false positives.
run bash -c "git ls-files -z -- . ':!docs/public/' ':!testdata/' ':!*package-lock.json' ':!*.snap' | xargs -0 detect-secrets-hook --baseline .secrets.baseline"

templates=(examples/biotech-app/cdk.out/*.template.json)
if [ -e "${templates[0]}" ]; then
  # Errors fail; warnings (CDK's own AZ literals and redundant DependsOn) are printed.
  run cfn-lint --format parseable --non-zero-exit-code error -- "${templates[@]}"
  # Each skipped check is explained in docs/security/checkov.md.
  run checkov --config-file .checkov.yaml -f "${templates[@]}"
else
  echo "No synthesized templates in examples/biotech-app/cdk.out: run the example build first." >&2
  status=1
fi
exit $status
