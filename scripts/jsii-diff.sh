#!/usr/bin/env bash
# API compatibility: jsii-diff compares the freshly compiled assembly (.jsii) with the last
# release on npm or, until one exists, with the assembly compiled from the main branch. A change
# that breaks a stable API (removed type or member, narrowed input, widened output, ...) fails,
# unless its key is in allowed-breaking-changes.txt with the reason beside it. Before 1.0 a break
# is allowed only that way; from 1.0 on, only in a new major version.
# Usage: scripts/jsii-diff.sh [<base git ref>]   (default: main, or origin/main in a CI clone)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
[ -f .jsii ] || die "jsii-diff" ".jsii is missing: compile the library first (npx projen compile)"
name=$(node -p "require('./package.json').name")
if released=$(npm view "$name" version 2>/dev/null) && [ -n "$released" ]; then
  base="npm:$name@$released"
  echo "jsii-diff: against the last release, $base"
else
  ref=${1:-}
  if [ -z "$ref" ]; then
    for candidate in main origin/main; do
      if git rev-parse -q --verify "$candidate^{commit}" >/dev/null; then ref=$candidate; break; fi
    done
  fi
  [ -n "$ref" ] || die "jsii-diff" "no release on npm and no main branch to compare with: fetch main (git fetch origin main)"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  git archive "$ref" package.json tsconfig.json src LICENSE README.md | tar -x -C "$work"
  # Compiled with this checkout's dependencies: the public API is what matters, not their versions.
  ln -s "$ROOT/node_modules" "$work/node_modules"
  (cd "$work" && npx jsii --silence-warnings=reserved-word >"$work/jsii.log" 2>&1) \
    || { cat "$work/jsii.log"; die "jsii-diff" "the assembly of $ref did not compile"; }
  base="$work"
  echo "jsii-diff: no release on npm yet; against $ref ($(git rev-parse --short "$ref"))"
fi
npx jsii-diff --keys --error-on prod --ignore-file allowed-breaking-changes.txt "$base" "$ROOT"
