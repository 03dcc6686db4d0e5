#!/usr/bin/env bash
# Every test: the library (jsii build, jest, eslint, API docs), the example app (synth + jest),
# static analysis, the worker, the API and the web app. Each part installs what it needs.
# Each phase after the library's is a projen task (projenrc/test-phases.ts), which the build
# workflow runs too: `npx projen test:worker` runs one phase alone.
source "$(dirname "$0")/lib.sh"
# Budgets in seconds: about twice what a fresh clone with an empty HOME (cold npm, pip, Maven and Go
# caches) measured on 2 cores on 2026-12-04; .ci/run's header has the table.
phase_budget install 120
phase_budget library 60
phase_budget library-docs-example 480
phase_budget library-tests 360
phase_budget k8s-manifests 60
phase_budget static-analysis 240
phase_budget docs 90
phase_budget worker 300
phase_budget api 240
phase_budget web 420
phase_budget iam-check 60
phase_budget local-e2e 600
ensure_node
phase install ensure_npm_deps
# compile → post-compile (API.md + the example's build: synth and its tests) → test (jest + eslint)
phase library bash -c "npx projen pre-compile && npx projen compile"
phase library-docs-example npx projen post-compile
phase library-tests npx projen test
# Kubernetes objects the cluster generates, against the 1.35 schemas (and the CRDs' own).
phase k8s-manifests npx projen test:k8s
phase static-analysis npx projen lint:static
# The documentation site: pictures fresh against the example's synth, build, every page in a browser.
phase docs npx projen test:docs
# The worker's and the API's tests record every AWS call their code makes (examples/biotech-app/
# iam-check/recorder); the iam-check phase evaluates them, the state machine's calls and the writes
# AWS services make for us against the policies synthesized into the example's cdk.out.
export AWS_CALL_LOG_DIR="$ROOT/.aws-calls"
rm -rf "$AWS_CALL_LOG_DIR"
phase worker npx projen test:worker
phase api npx projen test:api
phase iam-check npx projen test:iam
phase web npx projen test:web
# The whole platform on this machine, wired from the synthesized hml templates (local/), in a
# browser: the real API, web app, state machine definition and worker, moto and PostgreSQL.
phase local-e2e npx projen test:e2e
phase_summary
