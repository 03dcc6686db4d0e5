// Adds lockfile entries for optional, platform-specific binaries that npm could not record
// because the registry in use does not serve them (the macOS/Windows/other-architecture builds
// of @next/swc, unrs-resolver and rollup). Without them `npm ci` calls the lockfile out of sync. Each
// entry carries `os`/`cpu` (and `libc`), so npm skips it on other platforms without fetching.
// It also restores bundled packages npm dropped (see below).
// Runs after every `npm install` that projen makes; by hand: node scripts/fix-lockfile.mjs [lockfile]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = path.resolve(process.argv[2] ?? path.join(root, 'package-lock.json'));
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
const PLATFORM_BINARY = /^@next\/swc-|^@unrs\/resolver-binding-|^@rollup\/rollup-/;

/** `@unrs/resolver-binding-linux-x64-musl` → { os: ['linux'], cpu: ['x64'], libc: ['musl'] } */
function platformOf(name) {
  const [os, cpu, abi] = name.split('/').pop().replace(/^(swc|resolver-binding|rollup)-/, '').split('-');
  const entry = { os: [os], cpu: [cpu] };
  if (os === 'linux' && abi) entry.libc = [abi.startsWith('musl') ? 'musl' : 'glibc'];
  return entry;
}

let added = 0;
for (const [where, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (!PLATFORM_BINARY.test(dep)) continue;
    const key = `node_modules/${dep}`;
    if (packages[key] || packages[`${where}/node_modules/${dep}`]) continue;
    packages[key] = { version, optional: true, ...platformOf(dep) };
    added++;
  }
}
// npm's incremental installs here drop bundled packages that the registry does not serve on its
// own (aws-cdk-lib bundles @aws/cloudformation-validate@1.12.1, which the registry lacks); `npm ci`
// then tries to download them and fails. Restore their `inBundle` entries: npm ci takes them from
// the parent's tarball.
for (const [key, pkg] of Object.entries(packages)) {
  for (const dep of pkg.bundleDependencies ?? []) {
    const nested = key === '' ? `node_modules/${dep}` : `${key}/node_modules/${dep}`;
    if (packages[nested]) continue;
    const spec = pkg.dependencies?.[dep];
    if (!spec || !/^\d+\.\d+\.\d+/.test(spec)) {
      throw new Error(`${nested}: missing from the lockfile and its version (${spec}) is not exact; reinstall ${key}`);
    }
    packages[nested] = { version: spec, inBundle: true };
    added++;
  }
}
// Keep the keys sorted the way npm writes them.
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${path.relative(root, lockPath)}: added ${added} platform entries`);
