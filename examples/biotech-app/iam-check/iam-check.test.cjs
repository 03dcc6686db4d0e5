// The IAM check on the example's synthesized stacks: `node --test examples/biotech-app/iam-check/iam-check.test.cjs`
// after `npx projen build` in examples/biotech-app (cdk.out) and after the worker's and the API's
// tests ran with AWS_CALL_LOG_DIR (default: <repository>/.aws-calls). scripts/test.sh does all three.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { Template, runCheck, evaluate, mapRecordedCall, principals, readCallLogs, uncovered } = require('./iam-check.cjs');

const APP = path.resolve(__dirname, '..');
const LOG_DIR = process.env.AWS_CALL_LOG_DIR || path.resolve(APP, '../../.aws-calls');

function load(stack) {
  const file = path.join(APP, 'cdk.out', `${stack}.template.json`);
  if (!fs.existsSync(file)) throw new Error(`${file} not found: run \`npx projen build\` in examples/biotech-app first`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const report = (r) => `${r.result}: ${r.labels.join('; ')}\n    ${r.principal} ${r.action} ${r.resource}\n    context ${JSON.stringify(r.context)}`;
/** "<call label> <action>" of every denied request of the check on `raw`. */
const deniedLabels = (raw) => runCheck({ template: raw, logDir: LOG_DIR }).denied.flatMap((d) => d.labels.map((l) => `${l} ${d.action}`));

/** The API role's policy documents in a copy of the template, to take grants away from. */
function apiPolicies(raw) {
  const tpl = new Template(raw);
  const roleId = tpl.idOf(principals(tpl).api.role, 'AWS::IAM::Role');
  return Object.values(raw.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x) => x.Ref === roleId))
    .map((r) => r.Properties.PolicyDocument);
}
const apiStatements = (raw) => apiPolicies(raw).flatMap((d) => d.Statement);
const onStateMachineKey = (s) => JSON.stringify(s.Condition ?? {}).includes('aws:states:stateMachineArn');

for (const stack of ['BiotechX-hml', 'BiotechX-prod']) {
  test(`${stack}: every AWS call is allowed by the synthesized policies`, () => {
    const { results, denied, problems, calls, sites, stateMachineResources } = runCheck({ template: load(stack), logDir: LOG_DIR });
    console.log(`${stack}: ${calls.length} recorded calls from ${sites.length} call sites, ` +
      `${stateMachineResources.length} state machine resources, ${results.length} distinct requests evaluated, ${denied.length} denied`);
    assert.deepEqual(problems, [], `the check could not map every call:\n${problems.join('\n')}`);
    assert.equal(denied.length, 0, `denied:\n${denied.map(report).join('\n')}`);
    // Every kind of call the brief names was really evaluated.
    const actions = new Set(results.map((r) => r.action));
    for (const a of ['s3:GetObject', 's3:PutObject', 's3:ListMultipartUploadParts', 'states:StartExecution', 'states:DescribeExecution',
      'sqs:ReceiveMessage', 'sqs:SendMessage', 'rds-db:connect', 'kms:Decrypt', 'kms:GenerateDataKey', 'batch:SubmitJob', 'events:PutEvents']) {
      assert.ok(actions.has(a), `no request for ${a} was evaluated`);
    }
  });
}

test('coverage: a call site the tests never exercised fails the check', () => {
  const { calls, sites } = readCallLogs(LOG_DIR);
  assert.ok(sites.length > 20, `expected the static call-site lists of both packages, got ${sites.length} sites`);
  assert.deepEqual(uncovered(sites, calls), []);
  const extra = { file: 'biotech_api/api.py', method: 'copy_object', line: 1, firstLine: 1, lastLine: 1 };
  assert.deepEqual(uncovered([...sites, extra], calls), [extra]);
});

test('it can fail: without the API\'s listing grant on uploads/, confirming a completed upload is denied', () => {
  const raw = load('BiotechX-hml');
  const listsUploads = (s) => [].concat(s.Action).includes('s3:ListBucket') && /Uploads[0-9A-F]{8}/.test(JSON.stringify(s.Resource));
  assert.ok(apiStatements(raw).some(listsUploads), 'the API role cannot list uploads/');
  for (const doc of apiPolicies(raw)) doc.Statement = doc.Statement.filter((s) => !listsUploads(s));
  const labels = deniedLabels(raw);
  assert.ok(labels.some((l) => /api\.py:\d+ ListObjectsV2 s3:ListBucket$/.test(l)), labels.join('\n'));
});

test('it can fail: without the state machine key grant, DescribeExecution and StartExecution are denied kms', () => {
  const raw = load('BiotechX-hml');
  assert.ok(apiStatements(raw).some(onStateMachineKey), 'the API role has no grant on the state machine key');
  for (const doc of apiPolicies(raw)) doc.Statement = doc.Statement.filter((s) => !onStateMachineKey(s));
  const labels = deniedLabels(raw);
  assert.ok(labels.some((l) => /DescribeExecution → kms:Decrypt kms:Decrypt$/.test(l)), labels.join('\n'));
  assert.ok(labels.some((l) => /StartExecution → kms:GenerateDataKey kms:GenerateDataKey$/.test(l)), labels.join('\n'));
});

test('it can fail: an encryption-context condition naming another state machine denies (the context keys are evaluated)', () => {
  const raw = load('BiotechX-hml');
  const grant = apiStatements(raw).find(onStateMachineKey);
  grant.Condition.StringEquals['kms:EncryptionContext:aws:states:stateMachineArn'] = 'arn:aws:states:sa-east-1:111111111111:stateMachine:other';
  const labels = deniedLabels(raw);
  assert.ok(labels.some((l) => /DescribeExecution → kms:Decrypt kms:Decrypt$/.test(l)), labels.join('\n'));
});

test('it can fail: without COMPLETION_QUEUE_URL on the API, the consumer\'s calls have no queue', () => {
  const raw = load('BiotechX-hml');
  const name = '\\"name\\":\\"COMPLETION_QUEUE_URL\\"';
  const text = JSON.stringify(raw);
  assert.ok(text.includes(name), 'the API Deployment sets no COMPLETION_QUEUE_URL');
  const renamed = text.replaceAll(name, '\\"name\\":\\"UNUSED_QUEUE_URL\\"');
  const { problems } = runCheck({ template: JSON.parse(renamed), logDir: LOG_DIR });
  assert.ok(problems.some((p) => /consumer\.py:\d+: sqs:ReceiveMessage but the API's Deployment sets no COMPLETION_QUEUE_URL/.test(p)), problems.join('\n'));
});

test('it can fail: a queue policy not scoped to the rule refuses EventBridge', () => {
  const raw = load('BiotechX-hml');
  for (const r of Object.values(raw.Resources).filter((x) => x.Type === 'AWS::SQS::QueuePolicy')) {
    for (const s of r.Properties.PolicyDocument.Statement) {
      if (s.Condition?.ArnEquals?.['aws:SourceArn']) s.Condition.ArnEquals['aws:SourceArn'] = 'arn:aws:events:sa-east-1:111111111111:rule/other';
    }
  }
  const labels = deniedLabels(raw);
  assert.ok(labels.some((l) => /^EventBridge rule .* sqs:SendMessage$/.test(l)), labels.join('\n'));
});

test('the evaluator: a bucket policy denying plain HTTP wins over an identity grant', () => {
  const tpl = new Template(load('BiotechX-hml'));
  const bucket = Object.keys(tpl.resources).find((id) => /Uploads[0-9A-F]{8}$/.test(id) && tpl.resources[id].Type === 'AWS::S3::Bucket');
  const request = (secure) => ({ principal: 'arn:aws:iam::111111111111:role/x', action: 's3:PutObject', resource: `${tpl.arn(bucket)}/uploads/a`,
    context: { 'aws:SecureTransport': secure }, resourcePolicy: tpl.resourcePolicy(bucket),
    identityPolicies: [{ name: 'p', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }] } }] });
  assert.equal(evaluate(tpl, request('true')), 'Allowed');
  assert.equal(evaluate(tpl, request('false')), 'ExplicitlyDenied');
});

test('a recorded call of an unknown bucket is a problem, not a silent pass', () => {
  const tpl = new Template(load('BiotechX-hml'));
  const call = { site: 'biotech_api/api.py:1', entry: 'biotech_api/main.py', principalHint: 'biotech_api', service: 's3', operation: 'GetObject',
    iamAction: 's3:GetObject', resourceArn: 'arn:aws:s3:::somewhere-else/x', context: {}, kms: [] };
  const { requests, problems } = mapRecordedCall(tpl, principals(tpl), call);
  assert.deepEqual(requests, []);
  assert.deepEqual(problems, ['biotech_api/api.py:1: bucket somewhere-else of the tests matches neither the uploads nor the results bucket']);
});
