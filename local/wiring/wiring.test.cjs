'use strict';
// Tests of the wiring loader and the IAM guard against the example's synthesized hml templates
// (examples/biotech-app/cdk.out: `npx projen synth` there first). Each mutation test changes a
// copy of the template the way a regression would, and expects the matching local step to fail.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { loadWiring, readAssembly, dockerfileRuntime, EXAMPLE } = require('./wiring.cjs');
const { IamGuard } = require('./iam-guard.cjs');
const { runExecution, StatesError } = require('../executor/asl');

const CDK_OUT = path.join(EXAMPLE, 'cdk.out');
const pristine = () => JSON.parse(JSON.stringify(readAssembly(CDK_OUT, 'hml')));
const find = (t, type) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);

test('reads the hml wiring: buckets by logical id, API env naming them, state machine, Batch, edge', () => {
  const w = loadWiring({ cdkOut: CDK_OUT });
  assert.match(w.uploads.logicalId, /^PlatformBucketsUploads[0-9A-F]{8}$/);
  assert.match(w.results.logicalId, /^PlatformBucketsResults[0-9A-F]{8}$/);
  assert.equal(w.api.env.UPLOADS_BUCKET, w.uploads.name);
  assert.equal(w.api.env.RESULTS_BUCKET, w.results.name);
  assert.deepEqual(w.uploads.cors[0].AllowedMethods, ['PUT']);
  assert.deepEqual(w.uploads.cors[0].ExposedHeaders, ['ETag']);
  assert.ok(w.uploads.lifecycle.some((r) => r.ExpirationInDays === 365), 'uploads expire after 365 days');
  assert.equal(w.api.env.STATE_MACHINE_ARN, w.stateMachine.arn);
  assert.equal(w.api.env.COMPLETION_QUEUE_URL, w.completion.queue.url);
  assert.equal(w.api.user, 10001);
  // The definition's substitutions are the resolved names of this template.
  const d = w.stateMachine.definition;
  assert.equal(d.QueryLanguage, 'JSONata');
  assert.deepEqual([d.States.Prepare.Assign.queueArn], w.batch.jobQueues);
  assert.equal(d.States.RollUp.Arguments.JobDefinition, w.batch.jobDefinition.arn);
  assert.equal(d.States.ReadSummary.Arguments.Bucket, w.results.name);
  // The worker's job: environment, /tmp from a Host volume, read-only root, non-root user, entrypoint.
  const jd = w.batch.jobDefinition;
  assert.equal(jd.environment.TMPDIR, '/tmp');
  assert.deepEqual(jd.mountPoints.map((m) => [m.ContainerPath, Object.keys(m.volume.Host ?? {}).length]), [['/tmp', 0]]);
  assert.equal(jd.readonlyRootFilesystem, true);
  assert.equal(jd.user, 10001);
  assert.deepEqual(jd.image.entrypoint, ['python', '-m', 'proteomics_worker']);
  assert.deepEqual(jd.image.volumes, ['/tmp']);
  assert.equal(jd.retryStrategy.EvaluateOnExit.at(-1).Action, 'EXIT');
  // Edge.
  assert.equal(w.edge.responseHeaders.set['x-frame-options'], 'DENY');
  // The app's own CSP and Referrer-Policy win: the policy only fills them in (Override: false).
  assert.equal(w.edge.responseHeaders.set['content-security-policy'], undefined);
  assert.match(w.edge.responseHeaders.setIfAbsent['content-security-policy'], /frame-ancestors 'none'/);
  assert.equal(w.edge.responseHeaders.setIfAbsent['referrer-policy'], 'no-referrer');
  assert.ok(w.edge.responseHeaders.remove.includes('server'));
  assert.equal(w.edge.waf.rate.limit, 2000);
  assert.equal(w.edge.waf.body.inspectedBytes, 8192);
  assert.equal(w.edge.waf.body.blockedOutsidePaths, true);
  assert.ok(w.edge.waf.body.paths.length >= 1);
});

test('the completion queue target dropped from the rule: the wiring step fails, naming it', () => {
  const t = pristine();
  for (const [, r] of find(t.main, 'AWS::Events::Rule')) {
    r.Properties.Targets = (r.Properties.Targets ?? []).filter((x) => !JSON.stringify(x.Arn).includes('CompletionQueue'));
  }
  assert.throws(() => loadWiring({ cdkOut: CDK_OUT, templates: t }), /no EventBridge rule delivers the state machine's completion events to the queue the API reads/);
});

test('an API env var renamed in the Deployment: the wiring step fails, naming it', () => {
  const t = pristine();
  const text = JSON.stringify(t.main).replace(/\\"COMPLETION_QUEUE_URL\\"/g, '\\"COMPLETIONS_QUEUE_URL\\"');
  assert.notEqual(text, JSON.stringify(t.main), 'the manifest spells the variable');
  assert.throws(() => loadWiring({ cdkOut: CDK_OUT, templates: { ...t, main: JSON.parse(text) } }), /the api Deployment sets no COMPLETION_QUEUE_URL/);
});

test('Dockerfile parsing reads the final stage only', () => {
  const r = dockerfileRuntime('FROM a AS b\nUSER 0\nFROM c\nVOLUME ["/tmp"]\nUSER 10001:10002\nWORKDIR /w\nENTRYPOINT ["python", \\\n "-m", "x"]\n');
  assert.deepEqual(r, { volumes: ['/tmp'], user: { uid: 10001, gid: 10002 }, workdir: '/w', entrypoint: ['python', '-m', 'x'] });
});

/**
 * Runs the real hml definition, with the IAM guard in front of a recorder of the calls that got
 * through. The recorder fails each Batch job (no worker here), so the execution goes on to roll-up
 * and the completion event: every kind of call is evaluated.
 */
async function runGuarded(templates) {
  const w = loadWiring({ cdkOut: CDK_OUT, templates });
  const guard = new IamGuard(w);
  const reached = [];
  const inner = (call) => {
    reached.push(call.resource.split(':').pop());
    if (call.resource.endsWith('submitJob.sync')) throw new StatesError('States.TaskFailed', JSON.stringify({ Status: 'FAILED', StatusReason: 'no worker in this test' }));
    if (call.resource.endsWith('putEvents')) return { Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 };
    throw new StatesError('S3.NoSuchKeyException', 'not here');
  };
  const input = { schemaVersion: 2, analysisId: 'an-1', sampleId: 's-1', ownerId: 'u-1', manifestKey: 'manifests/an-1.json', fileCount: 1 };
  const r = await runExecution(w.stateMachine.definition, input, {
    executionName: 'an-1-1', stateMachineArn: w.stateMachine.arn, handler: guard.wrap(inner), onMapChild: guard.mapChild,
    sleep: () => {}, executionTimeout: false,
  });
  return { r, guard, reached };
}

test('the state machine\'s calls pass the IAM evaluator with the synthesized grants', async () => {
  const { r, guard, reached } = await runGuarded(pristine());
  assert.equal(r.status, 'FAILED', 'the roll-up failed (no worker): the pipeline failure path');
  assert.deepEqual(guard.denied, []);
  assert.deepEqual(reached, ['submitJob.sync', 'submitJob.sync', 'putEvents']);
  assert.ok(guard.log.some((e) => e.action === 'batch:SubmitJob' && e.result === 'Allowed'));
  assert.ok(guard.log.some((e) => e.action === 'events:PutEvents' && e.result === 'Allowed'));
});

test('a grant removed (batch:SubmitJob): the submit step fails with AccessDenied before reaching Batch', async () => {
  const t = pristine();
  for (const [, p] of find(t.main, 'AWS::IAM::Policy')) {
    const doc = p.Properties.PolicyDocument;
    doc.Statement = doc.Statement.filter((s) => s.Action !== 'batch:SubmitJob');
  }
  const { r, guard, reached } = await runGuarded(t);
  assert.deepEqual(reached, ['putEvents'], 'no job reached Batch');
  assert.ok(guard.denied.some((e) => e.action === 'batch:SubmitJob'));
  assert.equal(r.status, 'FAILED');
  assert.match(r.cause, /Batch\.AccessDeniedException: User: .* is not authorized to perform: batch:SubmitJob/);
});

test('a grant removed (events:PutEvents): the completion is not published', async () => {
  const t = pristine();
  for (const [, p] of find(t.main, 'AWS::IAM::Policy')) {
    const doc = p.Properties.PolicyDocument;
    doc.Statement = doc.Statement.filter((s) => s.Action !== 'events:PutEvents');
  }
  const { r } = await runGuarded(t);
  assert.equal(r.error, 'CompletionEventNotPublished');
  assert.match(r.cause, /EventBridge\.AccessDeniedException/);
});
