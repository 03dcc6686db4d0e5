#!/usr/bin/env bash
# Java smoke synth: a tiny Maven app (scripts/smoke/java) that uses the jar jsii-pacmak built in
# dist/java synthesizes hml and prod; each stack must have the same resources, type by type, as the
# same app synthesized in TypeScript (scripts/smoke/typescript-app.js). Needs `mvn` and a JDK, and
# the exact aws-cdk-lib/constructs jars in the local repository (scripts/maven-prefetch.sh).
# Usage: scripts/java-smoke.sh [<local-repository>]   (default ~/.m2/repository)
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
M2=${1:-${HOME}/.m2/repository}
version=$(node -p "require('./package.json').version")
jar="dist/java/io/github/biotech-x/cdk-proteomics-platform/$version/cdk-proteomics-platform-$version.jar"
[ -f "$jar" ] || die "java-smoke" "$jar is missing: run the package-java phase (jsii-pacmak --target java) first"
command -v mvn >/dev/null || die "java-smoke" "mvn is not on PATH (install Debian's maven package)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node --test scripts/smoke/compare-counts.test.mjs >"$work/compare-test.log" 2>&1 \
  || { cat "$work/compare-test.log"; die "java-smoke" "compare-counts.mjs failed its own tests"; }
CDK_VALIDATION=false node scripts/smoke/typescript-app.js "$work/typescript"
cp -r scripts/smoke/java "$work/app"
mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$M2" -f "$work/app/pom.xml" \
  -Dsmoke.library.version="$version" -Dsmoke.dist="file://$ROOT/dist/java" \
  compile dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt" \
  || die "java-smoke" "the Maven smoke app did not build against $jar"
# The built-in CloudFormation validator runs in the example's synth; here the counts are the check.
CDK_VALIDATION=false java -cp "$work/app/target/classes:$(cat "$work/classpath.txt")" smoke.SmokeApp "$work/java" \
  || die "java-smoke" "the Java app did not synthesize"
node scripts/smoke/compare-counts.mjs java "$work/typescript" "$work/java"
