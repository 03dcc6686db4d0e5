/**
 * Runs the synthesized state machine with the local executor (`local/executor/asl.js`, which
 * refuses any state type or field it does not implement) against the stubbed Batch/S3/EventBridge
 * of `support/aws-fake.ts`.
 *
 * Waiting is virtual: Wait states advance the fake's clock, which is what lets a Fargate Spot job
 * sit RUNNABLE until the state machine's Spot watch cancels it. Retry intervals are computed (and
 * recorded in `retries`) but not waited, and the execution timeout is the fake's (a job nothing
 * cancels fails with States.Timeout); the executor's own tests cover real waiting.
 *
 * Not exercised here: real AWS (IAM evaluation, service error names, `.sync` polling), the
 * 256 KiB payload limit (sizes are asserted separately) and the worker itself (modelled by its
 * contract).
 */
import { FakeAws } from './support/aws-fake';
import { build, definitionOf, fake, schemaValidator } from './support/fixture';
import { runExecution, RunResult, SleepInfo, StatesError } from '../../local/executor/asl';
import { PlatformStage } from '../../src/stage/platform-stage';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator');

const prod = build(PlatformStage.PROD);
const hml = build(PlatformStage.HML);
const prodDefinition = definitionOf(prod.json);
const hmlDefinition = definitionOf(hml.json);
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Test-Pipeline';
const eventSchema = schemaValidator('completion-event');
const inputSchema = schemaValidator('execution-input');
const inputSchemaV1 = schemaValidator('execution-input', 1);

function input(fileCount: number, extra: Record<string, unknown> = {}): any {
  return { schemaVersion: 2, analysisId: 'an-1', sampleId: 'sample-1', ownerId: 'user-7f3a2c', manifestKey: 'manifests/an-1.json', fileCount, ...extra };
}

async function run(definition: any, aws: FakeAws, doc: any, executionName?: string): Promise<RunResult> {
  // Only a valid input gets its manifest (the state machine rejects the others before reading one).
  if (inputSchema.validate(doc) || inputSchemaV1.validate(doc)) {
    aws.putManifest(doc.analysisId, doc.sampleId, doc.ownerId, doc.fileCount);
  }
  const name = executionName ?? `${doc?.analysisId}-${doc?.attempt ?? 1}`;
  return runExecution(definition, doc, { executionName: name, stateMachineArn: STATE_MACHINE_ARN, handler: aws.handler, ...virtualTime(aws) });
}

/**
 * Wait states move the fake's clock; retry intervals and the execution timeout are not waited.
 * Distributed Map children run one at a time: the fake has one clock, and concurrent children's
 * Waits would add up on it (the executor's own tests cover MaxConcurrency with real time).
 */
function virtualTime(aws: FakeAws): { sleep: (seconds: number, info: SleepInfo) => void; executionTimeout: false; maxConcurrency: number } {
  return { sleep: (seconds, info) => (info.kind === 'wait' ? aws.sleep(seconds) : undefined), executionTimeout: false, maxConcurrency: 1 };
}

/** The one completion event, checked against contracts/schemas/completion-event.v2.schema.json. */
function completionEvent(aws: FakeAws): any {
  expect(aws.events).toHaveLength(1);
  const [entry] = aws.events;
  expect(entry.Source).toBe('cdk-proteomics-platform');
  expect(entry.DetailType).toBe('Analysis Completed');
  expect(entry.Resources).toEqual([STATE_MACHINE_ARN]);
  if (!eventSchema.validate(entry.Detail)) throw new Error(`event detail breaks the contract: ${eventSchema.errors()}`);
  return entry.Detail;
}

describe('the stubbed worker speaks contracts v2', () => {
  test('a manifest that breaks the analysis-manifest v2 schema is refused when written', () => {
    const aws = fake(hml.json);
    expect(() => aws.putManifest('an-1', 'sample/1', 'user-7f3a2c', 1)).toThrow(/breaks contracts v2/);
    expect(() => aws.putManifest('an-1', 'sample-1', 'user-7f3a2c', 0)).toThrow(/breaks contracts v2/);
    expect(() => aws.putManifest('an-1', 'sample-1', 'user-7f3a2c', 2)).not.toThrow();
  });
});

describe('the definition', () => {
  test.each([['prod', prodDefinition], ['hml', hmlDefinition]])('%s passes asl-validator', (_n, definition) => {
    // asl-validator writes QueryLanguage into every state of what it is given: pass a copy.
    const result = aslValidator(JSON.parse(JSON.stringify(definition)));
    expect(result.errorsText ? result.errorsText('\n') : '').toBe('');
    expect(result.isValid).toBe(true);
  });
});

describe('state machine logic (walker + stubbed AWS)', () => {
  test('ten files succeed with one array job of 10 children, then roll-up and a SUCCEEDED event', async () => {
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual(['CheckInput', 'ValidateInput', 'Prepare', 'ChooseFanOut', 'AnalyseArray', 'RollUp',
      'ReadSummary', 'CheckSummary', 'PublishCompletion', 'Finish', 'AnalysisCompleted']);
    expect(aws.jobs.map((j) => [j.name, j.arraySize, j.command[0]])).toEqual([['an-1-analyse', 10, 'batch'], ['an-1-rollup', undefined, 'rollup']]);
    expect(aws.jobs[0].command).toEqual(['batch', '--manifest', `s3://${uploads()}/manifests/an-1.json`,
      '--output', `s3://${results()}/analyses/an-1/files/`, '--files-per-task', '1', '--execution-name', 'an-1-1']);
    expect(aws.jobs[1].command.slice(-2)).toEqual(['--execution-name', 'an-1-1']);
    expect(aws.jobs[0].tags).toEqual({ analysisId: 'an-1', sampleId: 'sample-1' });
    expect(aws.jobs[0].shareId).toBe('user7f3a2c');
    expect(completionEvent(aws)).toEqual({
      schemaVersion: 2,
      executionName: 'an-1-1',
      analysisId: 'an-1',
      sampleId: 'sample-1',
      ownerId: 'user-7f3a2c',
      status: 'SUCCEEDED',
      filesSucceeded: 10,
      filesFailed: 0,
      summaryKey: 'analyses/an-1/summary.json',
    });
    expect(r.output).toMatchObject({ status: 'SUCCEEDED', escalatedToOnDemand: false });
    // eslint-disable-next-line no-console
    console.log(`10 files: ${r.transitions} state transitions`);
    expect(r.transitions).toBeLessThanOrEqual(16);
  });

  test('one file runs as a plain job (no array properties)', async () => {
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, input(1));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toContain('AnalyseOneTask');
    expect(aws.jobs[0].arraySize).toBeUndefined();
  });

  test('filesPerTask from the input sets the array size to ceil(files / filesPerTask)', async () => {
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, input(25, { filesPerTask: 4 }));
    expect(r.status).toBe('SUCCEEDED');
    expect(aws.jobs[0].arraySize).toBe(7);
    const command = aws.jobs[0].command;
    expect(command.slice(command.indexOf('--files-per-task'), command.indexOf('--files-per-task') + 2)).toEqual(['--files-per-task', '4']);
    expect(completionEvent(aws).filesSucceeded).toBe(25);
  });

  test('one Fargate Spot reclaim (exit 143) is retried by Batch and the analysis succeeds on Spot', async () => {
    const aws = fake(prod.json, { spotReclaims: (child) => (child === 3 ? 1 : 0) });
    const r = await run(prodDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(aws.spotReclaimCount.value).toBe(1);
    expect(aws.jobs.every((j) => /SpotQueue/.test(j.queue))).toBe(true);
    expect(r.path).not.toContain('EscalateToOnDemand');
    expect(completionEvent(aws).status).toBe('SUCCEEDED');
  });

  test('Spot exhaustion in prod escalates the array to the on-demand queue, once, and records it', async () => {
    const aws = fake(prod.json, { spotReclaims: (child) => (child === 0 ? 99 : 0) });
    const r = await run(prodDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(aws.spotReclaimCount.value).toBe(3); // every attempt of child 0
    expect(r.path).toEqual(expect.arrayContaining(['FindSpotLosses', 'ClassifyFailure', 'EscalateToOnDemand']));
    expect(aws.jobs.map((j) => /OnDemand/.test(j.queue))).toEqual([false, true, true]);
    expect(r.output).toMatchObject({ status: 'SUCCEEDED', escalatedToOnDemand: true, filesSucceeded: 10 });
    expect(completionEvent(aws).status).toBe('SUCCEEDED');
  });

  test('Spot exhaustion of a single task (EC2 Spot wording) escalates from the job\'s own status reason', async () => {
    const aws = fake(prod.json, { spotReclaims: () => 99, ec2: true });
    const r = await run(prodDefinition, aws, input(1));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual(expect.arrayContaining(['AnalyseOneTask', 'ClassifyFailure', 'EscalateToOnDemand']));
    expect(r.output.escalatedToOnDemand).toBe(true);
  });

  test('a job cancelled after waiting for Spot capacity escalates too', async () => {
    const aws = fake(prod.json);
    const original = aws.handler;
    let first = true;
    const handler = (call: any) => {
      if (first && call.args?.ContainerOverrides?.Command?.[0] === 'batch') {
        first = false;
        throw new StatesError('States.TaskFailed',
          JSON.stringify({ JobId: 'job-x', Status: 'FAILED', StatusReason: 'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - Job cancelled' }));
      }
      return original(call);
    };
    aws.putManifest('an-1', 'sample-1', 'user-7f3a2c', 1);
    const r = await runExecution(prodDefinition, input(1), { executionName: 'an-1-1', stateMachineArn: STATE_MACHINE_ARN, handler, ...virtualTime(aws) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toContain('EscalateToOnDemand');
  });

  describe('Fargate Spot without capacity (the job stays RUNNABLE; Batch reports no capacity reason on Fargate)', () => {
    const SPOT_WAIT = 1800; // spotWaitTimeout's default
    const MAX_CHECKS = Math.ceil(2 * 24 * 3600 / SPOT_WAIT); // analysisTimeout (2 days) / spotWaitTimeout

    test('an array job that never starts is cancelled after spotWaitTimeout and escalates to on-demand', async () => {
      const aws = fake(prod.json, { spotCapacityAfter: Infinity });
      const r = await run(prodDefinition, aws, input(10));
      expect(r.status).toBe('SUCCEEDED');
      expect(aws.cancelled).toEqual([['job-1', 'Spot capacity wait exceeded: cancelled by the analysis state machine', SPOT_WAIT]]);
      expect(r.path).toEqual(expect.arrayContaining(['AnalyseArray', 'ClassifyFailure', 'EscalateToOnDemand']));
      expect(aws.jobs.map((j) => [j.name, /OnDemand/.test(j.queue)])).toEqual([['an-1-analyse', false], ['an-1-analyse', true], ['an-1-rollup', true]]);
      expect(r.output).toMatchObject({ status: 'SUCCEEDED', escalatedToOnDemand: true, filesSucceeded: 10 });
      expect(completionEvent(aws).status).toBe('SUCCEEDED');
    });

    test('a single task that never starts escalates the same way', async () => {
      const aws = fake(prod.json, { spotCapacityAfter: Infinity });
      const r = await run(prodDefinition, aws, input(1));
      expect(r.status).toBe('SUCCEEDED');
      expect(aws.cancelled).toHaveLength(1);
      expect(r.path).toEqual(expect.arrayContaining(['AnalyseOneTask', 'ClassifyFailure', 'EscalateToOnDemand']));
      expect(r.output.escalatedToOnDemand).toBe(true);
    });

    test('every chunk of a 25,000-file analysis escalates on its own', async () => {
      const aws = fake(prod.json, { spotCapacityAfter: Infinity });
      const r = await run(prodDefinition, aws, input(25000));
      expect(r.status).toBe('SUCCEEDED');
      expect(aws.cancelled).toHaveLength(3);
      const onDemand = aws.jobs.filter((j) => /OnDemand/.test(j.queue) && j.command[0] === 'batch');
      expect(onDemand.map((j) => j.name)).toEqual(['an-1-chunk-0', 'an-1-chunk-1', 'an-1-chunk-2']);
      expect(completionEvent(aws).filesSucceeded).toBe(25000);
    });

    test('capacity that appears within spotWaitTimeout: the job runs on Spot, nothing is cancelled', async () => {
      const aws = fake(prod.json, { spotCapacityAfter: 600 });
      const r = await run(prodDefinition, aws, input(10));
      expect(r.status).toBe('SUCCEEDED');
      expect(aws.cancelled).toEqual([]);
      expect(aws.jobs.every((j) => !/OnDemand/.test(j.queue))).toBe(true);
      expect(r.output.escalatedToOnDemand).toBe(false);
    });

    test('a job slowed by the queue\'s own vCPU limit (something runs) is never cancelled', async () => {
      const aws = fake(prod.json, { spotCapacityAfter: 5 * SPOT_WAIT, spotPartlyRunning: true });
      const r = await run(prodDefinition, aws, input(10));
      expect(r.status).toBe('SUCCEEDED');
      expect(aws.cancelled).toEqual([]);
      expect(r.output.escalatedToOnDemand).toBe(false);
    });

    test('the watch is bounded: at most timeout / spotWaitTimeout looks, 6 transitions each', async () => {
      // Something runs but the job never finishes: the watch gives up after MAX_CHECKS looks.
      const aws = fake(prod.json, { spotCapacityAfter: Infinity, spotPartlyRunning: true });
      const r = await run(prodDefinition, aws, input(10));
      expect(aws.cancelled).toEqual([]); // something ran in every window
      const looks = aws.clock / SPOT_WAIT;
      expect(looks).toBe(MAX_CHECKS);
      // eslint-disable-next-line no-console
      console.log(`watch of a never-finishing job: ${looks} looks, ${r.transitions} transitions in all`);
      expect(r.transitions).toBeLessThanOrEqual(30 + 6 * MAX_CHECKS);
    });

    test('hml (no escalation) has no watch: no Parallel and no Wait state', () => {
      const types = JSON.stringify(hmlDefinition).match(/"Type":"(Parallel|Wait)"/g);
      expect(types).toBeNull();
    });
  });

  test('Spot exhaustion in hml (no escalation) still rolls up: PARTIAL with the cause', async () => {
    const aws = fake(hml.json, { spotReclaims: (child) => (child === 0 ? 99 : 0) });
    const r = await run(hmlDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).not.toContain('EscalateToOnDemand');
    const event = completionEvent(aws);
    expect(event).toMatchObject({ status: 'PARTIAL', filesSucceeded: 9, filesFailed: 1 });
    expect(event.cause).toBe('States.TaskFailed: Array Child Job failed');
  });

  test('one bad file out of ten: the array job fails, the roll-up still runs, the analysis ends PARTIAL', async () => {
    const aws = fake(prod.json, { badFiles: [3] });
    const r = await run(prodDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual(expect.arrayContaining(['AnalyseArray', 'FindSpotLosses', 'ClassifyFailure', 'RollUp']));
    expect(r.path).not.toContain('EscalateToOnDemand'); // an application error never escalates
    expect(completionEvent(aws)).toMatchObject({ status: 'PARTIAL', filesSucceeded: 9, filesFailed: 1 });
    expect(r.output).toMatchObject({ status: 'PARTIAL', filesFailed: 1 });
  });

  test('every file failing is the analysis\'s outcome, not a pipeline failure: the execution succeeds with status FAILED', async () => {
    // A failed execution raises ExecutionsFailed, which pages on-call; file failures must not.
    const aws = fake(prod.json, { badFiles: [0] });
    const r = await run(prodDefinition, aws, input(1));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path.at(-1)).toBe('AnalysisCompleted');
    const cause = 'States.TaskFailed: Essential container in task exited';
    expect(r.output).toMatchObject({ status: 'FAILED', filesSucceeded: 0, filesFailed: 1, cause });
    expect(completionEvent(aws)).toMatchObject({ status: 'FAILED', filesSucceeded: 0, filesFailed: 1, cause });
  });

  test('ten files that all fail: the execution succeeds, the event says FAILED', async () => {
    const aws = fake(hml.json, { badFiles: [...Array(10).keys()] });
    const r = await run(hmlDefinition, aws, input(10));
    expect(r.status).toBe('SUCCEEDED');
    expect(completionEvent(aws)).toMatchObject({ status: 'FAILED', filesSucceeded: 0, filesFailed: 10 });
  });

  test('a failed roll-up ends FAILED, with every file counted failed and the cause recorded', async () => {
    const aws = fake(prod.json, { rollupFails: true });
    const r = await run(prodDefinition, aws, input(10));
    expect(r.status).toBe('FAILED');
    expect(r.path).toEqual(expect.arrayContaining(['RollUp', 'RecordFailure', 'PublishCompletion', 'AnalysisFailed']));
    expect(r.cause).toMatch(/^roll-up failed: States\.TaskFailed: Essential container in task exited/);
    expect(completionEvent(aws)).toMatchObject({ status: 'FAILED', filesSucceeded: 0, filesFailed: 10 });
  });

  test.each([
    [25000, 1, 3],
    [100000, 1, 10],
  ])('%i files (filesPerTask %i) complete through chunk manifests and %i array jobs', async (files, perTask, chunks) => {
    const aws = fake(prod.json);
    const started = Date.now();
    const r = await run(prodDefinition, aws, input(files, { filesPerTask: perTask }));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual(['CheckInput', 'ValidateInput', 'Prepare', 'ChooseFanOut', 'WriteChunkManifests', 'AnalyseChunks',
      'RollUp', 'ReadSummary', 'CheckSummary', 'PublishCompletion', 'Finish', 'AnalysisCompleted']);
    const arrays = aws.jobs.filter((j) => j.command[0] === 'batch');
    expect(arrays).toHaveLength(chunks);
    expect(arrays.map((j) => j.arraySize)).toEqual([...Array(chunks)].map((_, n) => Math.min(10000, files - n * 10000)));
    expect(arrays[1].command[2]).toBe(`s3://${uploads()}/manifests/an-1/chunk-1.json`);
    // Each chunk runs in a child workflow with a name of its own: the worker must still record the analysis' execution.
    expect(arrays.map((j) => j.command.slice(-2))).toEqual(arrays.map(() => ['--execution-name', 'an-1-1']));
    expect(completionEvent(aws)).toMatchObject({ status: 'SUCCEEDED', filesSucceeded: files, filesFailed: 0 });
    // Documented formula: 12 + 8 x ceil(files / 10,000) transitions (no retries, no escalation;
    // each chunk: prepare, the Parallel, submit, finished, and the Spot watch's start, init and wait).
    const bound = 12 + 8 * Math.ceil(files / 10000);
    // eslint-disable-next-line no-console
    console.log(`${files} files: ${r.transitions} state transitions (bound ${bound}), ${aws.jobs.length} Batch jobs, walked in ${Date.now() - started} ms`);
    expect(r.transitions).toBeLessThanOrEqual(bound);
  });

  test('a 25,000-file analysis whose second chunk loses Spot escalates that chunk only', async () => {
    const aws = fake(prod.json, { spotReclaims: (child) => (child === 7 ? 99 : 0) });
    // Reclaims are per child index, so every chunk's child 7 is lost on Spot: all three escalate.
    const r = await run(prodDefinition, aws, input(25000));
    expect(r.status).toBe('SUCCEEDED');
    const onDemand = aws.jobs.filter((j) => /OnDemand/.test(j.queue) && j.command[0] === 'batch');
    expect(onDemand.map((j) => j.name)).toEqual(['an-1-chunk-0', 'an-1-chunk-1', 'an-1-chunk-2']);
    expect(r.output.escalatedToOnDemand).toBe(true);
    expect(completionEvent(aws).filesSucceeded).toBe(25000);
    // 15 per escalated chunk: the Spot attempt (8, with the failure classification), the on-demand one (7).
    expect(r.transitions).toBeLessThanOrEqual(12 + 15 * 3);
  });

  test('a chunk of a single task still runs as an array of 2 (the extra child finds no entry)', async () => {
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, input(20001));
    expect(r.status).toBe('SUCCEEDED');
    expect(aws.jobs.filter((j) => j.command[0] === 'batch').map((j) => j.arraySize)).toEqual([10000, 10000, 2]);
    expect(completionEvent(aws).filesSucceeded).toBe(20001);
  });

  test('25,000 files with filesPerTask 5 fit one array job of 5,000 children', async () => {
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, input(25000, { filesPerTask: 5 }));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toContain('AnalyseArray');
    expect(aws.jobs[0].arraySize).toBe(5000);
  });
});

describe('execution input handling matches contracts/schemas/execution-input.v1 and v2 (both are accepted)', () => {
  const cases: Array<[string, any]> = [
    ['the example', input(3, { filesPerTask: 1, attempt: 1 })],
    ['minimal', input(1)],
    ['missing fileCount', { ...input(1), fileCount: undefined }],
    ['fileCount 0', input(0)],
    ['fileCount 2.5', input(2.5)],
    ['fileCount as a string', input('3' as any)],
    ['schemaVersion 1 (still accepted)', input(1, { schemaVersion: 1 })],
    ['schemaVersion 3', input(1, { schemaVersion: 3 })],
    ['missing ownerId', { ...input(1), ownerId: undefined }],
    ['analysisId with a slash', input(1, { analysisId: 'a/b' })],
    ['manifestKey outside manifests/', input(1, { manifestKey: 'uploads/x.json' })],
    ['filesPerTask 1001', input(1, { filesPerTask: 1001 })],
    ['attempt 0', input(1, { attempt: 0 })],
    ['an unknown property', input(1, { priority: 'high' })],
    ['not an object', 'an-1'],
  ];
  test.each(cases)('%s: the state machine agrees with the schema', async (_name, raw) => {
    const doc = raw && typeof raw === 'object' ? JSON.parse(JSON.stringify(raw)) : raw;
    const aws = fake(prod.json);
    const r = await run(prodDefinition, aws, doc, 'an-1-1');
    const schemaValid = inputSchema.validate(doc) || inputSchemaV1.validate(doc);
    if (schemaValid) {
      expect(r.path).not.toContain('InputRejected');
    } else {
      expect(r).toMatchObject({ status: 'FAILED', error: 'InvalidInput' });
      expect(r.cause).toMatch(/^Execution input rejected: /);
      expect(aws.jobs).toHaveLength(0);
      expect(aws.events).toHaveLength(0);
    }
  });

  test('every problem is named in the cause', async () => {
    const r = await run(prodDefinition, fake(prod.json), { schemaVersion: 1, analysisId: 'an-1', fileCount: 0, extra: true }, 'an-1-1');
    expect(r.cause).toBe('Execution input rejected: sampleId is missing or not an id (letters, digits, _ and -, at most 64); ' +
      'ownerId is missing or not an id (letters, digits, _ and -, at most 64); manifestKey must be manifests/<id>.json; ' +
      'fileCount must be an integer of at least 1; unknown properties: extra');
  });

  test('an execution not named <analysisId>-<attempt> is rejected (a retry of the same attempt cannot run twice)', async () => {
    const r = await run(prodDefinition, fake(prod.json), input(1, { attempt: 2 }), 'an-1-1');
    expect(r.status).toBe('FAILED');
    expect(r.cause).toBe('Execution input rejected: the execution must be named an-1-2 (<analysisId>-<attempt>), not an-1-1');
  });
});

function uploads(): string {
  return bucketName('DataUploads');
}
function results(): string {
  return bucketName('DataResults');
}
function bucketName(prefix: string): string {
  return Object.keys(prod.json.Resources).find((k) => k.startsWith(prefix) && prod.json.Resources[k].Type === 'AWS::S3::Bucket')!.toLowerCase();
}
