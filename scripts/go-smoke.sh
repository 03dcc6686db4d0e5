#!/usr/bin/env bash
# Go smoke synth: compiles the module jsii-pacmak generated in dist/go (`go build`, `go vet`), then
# a tiny Go app (scripts/smoke/go) that uses it synthesizes hml and prod; each stack must have the
# same resources, type by type, as the same app synthesized in TypeScript
# (scripts/smoke/typescript-app.js). scripts/smoke/go/go.work builds the two modules together and
# points the generated module's requirements at versions the Go module proxy serves (it explains
# which and why). The first run downloads aws-cdk-go (about 84 MB) into the module cache.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
module=github.com/biotech-x/cdk-proteomics-platform-go/cdkproteomicsplatform
[ -f dist/go/cdkproteomicsplatform/go.mod ] || die "go-smoke" "dist/go/cdkproteomicsplatform is missing: run the package-go phase first"
command -v go >/dev/null || die "go-smoke" "go is not on PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node --test scripts/smoke/compare-counts.test.mjs >"$work/compare-test.log" 2>&1 \
  || { cat "$work/compare-test.log"; die "go-smoke" "compare-counts.mjs failed its own tests"; }
CDK_VALIDATION=false node scripts/smoke/typescript-app.js "$work/typescript"
cd scripts/smoke/go
export GOFLAGS=-buildvcs=false
go build "$module/..." || die "go-smoke" "the generated Go module does not compile"
go vet "$module/..." . || die "go-smoke" "go vet found problems in the generated module or the smoke app"
echo "go build and go vet: $module and the smoke app"
go build -o "$work/smoke" . || die "go-smoke" "the Go smoke app does not compile"
cd "$ROOT"
# The built-in CloudFormation validator runs in the example's synth; here the counts are the check.
CDK_VALIDATION=false "$work/smoke" "$work/go" || die "go-smoke" "the Go app did not synthesize"
node scripts/smoke/compare-counts.mjs go "$work/typescript" "$work/go"
