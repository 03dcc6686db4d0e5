'use strict';
/**
 * AWS Batch as the state machine sees it, run locally: `batch:submitJob.sync` and the
 * SDK calls `listJobs`, `describeJobs`, `cancelJob`, over job definitions and queues the caller
 * registers (read from the synthesized template by the loader).
 *
 * Semantics kept from Batch:
 * - an array job (ArrayProperties.Size 2..10,000) has one child per index, each run with
 *   AWS_BATCH_JOB_ARRAY_INDEX; the parent fails ("Array Child Job failed") when any child failed,
 *   after every child ended;
 * - each job/child is attempted up to RetryStrategy.Attempts times; after a failed attempt the
 *   first matching EvaluateOnExit rule decides (globs: a trailing `*`), and with none matching
 *   Batch retries;
 * - `.sync` returns the job description when the job SUCCEEDED and fails with States.TaskFailed
 *   whose cause is the job description (StatusReason, Attempts) when it FAILED;
 * - CancelJob fails what has not started yet, with its reason as status reason; what runs goes on;
 * - stopping the execution (the task's AbortSignal) terminates the job: running children get
 *   SIGTERM, as TerminateJob does.
 * Children of all jobs together run at most `maxParallel` at once (default: the cores).
 *
 * `runChild({ jobId, jobName, index, attempt, command, environment, signal })` runs one attempt
 * and resolves `{ exitCode, reason? }` (`spawnRunner` runs a real process).
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const os = require('os');
const { StatesError } = require('./asl');

const SUBMIT_SYNC = 'arn:aws:states:::batch:submitJob.sync';
const LIST_JOBS = 'arn:aws:states:::aws-sdk:batch:listJobs';
const DESCRIBE_JOBS = 'arn:aws:states:::aws-sdk:batch:describeJobs';
const CANCEL_JOB = 'arn:aws:states:::aws-sdk:batch:cancelJob';
const SUBMIT_FIELDS = ['JobName', 'JobQueue', 'JobDefinition', 'ShareIdentifier', 'ArrayProperties', 'ContainerOverrides', 'PropagateTags', 'Tags'];
const ESSENTIAL_EXITED = 'Essential container in task exited';

/** Batch glob: a trailing `*` matches any suffix; otherwise the whole value. */
function globMatches(pattern, value) {
  if (pattern === undefined) return true;
  return pattern.endsWith('*') ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

/** What Batch does after a failed attempt: the first matching rule's action, else RETRY. */
function batchDecision(rules, attempt) {
  const rule = (rules ?? []).find((r) => globMatches(r.OnStatusReason, attempt.statusReason)
    && globMatches(r.OnReason, attempt.reason ?? '')
    && globMatches(r.OnExitCode, attempt.exitCode === undefined ? '' : String(attempt.exitCode)));
  return rule ? rule.Action.toUpperCase() : 'RETRY';
}

/** A counting semaphore. */
class Slots {
  constructor(size) {
    this.size = size;
    this.used = 0;
    this.peak = 0;
    this.waiting = [];
  }
  async take() {
    if (this.used >= this.size) await new Promise((resolve) => this.waiting.push(resolve));
    this.used++;
    this.peak = Math.max(this.peak, this.used);
  }
  give() {
    this.used--;
    this.waiting.shift()?.();
  }
}

class LocalBatch {
  /**
   * @param {object} o
   * @param {Record<string, {environment: Record<string,string>, retryStrategy?: any}>} o.jobDefinitions by ARN
   * @param {string[]} o.queues queue ARNs
   * @param {Function} o.runChild runs one attempt of one child
   * @param {number} [o.maxParallel] children at once (default: the cores)
   */
  constructor(o) {
    this.o = o;
    this.slots = new Slots(o.maxParallel ?? (os.availableParallelism ? os.availableParallelism() : os.cpus().length));
    this.jobs = new Map();
    this.submitted = [];
    this.cancelled = [];
    this.handler = this.handler.bind(this);
  }

  handles(resource) {
    return [SUBMIT_SYNC, LIST_JOBS, DESCRIBE_JOBS, CANCEL_JOB].includes(resource);
  }

  handler(call) {
    switch (call.resource) {
      case SUBMIT_SYNC: return this.submitSync(call.args, call.signal);
      case LIST_JOBS: return this.listJobs(call.args);
      case DESCRIBE_JOBS: return this.describeJobs(call.args);
      case CANCEL_JOB: return this.cancelJob(call.args);
      default: throw new Error(`local Batch has no ${call.resource} (state ${call.state})`);
    }
  }

  /** Most children that ran at once so far. */
  get peakParallel() {
    return this.slots.peak;
  }

  submitSync(args, signal) {
    for (const key of Object.keys(args)) {
      if (!SUBMIT_FIELDS.includes(key)) throw new StatesError('Batch.ClientException', `local Batch does not implement SubmitJob's ${key}`);
    }
    const problems = [];
    if (typeof args.JobName !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(args.JobName)) problems.push(`jobName '${args.JobName}' is invalid`);
    if (!this.o.queues.includes(args.JobQueue)) problems.push(`job queue ${args.JobQueue} does not exist`);
    const def = this.o.jobDefinitions[args.JobDefinition];
    if (!def) problems.push(`job definition ${args.JobDefinition} does not exist`);
    const command = args.ContainerOverrides?.Command;
    if (!Array.isArray(command) || command.some((c) => typeof c !== 'string')) problems.push('containerOverrides.command must be a list of strings');
    for (const key of Object.keys(args.ContainerOverrides ?? {})) {
      if (key !== 'Command') problems.push(`local Batch does not implement containerOverrides.${key}`);
    }
    const size = args.ArrayProperties?.Size;
    if (size !== undefined && !(Number.isInteger(size) && size >= 2 && size <= 10000)) problems.push(`array size ${size} must be an integer from 2 to 10000`);
    if (problems.length) throw new StatesError('Batch.ClientException', problems.join('; '));
    const jobId = crypto.randomUUID();
    const job = {
      jobId,
      name: args.JobName,
      queue: args.JobQueue,
      definition: args.JobDefinition,
      command,
      tags: args.Tags ?? {},
      shareId: args.ShareIdentifier,
      size,
      createdAt: Date.now(),
      status: 'RUNNABLE',
      statusReason: undefined,
      attempts: [],
      children: [...Array(size ?? 1)].map((_, index) => ({ index, status: 'RUNNABLE', statusReason: undefined, attempts: [] })),
      controllers: new Set(),
    };
    this.jobs.set(jobId, job);
    this.submitted.push(job);
    const onAbort = () => this.terminate(job, 'the execution was stopped');
    signal?.addEventListener('abort', onAbort, { once: true });
    return Promise.all(job.children.map((child) => this.runChildAttempts(job, def, child)))
      .finally(() => signal?.removeEventListener('abort', onAbort))
      .then(() => this.finish(job));
  }

  async runChildAttempts(job, def, child) {
    const attemptsAllowed = def.retryStrategy?.Attempts ?? 1;
    await this.slots.take();
    try {
      for (let attempt = 1; attempt <= attemptsAllowed; attempt++) {
        if (child.status === 'FAILED') return; // cancelled or terminated before it started
        child.status = 'RUNNING';
        if (job.status === 'RUNNABLE') job.status = 'RUNNING';
        const controller = new AbortController();
        job.controllers.add(controller);
        const environment = {
          ...def.environment,
          AWS_BATCH_JOB_ID: job.size === undefined ? job.jobId : `${job.jobId}:${child.index}`,
          AWS_BATCH_JOB_ATTEMPT: String(attempt),
          AWS_BATCH_JQ_NAME: job.queue.split('/').pop(),
          ...(job.size !== undefined ? { AWS_BATCH_JOB_ARRAY_INDEX: String(child.index) } : {}),
        };
        let r;
        try {
          r = await this.o.runChild({ jobId: job.jobId, jobName: job.name, index: job.size === undefined ? undefined : child.index, attempt, command: job.command, environment, signal: controller.signal, definition: def });
        } finally {
          job.controllers.delete(controller);
        }
        const a = { statusReason: r.statusReason ?? ESSENTIAL_EXITED, reason: r.reason ?? '', exitCode: r.exitCode };
        child.attempts.push(a);
        if (a.exitCode === 0) {
          child.status = 'SUCCEEDED';
          child.statusReason = a.statusReason;
          return;
        }
        child.statusReason = a.statusReason;
        if (job.terminated || batchDecision(def.retryStrategy?.EvaluateOnExit, a) === 'EXIT') break;
      }
      child.status = 'FAILED';
    } finally {
      this.slots.give();
    }
  }

  finish(job) {
    const failed = job.children.filter((c) => c.status !== 'SUCCEEDED');
    job.status = failed.length ? 'FAILED' : 'SUCCEEDED';
    const description = { JobId: job.jobId, JobName: job.name, JobQueue: job.queue, JobDefinition: job.definition };
    if (job.size === undefined) {
      const [only] = job.children;
      job.statusReason = only.statusReason;
      const attempts = only.attempts.map((a) => ({ StatusReason: a.statusReason, Container: { ExitCode: a.exitCode, Reason: a.reason } }));
      const doc = { ...description, Status: job.status, StatusReason: job.statusReason, Attempts: attempts };
      if (job.status === 'SUCCEEDED') return doc;
      throw new StatesError('States.TaskFailed', JSON.stringify(doc));
    }
    job.statusReason = failed.length ? 'Array Child Job failed' : undefined;
    const doc = { ...description, Status: job.status, ...(job.statusReason ? { StatusReason: job.statusReason } : {}), ArrayProperties: { Size: job.size, StatusSummary: this.summary(job) } };
    if (job.status === 'SUCCEEDED') return doc;
    throw new StatesError('States.TaskFailed', JSON.stringify(doc));
  }

  summary(job) {
    const s = { SUBMITTED: 0, PENDING: 0, RUNNABLE: 0, STARTING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 };
    for (const c of job.children) s[c.status]++;
    return s;
  }

  terminate(job, reason) {
    job.terminated = true;
    for (const c of job.children) {
      if (c.status === 'RUNNABLE') {
        c.status = 'FAILED';
        c.statusReason = reason;
      }
    }
    for (const controller of job.controllers) controller.abort();
  }

  describeJobs(args) {
    const out = [];
    for (const id of args.Jobs ?? []) {
      const job = this.jobs.get(id);
      if (!job) continue;
      out.push({
        JobId: job.jobId,
        JobName: job.name,
        JobQueue: job.queue,
        Status: job.status,
        ...(job.statusReason ? { StatusReason: job.statusReason } : {}),
        ...(job.size !== undefined ? { ArrayProperties: { Size: job.size, StatusSummary: this.summary(job) } } : {}),
      });
    }
    return { Jobs: out };
  }

  listJobs(args) {
    if (args.Filters) {
      // With a filter, Batch ignores JobStatus and returns jobs of every status.
      const names = args.Filters.filter((f) => f.Name === 'JOB_NAME').flatMap((f) => f.Values);
      if (names.length !== args.Filters.length) throw new StatesError('Batch.ClientException', 'local Batch implements only the JOB_NAME filter');
      return {
        JobSummaryList: [...this.jobs.values()]
          .filter((j) => j.queue === args.JobQueue && names.some((n) => globMatches(n, j.name)))
          .map((j) => ({ JobId: j.jobId, JobName: j.name, CreatedAt: j.createdAt, Status: j.status })),
      };
    }
    if (args.ArrayJobId) {
      const job = this.jobs.get(args.ArrayJobId);
      const children = (job?.children ?? []).filter((c) => !args.JobStatus || c.status === args.JobStatus);
      return {
        JobSummaryList: children.slice(0, args.MaxResults ?? 100)
          .map((c) => ({ JobId: `${job.jobId}:${c.index}`, Status: c.status, StatusReason: c.statusReason, ArrayProperties: { Index: c.index } })),
      };
    }
    return { JobSummaryList: [...this.jobs.values()].filter((j) => j.queue === args.JobQueue && (!args.JobStatus || j.status === args.JobStatus)).map((j) => ({ JobId: j.jobId, JobName: j.name, Status: j.status })) };
  }

  cancelJob(args) {
    if (typeof args.Reason !== 'string') throw new StatesError('Batch.ClientException', 'CancelJob needs a reason');
    const job = this.jobs.get(args.JobId);
    if (!job) throw new StatesError('Batch.ClientException', `job ${args.JobId} not found`);
    this.cancelled.push([args.JobId, args.Reason]);
    for (const c of job.children) {
      if (c.status === 'RUNNABLE') {
        c.status = 'FAILED';
        c.statusReason = args.Reason;
      }
    }
    return {};
  }
}

/**
 * Runs each attempt as a real process: `entrypoint` + the job's command, with the job
 * definition's environment (plus what Batch adds) and nothing else of this process's, as
 * `uid`/`gid` when given (the image's USER). A process killed by a signal reports exit code
 * 128 + n, as a container does (kill -9: 137). `onSpawn(child, info)` sees each process.
 */
function spawnRunner({ entrypoint, cwd, uid, gid, baseEnv = {}, onSpawn, log }) {
  const signals = os.constants.signals;
  return ({ command, environment, signal, jobName, index, attempt }) => new Promise((resolve) => {
    const child = spawn(entrypoint[0], [...entrypoint.slice(1), ...command], {
      cwd,
      env: { ...baseEnv, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
    });
    onSpawn?.(child, { jobName, index, attempt });
    const tag = `${jobName}${index === undefined ? '' : `[${index}]`}#${attempt}`;
    child.stdout.on('data', (d) => log?.(tag, d.toString()));
    child.stderr.on('data', (d) => log?.(tag, d.toString()));
    const onAbort = () => child.kill('SIGTERM');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => resolve({ exitCode: 127, reason: `CannotStartContainerError: ${e.message}` }));
    child.on('close', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(sig ? { exitCode: 128 + signals[sig], reason: `killed by ${sig}` } : { exitCode: code });
    });
  });
}

module.exports = { LocalBatch, spawnRunner, batchDecision, globMatches };
