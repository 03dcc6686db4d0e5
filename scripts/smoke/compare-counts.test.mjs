// node --test: compare-counts.mjs passes equal assemblies and fails on a missing stack, a missing
// resource or a changed type, so a language smoke cannot pass with a different synth.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const SCRIPT = path.join(import.meta.dirname, 'compare-counts.mjs');

/** A minimal cloud assembly: stack name → list of resource types. */
function assembly(stacks) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  const artifacts = { Tree: { type: 'cdk:tree' } };
  for (const [name, types] of Object.entries(stacks)) {
    const resources = Object.fromEntries(types.map((type, i) => [`R${i}`, { Type: type }]));
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify({ Resources: resources }));
    artifacts[name] = { type: 'aws:cloudformation:stack', displayName: name, properties: { templateFile: `${name}.template.json` } };
  }
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts }));
  return dir;
}

function compare(reference, other) {
  return spawnSync(process.execPath, [SCRIPT, 'test', reference, other], { encoding: 'utf8' });
}

const reference = assembly({ 'Smoke-hml': ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::KMS::Key'], 'Smoke-prod': ['AWS::EKS::Cluster'] });

test('equal assemblies pass and print each stack with its resource count', () => {
  const result = compare(reference, assembly({ 'Smoke-hml': ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::Bucket'], 'Smoke-prod': ['AWS::EKS::Cluster'] }));
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /test: Smoke-hml 3 resources \(TypeScript 3\)/);
  assert.match(result.stdout, /test: Smoke-prod 1 resources \(TypeScript 1\)/);
});

test('a missing resource fails and names the stack and the type', () => {
  const result = compare(reference, assembly({ 'Smoke-hml': ['AWS::S3::Bucket', 'AWS::KMS::Key'], 'Smoke-prod': ['AWS::EKS::Cluster'] }));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /Smoke-hml 2 resources \(TypeScript 3\); differing types: AWS::S3::Bucket 1 \(TypeScript 2\)/);
});

test('the same count with a different type fails', () => {
  const result = compare(reference, assembly({ 'Smoke-hml': ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::SNS::Topic'], 'Smoke-prod': ['AWS::EKS::Cluster'] }));
  assert.equal(result.status, 1);
  assert.match(result.stderr, /AWS::KMS::Key 0 \(TypeScript 1\), AWS::SNS::Topic 1 \(TypeScript 0\)/);
});

test('a missing stack, an extra stack and an empty reference fail', () => {
  assert.match(compare(reference, assembly({ 'Smoke-hml': ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::KMS::Key'] })).stderr, /Smoke-prod: missing from the test synth/);
  const extra = assembly({ 'Smoke-hml': ['AWS::S3::Bucket', 'AWS::S3::Bucket', 'AWS::KMS::Key'], 'Smoke-prod': ['AWS::EKS::Cluster'], Other: [] });
  assert.match(compare(reference, extra).stderr, /Other: synthesized by test but not by TypeScript/);
  assert.equal(compare(assembly({}), assembly({})).status, 1);
});

test('a folder that is not a cloud assembly fails', () => {
  const result = compare(reference, fs.mkdtempSync(path.join(os.tmpdir(), 'empty-')));
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /is not a cloud assembly/);
});
