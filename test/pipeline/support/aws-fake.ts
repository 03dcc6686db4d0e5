/**
 * Stubbed AWS for the state-machine walker: AWS Batch (submitJob.sync over the worker's
 * `batch`, `chunk` and `rollup` commands, the job definition's real retry rules, array children,
 * listJobs, describeJobs, cancelJob), S3 (getObject with Range) and EventBridge (putEvents).
 *
 * Fargate Spot without capacity (`spotCapacityAfter`): a job on the Spot queue stays RUNNABLE
 * (Fargate Spot never falls back to on-demand, and Batch reports no capacity reason for Fargate)
 * until the virtual clock (advanced by the definition's Wait states through `sleep`) reaches the
 * time capacity appears, or until someone cancels it. If nothing advances the clock or cancels
 * the job, the execution would wait until its own timeout: the job then fails with States.Timeout.
 *
 * The worker is modelled by its contract: it reads contracts v2 analysis and chunk manifests
 * (validated against contracts/schemas when written), each array child processes `filesPerTask`
 * consecutive manifest entries and writes `summary.json` or `error.json` per file, exiting 1 if
 * one failed and 0 when its index has no entries; `chunk` writes v2 chunk manifests; `rollup`
 * writes the summary with the worker's key order.
 */
import * as fs from 'fs';
import * as path from 'path';
import { schemaValidator } from './schemas';
import { StatesError, TaskCall } from '../../../local/executor/asl';

const rollupSchema = schemaValidator('analysis-summary');
const manifestSchema = schemaValidator('analysis-manifest');
const chunkSchema = schemaValidator('chunk-manifest');
/** The analysis parameters of the contract's own v2 manifest example. */
const PARAMETERS = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'contracts', 'examples', 'analysis-manifest.v2.example.json'), 'utf8')).parameters;
const CREATED_AT = '2026-03-01T09:30:00Z';
/** A contracts v2 analysis or chunk manifest (contracts/schemas/*-manifest.v2.schema.json). */
interface ManifestDoc {
  analysisId: string; sampleId: string; ownerId: string; firstFileIndex?: number; files: Array<{ fileId: string }>;
}

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/** Resolves CloudFormation intrinsics of a template value with placeholder names and ARNs. */
export function resolveIntrinsics(value: any, resources: Record<string, any>): any {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, resources));
  if (value.Ref) return placeholder(value.Ref, undefined, resources);
  if (value['Fn::GetAtt']) return placeholder(value['Fn::GetAtt'][0], value['Fn::GetAtt'][1], resources);
  if (value['Fn::Join']) {
    const [sep, parts] = value['Fn::Join'];
    return parts.map((p: any) => resolveIntrinsics(p, resources)).join(sep);
  }
  throw new Error(`cannot resolve ${JSON.stringify(value).slice(0, 200)}`);
}

function placeholder(id: string, attr: string | undefined, resources: Record<string, any>): string {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
  if (pseudo[id]) return pseudo[id];
  const type = resources[id]?.Type;
  if (type === 'AWS::Batch::JobDefinition' && !attr) return `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/${id}:1`;
  if (type === 'AWS::Batch::JobQueue' && (attr === 'JobQueueArn' || !attr)) return `arn:aws:batch:${REGION}:${ACCOUNT}:job-queue/${id}`;
  if (type === 'AWS::S3::Bucket' && !attr) return id.toLowerCase();
  if (type === 'AWS::StepFunctions::StateMachine' && !attr) return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
  throw new Error(`no placeholder for ${id}.${attr ?? 'Ref'} (${type})`);
}

/** The parsed definition of the template's state machine, with placeholder ARNs. */
export function definitionOf(template: any): any {
  const resources = template.Resources;
  const [sm] = Object.values<any>(resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  return JSON.parse(resolveIntrinsics(sm.Properties.DefinitionString, resources));
}

export interface RetryRule { readonly Action: string; readonly OnStatusReason?: string; readonly OnReason?: string; readonly OnExitCode?: string }

export interface FakeOptions {
  readonly uploadsBucket: string;
  readonly resultsBucket: string;
  readonly jobDefinitionArn: string;
  readonly spotQueueArn: string;
  readonly onDemandQueueArn?: string;
  /** RetryStrategy of the synthesized job definition. */
  readonly retry: { Attempts: number; EvaluateOnExit: RetryRule[] };
  /** Manifest file indexes (0-based) the worker fails on (bad files). */
  readonly badFiles?: number[];
  /** How many attempts Spot reclaims, per array-child index, on the Spot queue. */
  readonly spotReclaims?: (childIndex: number) => number;
  /** Fargate Spot (default) or EC2 Spot wording of a reclaim. */
  readonly ec2?: boolean;
  /** The roll-up job fails. */
  readonly rollupFails?: boolean;
  /** Seconds after submission until Fargate Spot has capacity for analysis jobs (Infinity: never). */
  readonly spotCapacityAfter?: number;
  /** While waiting for Spot, one child runs (the queue is at its own vCPU limit, not out of Spot). */
  readonly spotPartlyRunning?: boolean;
}

/** A Batch job as DescribeJobs and ListJobs see it. */
interface BatchJob {
  readonly jobId: string;
  readonly name: string;
  readonly queue: string;
  readonly createdAt: number;
  readonly size?: number;
  status: string;
  statusReason?: string;
  summary?: Record<string, number>;
  pending?: { startAt: number; run: () => any; resolve: (v: any) => void; reject: (e: any) => void; timer: NodeJS.Timeout };
}

interface Attempt { readonly statusReason: string; readonly reason: string; readonly exitCode?: number }

/** Batch glob: a trailing `*` matches any suffix; otherwise the whole value. */
export function globMatches(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

/** What AWS Batch does after a failed attempt: the first matching rule, else RETRY. */
export function batchDecision(rules: RetryRule[], a: Attempt): string {
  const rule = rules.find((r) => globMatches(r.OnStatusReason, a.statusReason)
    && globMatches(r.OnReason, a.reason)
    && globMatches(r.OnExitCode, a.exitCode === undefined ? '' : String(a.exitCode)));
  return rule ? rule.Action : 'RETRY';
}

/** How long each analysed file took in the fake worker, seconds (for the roll-up's cost). */
export const FAKE_FILE_SECONDS = 90;

export class FakeAws {
  public readonly events: any[] = [];
  public readonly jobs: Array<{ name: string; queue: string; command: string[]; arraySize?: number; tags: any; shareId: string }> = [];
  public readonly spotReclaimCount = { value: 0 };
  private readonly objects = new Map<string, string>();
  private readonly fileResults = new Map<string, Map<number, 'summary' | 'error'>>();
  private readonly failedChildren = new Map<string, any[]>();
  private jobCounter = 0;
  private readonly batchJobs = new Map<string, BatchJob>();
  /** Virtual seconds since the first submission, advanced by Wait states. */
  public clock = 0;
  /** CancelJob calls: [jobId, reason, clock]. */
  public readonly cancelled: Array<[string, string, number]> = [];

  constructor(private readonly o: FakeOptions) {}

  /** Puts a contracts v2 analysis manifest of `fileCount` files in the uploads bucket. */
  public putManifest(analysisId: string, sampleId: string, ownerId: string, fileCount: number): void {
    const files = [...Array(fileCount)].map((_, i) => ({ fileId: `f${i}`, key: `uploads/${ownerId}/${sampleId}/run-${i}.mzML`, format: 'mzML' }));
    const doc = { schemaVersion: 2, analysisId, sampleId, ownerId, createdAt: CREATED_AT, parameters: PARAMETERS, files };
    if (!manifestSchema.validate(doc)) throw new Error(`the test's manifest breaks contracts v2: ${manifestSchema.errors()}`);
    this.objects.set(`s3://${this.o.uploadsBucket}/manifests/${analysisId}.json`, JSON.stringify(doc));
  }

  public object(url: string): string | undefined {
    return this.objects.get(url);
  }

  public readonly handler = (call: TaskCall): any => {
    switch (call.resource) {
      case 'arn:aws:states:::batch:submitJob.sync': return this.submitJob(call.args);
      case 'arn:aws:states:::aws-sdk:batch:listJobs': return this.listJobs(call.args);
      case 'arn:aws:states:::aws-sdk:batch:describeJobs': return this.describeJobs(call.args);
      case 'arn:aws:states:::aws-sdk:batch:cancelJob': return this.cancelJob(call.args);
      case 'arn:aws:states:::aws-sdk:s3:getObject': return this.getObject(call.args);
      case 'arn:aws:states:::events:putEvents': return this.putEvents(call.args);
      default: throw new Error(`fake AWS has no ${call.resource} (state ${call.state})`);
    }
  };

  private submitJob(args: any): any {
    const queues = [this.o.spotQueueArn, this.o.onDemandQueueArn].filter(Boolean);
    expect(queues).toContain(args.JobQueue);
    expect(args.JobDefinition).toBe(this.o.jobDefinitionArn);
    expect(args.ShareIdentifier).toMatch(/^[A-Za-z0-9]{1,255}$/);
    expect(args.JobName).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/);
    expect(args.PropagateTags).toBe(true);
    expect(Object.keys(args.Tags).sort()).toEqual(['analysisId', 'sampleId']);
    const command: string[] = args.ContainerOverrides.Command;
    command.forEach((c) => expect(typeof c).toBe('string'));
    const size: number | undefined = args.ArrayProperties?.Size;
    if (size !== undefined) {
      expect(Number.isInteger(size)).toBe(true);
      expect(size).toBeGreaterThanOrEqual(2);
      expect(size).toBeLessThanOrEqual(10000);
    }
    this.jobs.push({ name: args.JobName, queue: args.JobQueue, command, arraySize: size, tags: args.Tags, shareId: args.ShareIdentifier });
    const jobId = `job-${++this.jobCounter}`;
    const flag = (name: string) => command[command.indexOf(name) + 1];
    const job: BatchJob = { jobId, name: args.JobName, queue: args.JobQueue, createdAt: this.clock, size, status: 'RUNNABLE' };
    this.batchJobs.set(jobId, job);
    const run = (): any => {
      try {
        let result: any;
        switch (command[0]) {
          case 'batch': result = this.runBatch(jobId, args, flag('--manifest'), flag('--output'), Number(flag('--files-per-task')), size); break;
          case 'chunk': result = this.runChunk(jobId, flag('--manifest'), Number(flag('--chunk-size'))); break;
          case 'rollup': result = this.runRollup(jobId, args, flag('--manifest'), flag('--results'), flag('--execution-name')); break;
          default: throw new Error(`unknown worker command ${command[0]}`);
        }
        this.finish(job, 'SUCCEEDED');
        return result;
      } catch (e) {
        this.finish(job, 'FAILED', e instanceof StatesError ? JSON.parse(e.causeText).StatusReason : undefined);
        throw e;
      }
    };
    const waitsForSpot = command[0] === 'batch' && args.JobQueue === this.o.spotQueueArn && this.o.spotCapacityAfter !== undefined;
    if (!waitsForSpot) return run();
    // Stays RUNNABLE: `sleep` starts it once capacity appears, `cancelJob` fails it. With neither
    // (the virtual clock stops moving for 200 ms of real time), the execution waits until its timeout.
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        job.pending = undefined;
        reject(new StatesError('States.Timeout', `job ${args.JobName} never left RUNNABLE: nothing cancelled it, so the execution timed out`));
      }, 200);
      job.pending = { startAt: this.clock + this.o.spotCapacityAfter!, run, resolve, reject, timer };
    });
  }

  private finish(job: BatchJob, status: string, statusReason?: string): void {
    job.status = status;
    job.statusReason = statusReason;
    const failed = this.failedChildren.get(job.jobId)?.length ?? 0;
    if (job.size !== undefined) job.summary = { SUCCEEDED: job.size - failed, FAILED: failed };
  }

  /** A Wait state: time passes, and jobs whose Spot capacity appeared run to their end. */
  public readonly sleep = (seconds: number): void => {
    this.clock += seconds;
    for (const job of this.batchJobs.values()) {
      const p = job.pending;
      if (p) p.timer.refresh(); // the clock moved: someone is still watching
      if (!p || p.startAt > this.clock) continue;
      job.pending = undefined;
      clearTimeout(p.timer);
      try {
        p.resolve(p.run());
      } catch (e) {
        p.reject(e);
      }
    }
  };

  private describeJobs(args: any): any {
    expect(args.Jobs).toHaveLength(1);
    const job = this.batchJobs.get(args.Jobs[0]);
    if (!job) return { Jobs: [] };
    const waiting = job.pending !== undefined;
    const size = job.size;
    const partly = waiting && this.o.spotPartlyRunning;
    const status = waiting ? (partly ? 'RUNNING' : size !== undefined ? 'PENDING' : 'RUNNABLE') : job.status;
    const summary = size === undefined ? undefined : waiting
      ? { SUBMITTED: 0, PENDING: 0, RUNNABLE: partly ? size - 1 : size, STARTING: 0, RUNNING: partly ? 1 : 0, SUCCEEDED: 0, FAILED: 0 }
      : { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, ...job.summary };
    return {
      Jobs: [{
        JobId: job.jobId,
        JobName: job.name,
        JobQueue: job.queue,
        Status: status,
        ...(job.statusReason ? { StatusReason: job.statusReason } : {}),
        ...(size !== undefined ? { ArrayProperties: { Size: size, StatusSummary: summary } } : {}),
      }],
    };
  }

  private cancelJob(args: any): any {
    expect(typeof args.Reason).toBe('string');
    const job = this.batchJobs.get(args.JobId);
    if (!job) throw new StatesError('Batch.ClientException', `job ${args.JobId} not found`);
    this.cancelled.push([args.JobId, args.Reason, this.clock]);
    const p = job.pending;
    if (p) {
      // CancelJob fails what has not started; its reason becomes the status reason.
      job.pending = undefined;
      clearTimeout(p.timer);
      if (job.size !== undefined) {
        this.failedChildren.set(job.jobId, [...Array(job.size)].map((_, i) => ({ JobId: `${job.jobId}:${i}`, Status: 'FAILED', StatusReason: args.Reason })));
      }
      const reason = job.size !== undefined ? 'Array Child Job failed' : args.Reason;
      this.finish(job, 'FAILED', reason);
      // The .sync task notices on its next poll, after the caller has moved on.
      setImmediate(() => p.reject(new StatesError('States.TaskFailed',
        JSON.stringify({ JobId: job.jobId, JobName: job.name, Status: 'FAILED', StatusReason: reason }))));
    }
    return {};
  }

  /** A v2 analysis manifest (files from index 0) or chunk manifest (from its firstFileIndex). */
  private manifest(url: string): { analysisId: string; sampleId: string; ownerId: string; firstFileIndex: number; count: number; doc: ManifestDoc } {
    const text = this.objects.get(url);
    if (!text) throw new StatesError('States.TaskFailed', JSON.stringify({ Status: 'FAILED', StatusReason: 'Essential container in task exited', manifest: url }));
    const doc: ManifestDoc = JSON.parse(text);
    const { analysisId, sampleId, ownerId } = doc;
    return { analysisId, sampleId, ownerId, firstFileIndex: doc.firstFileIndex ?? 0, count: doc.files.length, doc };
  }

  /** One attempt of one child: Spot may take it away, otherwise it processes its files. */
  private attempt(m: ReturnType<FakeAws['manifest']>, output: string, from: number, to: number, reclaimed: boolean): Attempt {
    if (reclaimed) {
      this.spotReclaimCount.value++;
      return this.o.ec2
        ? { statusReason: 'Host EC2 (instance i-0123456789abcdef0) terminated.', reason: '' }
        : { statusReason: 'Your Spot Task was interrupted.', reason: 'Essential container in task exited', exitCode: 143 };
    }
    const results = this.fileResults.get(m.analysisId) ?? new Map();
    this.fileResults.set(m.analysisId, results);
    expect(output).toBe(`s3://${this.o.resultsBucket}/analyses/${m.analysisId}/files/`);
    let failed = false;
    for (let i = from; i < to; i++) {
      const bad = (this.o.badFiles ?? []).includes(i);
      results.set(i, bad ? 'error' : 'summary');
      failed = failed || bad;
    }
    return failed
      ? { statusReason: 'Essential container in task exited', reason: '', exitCode: 1 }
      : { statusReason: 'Essential container in task exited', reason: '', exitCode: 0 };
  }

  private runBatch(jobId: string, args: any, manifestUrl: string, output: string, filesPerTask: number, size?: number): any {
    const m = this.manifest(manifestUrl);
    const onSpot = args.JobQueue === this.o.spotQueueArn;
    const failed: any[] = [];
    let lastAttempt: Attempt | undefined;
    const attempts: Attempt[] = [];
    for (let child = 0; child < (size ?? 1); child++) {
      const from = m.firstFileIndex + child * filesPerTask;
      const to = Math.min(m.firstFileIndex + m.count, from + filesPerTask);
      const reclaims = onSpot ? (this.o.spotReclaims?.(child) ?? 0) : 0;
      let status = 'FAILED';
      for (let n = 1; n <= this.o.retry.Attempts; n++) {
        const a: Attempt = from >= to
          ? { statusReason: 'Essential container in task exited', reason: '', exitCode: 0 }
          : this.attempt(m, output, from, to, n <= reclaims);
        if (size === undefined) attempts.push(a);
        lastAttempt = a;
        if (a.exitCode === 0) { status = 'SUCCEEDED'; break; }
        if (batchDecision(this.o.retry.EvaluateOnExit, a) === 'EXIT') break;
      }
      if (status === 'FAILED') failed.push({ JobId: `${jobId}:${child}`, Status: 'FAILED', StatusReason: lastAttempt!.statusReason });
    }
    const description = { JobId: jobId, JobName: args.JobName, JobQueue: args.JobQueue };
    if (failed.length === 0) return { ...description, Status: 'SUCCEEDED' };
    this.failedChildren.set(jobId, failed);
    const cause = size === undefined
      ? {
        ...description,
        Status: 'FAILED',
        StatusReason: lastAttempt!.statusReason,
        Attempts: attempts.map((a) => ({ StatusReason: a.statusReason, Container: { ExitCode: a.exitCode, Reason: a.reason } })),
      }
      : { ...description, Status: 'FAILED', StatusReason: 'Array Child Job failed', ArrayProperties: { Size: size } };
    throw new StatesError('States.TaskFailed', JSON.stringify(cause));
  }

  private runChunk(jobId: string, manifestUrl: string, chunkSize: number): any {
    expect(chunkSize).toBe(10000);
    const m = this.manifest(manifestUrl);
    const base = manifestUrl.replace(/\.json$/, '');
    const chunkCount = Math.ceil(m.count / chunkSize);
    for (let n = 0; n < chunkCount; n++) {
      const chunk = {
        schemaVersion: 2,
        analysisId: m.analysisId,
        sampleId: m.sampleId,
        ownerId: m.ownerId,
        createdAt: CREATED_AT,
        chunkIndex: n,
        chunkCount,
        firstFileIndex: n * chunkSize,
        parameters: PARAMETERS,
        files: m.doc.files.slice(n * chunkSize, (n + 1) * chunkSize),
      };
      if (!chunkSchema.validate(chunk)) throw new Error(`the stubbed chunk manifest breaks contracts v2: ${chunkSchema.errors()}`);
      this.objects.set(`${base}/chunk-${n}.json`, JSON.stringify(chunk));
    }
    return { JobId: jobId, Status: 'SUCCEEDED' };
  }

  private runRollup(jobId: string, args: any, manifestUrl: string, results: string, executionName: string): any {
    if (this.o.rollupFails) {
      throw new StatesError('States.TaskFailed', JSON.stringify({ JobId: jobId, Status: 'FAILED', StatusReason: 'Essential container in task exited' }));
    }
    const m = this.manifest(manifestUrl);
    expect(results).toBe(`s3://${this.o.resultsBucket}/analyses/${m.analysisId}/`);
    const got = this.fileResults.get(m.analysisId) ?? new Map();
    const files = [];
    let succeeded = 0;
    for (let i = 0; i < m.count; i++) {
      const r = got.get(i);
      if (r === 'summary') succeeded++;
      const fileId = m.doc.files[i].fileId;
      files.push(r === 'summary'
        ? { fileId, status: 'SUCCEEDED', summaryKey: `analyses/${m.analysisId}/files/${fileId}/summary.json` }
        : r === 'error'
          ? { fileId, status: 'FAILED', errorKey: `analyses/${m.analysisId}/files/${fileId}/error.json`, errorCode: 'CORRUPT', reason: 'bad XML' }
          : { fileId, status: 'FAILED', reason: 'no result written' });
    }
    const status = succeeded === m.count ? 'SUCCEEDED' : succeeded === 0 ? 'FAILED' : 'PARTIAL';
    // With the cost flags the worker writes cost (worker/tests/test_units.py checks its formula):
    // here every analysed file took FAKE_FILE_SECONDS.
    const command: string[] = args.ContainerOverrides.Command;
    const num = (name: string) => (command.includes(name) ? Number(command[command.indexOf(name) + 1]) : undefined);
    const [vcpu, memoryGib, vcpuHour, gbHour] = ['--task-vcpu', '--task-memory-gib', '--vcpu-hour-usd', '--gb-hour-usd'].map(num);
    const seconds = succeeded * FAKE_FILE_SECONDS;
    const cost = vcpu === undefined || memoryGib === undefined || vcpuHour === undefined || gbHour === undefined ? null : {
      estimatedCostUsd: (seconds * vcpu * vcpuHour + seconds * memoryGib * gbHour) / 3600,
      vcpuSeconds: seconds * vcpu,
      memoryGiBSeconds: seconds * memoryGib,
      basis: `fake: ${command[command.indexOf('--price-source') + 1]}`,
    };
    // The worker's key order (json.dumps(doc, indent=1)): counters before the file list, which comes last.
    const doc = {
      schemaVersion: 2,
      analysisId: m.analysisId,
      sampleId: m.sampleId,
      ownerId: m.ownerId,
      executionName,
      status,
      filesSucceeded: succeeded,
      filesFailed: m.count - succeeded,
      fileCount: m.count,
      cost,
      createdAt: '2026-03-01T09:52:13Z',
      files,
    };
    if (!rollupSchema.validate(doc)) throw new Error(`the stubbed roll-up breaks contracts/schemas/analysis-summary.v2: ${rollupSchema.errors()}`);
    this.objects.set(`${results}summary.json`, JSON.stringify(doc, null, 1) + '\n');
    return { JobId: jobId, JobName: args.JobName, Status: 'SUCCEEDED' };
  }

  private listJobs(args: any): any {
    if (args.Filters) {
      // With a filter, Batch ignores JobStatus and returns jobs of every status.
      expect(args.Filters).toEqual([{ Name: 'JOB_NAME', Values: [expect.any(String)] }]);
      const name = args.Filters[0].Values[0];
      return {
        JobSummaryList: [...this.batchJobs.values()]
          .filter((j) => j.queue === args.JobQueue && j.name === name)
          .map((j) => ({ JobId: j.jobId, JobName: j.name, CreatedAt: j.createdAt, Status: j.pending ? 'RUNNABLE' : j.status })),
      };
    }
    expect(args.JobStatus).toBe('FAILED');
    return { JobSummaryList: (this.failedChildren.get(args.ArrayJobId) ?? []).slice(0, args.MaxResults) };
  }

  private getObject(args: any): any {
    expect(args.Bucket).toBe(this.o.resultsBucket);
    const text = this.objects.get(`s3://${args.Bucket}/${args.Key}`);
    if (text === undefined) throw new StatesError('S3.NoSuchKeyException', 'The specified key does not exist.');
    const m = /^bytes=(\d+)-(\d+)$/.exec(args.Range);
    if (!m) throw new Error(`unexpected Range ${args.Range}`);
    return { Body: text.slice(Number(m[1]), Number(m[2]) + 1), ContentLength: Math.min(text.length, Number(m[2]) + 1) };
  }

  private putEvents(args: any): any {
    expect(args.Entries).toHaveLength(1);
    this.events.push(args.Entries[0]);
    return { Entries: [{ EventId: `event-${this.events.length}` }], FailedEntryCount: 0 };
  }
}
