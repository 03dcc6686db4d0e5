#!/usr/bin/env node
// Fails when the committed pictures in docs/public/diagrams are stale relative to the current
// examples/biotech-app/cdk.out (or the workflows / the generator).
// It regenerates the DOT sources in memory and compares their hashes with stamp.json, and checks
// that each committed SVG still has the hash recorded when it was generated (nobody edited it,
// and it belongs to that DOT). The inputs hash is reported too; a change of inputs that does not
// change any picture (e.g. an asset hash) is not stale.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allDots, inputsHash, sha256 } from './diagrams.mjs';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public', 'diagrams');
const stampFile = path.join(dir, 'stamp.json');
const problems = [];
if (!existsSync(stampFile)) {
  console.error('check-diagrams: docs/public/diagrams/stamp.json is missing; run: npm --prefix docs run diagrams');
  process.exit(1);
}
const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
const dots = allDots();
for (const [name, dot] of Object.entries(dots)) {
  if (stamp.dot[name] !== sha256(dot)) problems.push(`${name}: the current synth gives a different picture`);
  const svg = path.join(dir, `${name}.svg`);
  if (!existsSync(svg)) problems.push(`${name}.svg is missing`);
  else if (stamp.svg[name] !== sha256(readFileSync(svg))) problems.push(`${name}.svg does not match its stamp (edited by hand?)`);
}
for (const name of Object.keys(stamp.dot)) if (!(name in dots)) problems.push(`${name}: no longer generated`);
const inputs = inputsHash();
console.log(`check-diagrams: inputs ${inputs.slice(0, 12)} (stamped ${stamp.inputs.slice(0, 12)}${inputs === stamp.inputs ? ', same' : ', changed'})`);
if (problems.length) {
  console.error(`check-diagrams: STALE\n  - ${problems.join('\n  - ')}\nRegenerate: npm --prefix docs run diagrams (after bash scripts/main.sh), then commit docs/public/diagrams.`);
  process.exit(1);
}
console.log(`check-diagrams: ${Object.keys(dots).length} pictures are fresh`);
