#!/usr/bin/env bash
# Static analysis that spans the repository (each Python part also runs ruff, mypy and bandit in
# its own test script): workflows (actionlint, zizmor), Dockerfiles (hadolint), secrets
# (detect-secrets), and the synthesized templates of the example (cfn-lint, checkov).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_lint_venv
# actionlint comes from the Go module proxy (the PyPI wrapper downloads its binary from GitHub).
ACTIONLINT_VERSION=v1.7.12
if [ ! -x "$ROOT/.tools/bin/actionlint" ] || ! "$ROOT/.tools/bin/actionlint" --version | grep -q "${ACTIONLINT_VERSION#v}"; then
  GOBIN="$ROOT/.tools/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi
export PATH="$LINT_VENV/bin:$ROOT/.tools/bin:$PATH"
status=0
run() { echo "--- $*"; "$@" || status=1; }

mapfile -t workflows < <(git ls-files '.github/workflows/*.yml' 'examples/**/.github/workflows/*.yml')
if [ ${#workflows[@]} -gt 0 ]; then
  # Workflows written by hand get every check; those projen generates are checked by actionlint
  # without shellcheck and skipped by zizmor: they pin actions by tag and quote their scripts
  # projen's way, which only projen's options can change (tracked as a follow-up), never edits.
  generated=$(node -p "require('./.projen/files.json').files.join('\\n')")
  mapfile -t handwritten < <(printf '%s\n' "${workflows[@]}" | grep -vxF -f <(echo "$generated") || true)
  mapfile -t projen_made < <(printf '%s\n' "${workflows[@]}" | grep -xF -f <(echo "$generated") || true)
  [ ${#projen_made[@]} -eq 0 ] || run actionlint -shellcheck= "${projen_made[@]}"
  if [ ${#handwritten[@]} -gt 0 ]; then
    run actionlint "${handwritten[@]}"
    # Offline: zizmor's online audits need GitHub's API.
    run zizmor --offline --min-severity medium "${handwritten[@]}"
  fi
fi

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
