#!/usr/bin/env bash
# Makes the Java build's version ranges resolvable against the Maven Central seen from here.
#
# The generated pom asks for ranges such as aws-cdk-lib [2.271.0,3.0.0). Maven resolves a range
# from maven-metadata.xml, and the copy served here is stale (it lists aws-cdk-lib up to 2.263.0
# although the newer jars are published). So each jar is fetched by exact
# version and installed into the local repository, whose own metadata then lists it.
#
# maven-dependency-plugin's `dependency:get -Dtransitive=false` puts the jar but not the pom into
# an empty local repository, so the pom is asked for on its own (`g:a:v:pom`). Works on an empty
# ~/.m2; fails with the missing file's name otherwise.
# Usage: scripts/maven-prefetch.sh <local-repository>
source "$(dirname "$0")/lib.sh"
repo=${1:?usage: scripts/maven-prefetch.sh <local-repository>}
command -v mvn >/dev/null || die "maven-prefetch" "mvn is not on PATH (install Debian's maven package)"
deps=(
  "software.amazon.awscdk:aws-cdk-lib:$(node -p "require('$ROOT/node_modules/aws-cdk-lib/package.json').version")"
  "software.constructs:constructs:$(node -p "require('$ROOT/node_modules/constructs/package.json').version")"
)
for gav in "${deps[@]}"; do
  IFS=: read -r group artifact version <<<"$gav"
  dir="$repo/${group//.//}/$artifact/$version"
  metadata="$repo/${group//.//}/$artifact/maven-metadata-local.xml"
  if [ -f "$metadata" ] && grep -q "<version>$version</version>" "$metadata"; then
    echo "already installed: $gav"
    continue
  fi
  for packaging in jar pom; do
    mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$repo" dependency:get -Dartifact="$gav:$packaging" -Dtransitive=false \
      || die "maven-prefetch" "Maven Central did not serve $gav:$packaging"
  done
  for file in "$dir/$artifact-$version.jar" "$dir/$artifact-$version.pom"; do
    [ -s "$file" ] || die "maven-prefetch" "$file is missing after dependency:get; is $gav published on Maven Central?"
  done
  # install-file refuses a file that already sits in the local repository: install a copy.
  tmp=$(mktemp -d)
  cp "$dir/$artifact-$version.jar" "$dir/$artifact-$version.pom" "$tmp/"
  mvn -q -B -Dstyle.color=never -Dmaven.repo.local="$repo" install:install-file -Dfile="$tmp/$artifact-$version.jar" -DpomFile="$tmp/$artifact-$version.pom" \
    || die "maven-prefetch" "could not install $gav into $repo"
  rm -rf "$tmp"
  grep -q "<version>$version</version>" "$metadata" 2>/dev/null \
    || die "maven-prefetch" "$metadata does not list $version after install-file"
  echo "prefetched $gav"
done
