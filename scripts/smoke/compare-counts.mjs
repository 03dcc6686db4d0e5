// Holds a language's smoke synth to the TypeScript one: every stack of the reference cloud
// assembly must exist in the other with the same number of resources of each type. Prints one line
// per stack with its resource count; exits 1 on any difference, naming the stack and the types.
// Usage: node scripts/smoke/compare-counts.mjs <language> <reference-outdir> <outdir>
import * as fs from 'node:fs';
import * as path from 'node:path';

const [language, referenceDir, outdir] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: node scripts/smoke/compare-counts.mjs <language> <reference-outdir> <outdir>');
  process.exit(2);
}

/** Stack name → { type → count } for every CloudFormation stack in a cloud assembly. */
function countsByStack(dir) {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${dir} is not a cloud assembly (no manifest.json): did the synth run?`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const out = {};
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
    const byType = {};
    for (const resource of Object.values(template.Resources ?? {})) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
    out[artifact.displayName ?? id] = byType;
  }
  return out;
}

const total = (byType) => Object.values(byType).reduce((a, b) => a + b, 0);
const reference = countsByStack(referenceDir);
const actual = countsByStack(outdir);
const problems = [];
if (Object.keys(reference).length === 0) problems.push(`the reference assembly ${referenceDir} has no stack`);
for (const [stack, expected] of Object.entries(reference)) {
  const got = actual[stack];
  if (!got) {
    problems.push(`${stack}: missing from the ${language} synth (it has: ${Object.keys(actual).join(', ') || 'none'})`);
    continue;
  }
  const types = [...new Set([...Object.keys(expected), ...Object.keys(got)])].sort();
  const differ = types.filter((t) => (expected[t] ?? 0) !== (got[t] ?? 0)).map((t) => `${t} ${got[t] ?? 0} (TypeScript ${expected[t] ?? 0})`);
  const line = `${language}: ${stack} ${total(got)} resources (TypeScript ${total(expected)})`;
  if (differ.length > 0) problems.push(`${line}; differing types: ${differ.join(', ')}`);
  else console.log(line);
}
for (const stack of Object.keys(actual)) {
  if (!reference[stack]) problems.push(`${stack}: synthesized by ${language} but not by TypeScript`);
}
if (problems.length > 0) {
  for (const problem of problems) console.error(`FAILED ${problem}`);
  process.exit(1);
}
console.log(`${language} smoke: ${Object.keys(reference).length} stacks, resource counts equal to the TypeScript synth`);
