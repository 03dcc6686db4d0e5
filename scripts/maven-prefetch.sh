#!/usr/bin/env bash
# Makes the Java build's version ranges resolvable against the Maven Central seen from here.
#
# The generated pom asks for ranges such as aws-cdk-lib [2.271.0,3.0.0). Maven resolves a range
# from maven-metadata.xml, and the copy served here is stale (it lists aws-cdk-lib up to 2.263.0
# and cdk-nag up to 2.x although the newer jars are published). So each jar is fetched by exact
# version and installed into the local repository, whose own metadata then lists it.
# Usage: scripts/maven-prefetch.sh <local-repository>
source "$(dirname "$0")/lib.sh"
repo=${1:?local repository}
deps=(
  "software.amazon.awscdk:aws-cdk-lib:$(node -p "require('$ROOT/node_modules/aws-cdk-lib/package.json').version")"
  "software.constructs:constructs:$(node -p "require('$ROOT/node_modules/constructs/package.json').version")"
  "io.github.cdklabs:cdknag:$(node -p "require('$ROOT/node_modules/cdk-nag/package.json').version")"
)
for gav in "${deps[@]}"; do
  IFS=: read -r group artifact version <<<"$gav"
  dir="$repo/${group//.//}/$artifact/$version"
  if [ -f "$repo/${group//.//}/$artifact/maven-metadata-local.xml" ] && grep -q "<version>$version</version>" "$repo/${group//.//}/$artifact/maven-metadata-local.xml"; then
    continue
  fi
  mvn -q -B -Dmaven.repo.local="$repo" dependency:get -Dartifact="$gav" -Dtransitive=false
  # install-file refuses a file that already sits in the local repository: install a copy.
  tmp=$(mktemp -d)
  cp "$dir/$artifact-$version.jar" "$dir/$artifact-$version.pom" "$tmp/"
  mvn -q -B -Dmaven.repo.local="$repo" install:install-file -Dfile="$tmp/$artifact-$version.jar" -DpomFile="$tmp/$artifact-$version.pom"
  rm -rf "$tmp"
  echo "prefetched $gav"
done
