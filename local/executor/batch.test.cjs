'use strict';
// Tests of local Batch: `.sync` semantics with real processes (node stands in for the image's
// entrypoint here; the platform runs the worker CLI).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { LocalBatch, spawnRunner, batchDecision } = require('./batch');
const { StatesError, runExecution } = require('./asl');

const JOB_DEF = 'arn:aws:batch:eu-west-1:123456789012:job-definition/Worker:1';
const QUEUE = 'arn:aws:batch:eu-west-1:123456789012:job-queue/SpotQueue';
const SYNC = 'arn:aws:states:::batch:submitJob.sync';
// The job definition's retry rules as the pipeline synthesizes them (Spot reclaims retried, the rest exit).
const RETRY = {
  Attempts: 3,
  EvaluateOnExit: [
    { OnStatusReason: 'Host EC2*', Action: 'RETRY' },
    { OnStatusReason: 'Your Spot Task was interrupted*', Action: 'RETRY' },
    { OnExitCode: '*', Action: 'EXIT' },
  ],
};

/** A child script: records its environment, then exits as its first argument says for its index. */
const SCRIPT = `
const fs = require('fs');
const [out, plan] = process.argv.slice(1);
const i = process.env.AWS_BATCH_JOB_ARRAY_INDEX ?? 'single';
fs.writeFileSync(out + '/' + i + '-' + process.env.AWS_BATCH_JOB_ATTEMPT + '.json', JSON.stringify(process.env));
const code = JSON.parse(plan)[i] ?? 0;
if (code === 'hang') setTimeout(() => {}, 60000); else process.exit(code);
`;

function setup(extra = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-batch-'));
  const spawned = [];
  const batch = new LocalBatch({
    jobDefinitions: { [JOB_DEF]: { environment: { RESULTS_BUCKET: 'results', LOG_LEVEL: 'INFO' }, retryStrategy: RETRY } },
    queues: [QUEUE],
    runChild: spawnRunner({ entrypoint: [process.execPath, '-e', SCRIPT], cwd: dir, baseEnv: { PATH: process.env.PATH }, onSpawn: (child) => spawned.push(child) }),
    ...extra,
  });
  return { dir, batch, spawned, envOf: (name) => JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) };
}

const submit = (batch, dir, plan, size, name = 'an-1-analyse') => batch.handler({
  state: 'S',
  resource: SYNC,
  args: {
    JobName: name,
    JobQueue: QUEUE,
    JobDefinition: JOB_DEF,
    ShareIdentifier: 'user7f3a2c',
    ...(size ? { ArrayProperties: { Size: size } } : {}),
    ContainerOverrides: { Command: ['--', dir, JSON.stringify(plan)] },
    PropagateTags: true,
    Tags: { analysisId: 'an-1', sampleId: 's-1' },
  },
});

test('an array job runs one process per index with AWS_BATCH_JOB_ARRAY_INDEX and the job definition\'s environment only', async () => {
  const { dir, batch, envOf } = setup();
  const r = await submit(batch, dir, {}, 3);
  assert.equal(r.Status, 'SUCCEEDED');
  assert.deepEqual(r.ArrayProperties.StatusSummary, { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 3, FAILED: 0 });
  for (const i of [0, 1, 2]) {
    const env = envOf(`${i}-1`);
    assert.equal(env.AWS_BATCH_JOB_ARRAY_INDEX, String(i));
    assert.equal(env.AWS_BATCH_JOB_ID, `${r.JobId}:${i}`);
    assert.equal(env.RESULTS_BUCKET, 'results');
    assert.equal(env.HOME, undefined, 'nothing of the host environment leaks in');
  }
  assert.equal(fs.existsSync(path.join(dir, '3-1.json')), false);
});

test('a single job has no array index; a failed one fails the .sync task with its description as cause', async () => {
  const { dir, batch, envOf } = setup();
  const ok = await submit(batch, dir, {});
  assert.equal(ok.Status, 'SUCCEEDED');
  assert.equal(envOf('single-1').AWS_BATCH_JOB_ARRAY_INDEX, undefined);
  await assert.rejects(submit(batch, dir, { single: 1 }), (e) => {
    assert.ok(e instanceof StatesError);
    assert.equal(e.error, 'States.TaskFailed');
    const cause = JSON.parse(e.causeText);
    assert.equal(cause.Status, 'FAILED');
    assert.equal(cause.StatusReason, 'Essential container in task exited');
    assert.deepEqual(cause.Attempts.map((a) => a.Container.ExitCode), [1], 'exit 1 matches the EXIT rule: no retry');
    return true;
  });
});

test('one failed child fails the array parent after every child ended; listJobs names it', async () => {
  const { dir, batch } = setup();
  let parent;
  await assert.rejects(submit(batch, dir, { 1: 2 }, 3), (e) => {
    parent = JSON.parse(e.causeText);
    assert.equal(parent.StatusReason, 'Array Child Job failed');
    assert.deepEqual(parent.ArrayProperties.StatusSummary, { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 2, FAILED: 1 });
    return true;
  });
  const failed = batch.handler({ resource: 'arn:aws:states:::aws-sdk:batch:listJobs', args: { ArrayJobId: parent.JobId, JobStatus: 'FAILED', MaxResults: 1000 } });
  assert.deepEqual(failed.JobSummaryList.map((j) => j.JobId), [`${parent.JobId}:1`]);
});

test('a child killed with -9 reports exit code 137 and its siblings still succeed', async () => {
  const { dir, batch, spawned } = setup();
  const running = submit(batch, dir, { 0: 'hang' }, 2);
  while (spawned.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 100));
  spawned[0].kill('SIGKILL');
  await assert.rejects(running, /Array Child Job failed/);
  const [job] = batch.submitted;
  assert.deepEqual(job.children.map((c) => [c.status, c.attempts.map((a) => a.exitCode)]), [['FAILED', [137]], ['SUCCEEDED', [0]]]);
});

test('retry rules: a Spot reclaim is retried, an application error exits; no match retries', () => {
  assert.equal(batchDecision(RETRY.EvaluateOnExit, { statusReason: 'Your Spot Task was interrupted.', reason: '', exitCode: 143 }), 'RETRY');
  assert.equal(batchDecision(RETRY.EvaluateOnExit, { statusReason: 'Essential container in task exited', reason: '', exitCode: 1 }), 'EXIT');
  assert.equal(batchDecision([{ OnExitCode: '1', Action: 'EXIT' }], { statusReason: 'x', reason: '', exitCode: 2 }), 'RETRY');
});

test('children of all jobs together run at most maxParallel at once', async () => {
  const { dir, batch } = setup({ maxParallel: 2 });
  await Promise.all([submit(batch, dir, {}, 4, 'a-analyse'), submit(batch, dir, {}, 3, 'b-analyse')]);
  assert.equal(batch.peakParallel, 2);
});

test('CancelJob fails children that have not started, with its reason', async () => {
  const { dir, batch, spawned } = setup({ maxParallel: 1 });
  const running = submit(batch, dir, { 0: 'hang' }, 3);
  while (spawned.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
  const [job] = batch.submitted;
  const described = batch.handler({ resource: 'arn:aws:states:::aws-sdk:batch:describeJobs', args: { Jobs: [job.jobId] } });
  assert.deepEqual(described.Jobs[0].ArrayProperties.StatusSummary, { SUBMITTED: 0, PENDING: 0, RUNNABLE: 2, STARTING: 0, RUNNING: 1, SUCCEEDED: 0, FAILED: 0 });
  batch.handler({ resource: 'arn:aws:states:::aws-sdk:batch:cancelJob', args: { JobId: job.jobId, Reason: 'waited too long' } });
  spawned[0].kill('SIGKILL');
  await assert.rejects(running, /Array Child Job failed/);
  assert.deepEqual(job.children.map((c) => c.statusReason), ['Essential container in task exited', 'waited too long', 'waited too long']);
  assert.equal(spawned.length, 1, 'cancelled children never start');
});

test('bad SubmitJob arguments are refused with what is wrong', () => {
  const { batch } = setup();
  assert.throws(() => batch.handler({ resource: SYNC, args: { JobName: 'bad name', JobQueue: 'nope', JobDefinition: JOB_DEF, ArrayProperties: { Size: 1 }, ContainerOverrides: { Command: [1] } } }),
    /jobName 'bad name' is invalid; job queue nope does not exist; containerOverrides.command must be a list of strings; array size 1 must be an integer from 2 to 10000/);
  assert.throws(() => batch.handler({ resource: SYNC, args: { JobName: 'a', JobQueue: QUEUE, JobDefinition: JOB_DEF, ContainerOverrides: { Command: [], Environment: [] } } }),
    /does not implement containerOverrides.Environment/);
});

test('stopping the execution terminates the running job (SIGTERM: exit 143)', async () => {
  const { dir, batch, spawned } = setup();
  const controller = new AbortController();
  const definition = {
    QueryLanguage: 'JSONata', StartAt: 'Run', TimeoutSeconds: 60,
    States: { Run: { Type: 'Task', Resource: SYNC, Arguments: { JobName: 'an-1-analyse', JobQueue: QUEUE, JobDefinition: JOB_DEF, ContainerOverrides: { Command: ['--', dir, '{"single":"hang"}'] } }, End: true } },
  };
  const execution = runExecution(definition, {}, { executionName: 'an-1-1', stateMachineArn: 'arn:aws:states:eu-west-1:1:stateMachine:M', handler: batch.handler, signal: controller.signal });
  while (spawned.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  const r = await execution;
  assert.equal(r.status, 'ABORTED');
  await new Promise((resolve) => spawned[0].exitCode !== null || spawned[0].signalCode ? resolve() : spawned[0].on('close', resolve));
  assert.equal(spawned[0].signalCode, 'SIGTERM');
});
