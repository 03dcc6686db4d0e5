#!/usr/bin/env bash
# The main job: install, build the library, synthesize the example's hml and prod stacks into
# examples/biotech-app/cdk.out (CloudFormation validation on, compliance packs registered) and
# print a summary: stacks, resources, assets, compliance findings, outputs.
source "$(dirname "$0")/lib.sh"
ensure_node
phase install ensure_npm_deps
phase compile bash -c "npx projen pre-compile && npx projen compile"
phase synth-summary bash -c 'cd examples/biotech-app && npx projen summary'
phase_summary
