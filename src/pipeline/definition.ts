import {
  ANALYSIS_OUTPUT, batchCommand, CAUSE_OF_ERROR, CHUNKS_CAUSE, COMPLETION_DETAIL, EMPTY, JOB_ID_IN_ERROR, JOB_RUNNING,
  JOB_STARTED, JOB_WAITING, NEWEST_JOB_ID, ROLLUP_FAILED_CAUSE, rollupCommand, SPOT_LOST_IN_CHILDREN, SPOT_LOST_IN_ERROR,
  SUMMARY_HEAD, SUMMARY_MATCHES, SUMMARY_UNREADABLE_CAUSE, validationProblems,
} from './jsonata';
import { COMPLETION_EVENT_DETAIL_TYPE, COMPLETION_EVENT_SOURCE } from '../core/completion-event';
/**
 * The Amazon States Language definition of the analysis state machine (JSONata query language).
 *
 * Written as a plain object rather than with the CDK state classes, so that every field the
 * service sees is visible here and in the tests, and so that the array size can be computed from
 * the execution input (`$ceil(fileCount / filesPerTask)`), which JSONPath intrinsics cannot do.
 * The longer JSONata expressions are in `jsonata.ts`.
 *
 * @internal
 */

/**
 * Label of the Distributed Map's runs: child executions are named
 * `execution:<state machine>/<label>:<id>`, which the state machine role's grants name.
 */
export const CHUNKS_MAP_RUN_LABEL = 'Chunks';
/** Files per chunk manifest, and the AWS Batch array-size limit. @internal */
export const CHUNK_SIZE = 10000;
/** Bytes of the roll-up summary read back: its counters come before the per-file list. @internal */
export const SUMMARY_HEAD_BYTES = 4096;

/**
 * The reason the state machine gives Batch's CancelJob when a job waited a whole `spotWaitTimeout`
 * without any of its work running (see `watchedJob`). CancelJob's reason is what DescribeJobs
 * then reports as the job's status reason (matched by `SPOT_LOSS_PATTERN` of `jsonata.ts`).
 * @internal
 */
export const SPOT_WAIT_CANCEL_REASON = 'Spot capacity wait exceeded: cancelled by the analysis state machine';

/** The error a watched job's branch raises when the job finished (stops the watch). @internal */
export const JOB_FINISHED_ERROR = 'Pipeline.JobFinished';
/** The error the watch raises after cancelling a job that waited too long for Spot. @internal */
export const SPOT_WAIT_ERROR = 'Pipeline.SpotCapacityWait';

/** What the definition is built from (ARNs and names may be tokens). @internal */
export interface DefinitionOptions {
  readonly jobDefinitionArn: string;
  readonly spotQueueArn: string;
  /** Present when escalation to on-demand is on. */
  readonly onDemandQueueArn?: string;
  readonly uploadsBucketName: string;
  readonly resultsBucketName: string;
  readonly defaultFilesPerTask: number;
  readonly timeoutSeconds: number;
  readonly maxConcurrentChunks: number;
  /**
   * How long analysis work may wait on the Spot queue with nothing of it running before the state
   * machine cancels it and escalates (only with `onDemandQueueArn`).
   */
  readonly spotWaitSeconds: number;
  /** Task size and prices the roll-up estimates the analysis' compute cost with; none: cost is null. */
  readonly cost?: RollupCostRates;
}

/**
 * What one analysis task is and what Fargate charges for it, passed to the roll-up, which
 * writes the analysis' `cost` (contract v2) and so the completion event's `estimatedCostUsd`.
 * @internal
 */
export interface RollupCostRates {
  readonly vcpu: number;
  readonly memoryGib: number;
  readonly spotVcpuHourUsd: number;
  readonly spotGbHourUsd: number;
  readonly onDemandVcpuHourUsd: number;
  readonly onDemandGbHourUsd: number;
  /** Where the prices come from (no quotes). */
  readonly source: string;
}

type Json = any;

const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
const LIST_JOBS = 'arn:aws:states:::aws-sdk:batch:listJobs';
const DESCRIBE_JOBS = 'arn:aws:states:::aws-sdk:batch:describeJobs';
const CANCEL_JOB = 'arn:aws:states:::aws-sdk:batch:cancelJob';
const S3_GET_OBJECT = 'arn:aws:states:::aws-sdk:s3:getObject';
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

/** Retries of throttled or failed service calls, with exponential backoff and jitter. */
function throttleRetry(errors: string[]): Json {
  return { ErrorEquals: errors, IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 120, JitterStrategy: 'FULL' };
}
const BATCH_THROTTLING = ['Batch.AWSBatchException', 'Batch.ServerException', 'Batch.TooManyRequestsException'];
const BATCH_SDK_THROTTLING = ['Batch.ServerException', 'Batch.ClientException', 'Batch.TooManyRequestsException'];
const S3_THROTTLING = ['S3.S3Exception', 'S3.SdkClientException', 'S3.InternalErrorException'];
const EVENTS_THROTTLING = ['EventBridge.AmazonEventBridgeException', 'EventBridge.FailedEntry', 'States.TaskFailed'];

/** Where a caught error goes (`errors`: every error by default), with what it assigns. */
interface CatchTarget {
  readonly next: string;
  readonly errors?: string[];
  readonly comment?: string;
  readonly assign?: Json;
}
/** A Catch rule; the state's output is dropped (everything later states need is in variables). */
function catchTo(c: CatchTarget): Json {
  return {
    ErrorEquals: c.errors ?? ['States.ALL'],
    ...(c.comment ? { Comment: c.comment } : {}),
    ...(c.assign ? { Assign: c.assign } : {}),
    Output: {},
    Next: c.next,
  };
}

/** Arguments of a `batch:submitJob.sync` call. */
interface SubmitArgs { name: string; shareId: string; analysisId: string; sampleId: string; command: string; arraySize?: string }
function submitJob(o: DefinitionOptions, args: SubmitArgs): Json {
  return {
    JobName: args.name,
    JobQueue: '{% $queueArn %}',
    JobDefinition: o.jobDefinitionArn,
    ShareIdentifier: args.shareId,
    ...(args.arraySize ? { ArrayProperties: { Size: args.arraySize } } : {}),
    ContainerOverrides: { Command: args.command },
    PropagateTags: true,
    Tags: { analysisId: args.analysisId, sampleId: args.sampleId },
  };
}

/** A Batch job submitted as `.sync` (the state waits for it), retried while Batch throttles. */
interface BatchJob {
  readonly comment?: string;
  readonly job: SubmitArgs;
}
/** The Task of a `BatchJob`, without its Catch and Next. */
function batchTask(o: DefinitionOptions, j: BatchJob): Json {
  return {
    Type: 'Task',
    ...(j.comment ? { Comment: j.comment } : {}),
    Resource: BATCH_SYNC,
    Arguments: submitJob(o, j.job),
    Output: {},
    Retry: [throttleRetry(BATCH_THROTTLING)],
  };
}
/**
 * The state that runs a Batch job: every failure is caught and goes to `failed`, a finished job
 * continues at `next`. All five of the definition's jobs are built here (through `jobState` for the
 * analysis jobs, which Spot may lose).
 */
function batchJobState(o: DefinitionOptions, j: BatchJob & { readonly failed: Omit<CatchTarget, 'errors'>; readonly next: string }): Json {
  return { ...batchTask(o, j), Catch: [catchTo(j.failed)], Next: j.next };
}

/**
 * Escalation that fires on Fargate Spot, where nothing else would.
 *
 * Fargate Spot never falls back to on-demand, and a job it cannot place simply stays RUNNABLE.
 * Batch's "stuck job" detection, which the queue's `jobStateTimeLimitActions` acts on, reports
 * `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY` only for EC2 compute environments (AWS Batch User
 * Guide, "Jobs stuck in a RUNNABLE status" and "Job state time limit actions"), and a time-limit
 * action can only CANCEL a RUNNABLE job after 600 to 86,400 s with such a reason
 * (API_JobStateTimeLimitAction). So on Fargate the queue's action never fires, and the state
 * machine keeps its own timer:
 *
 * the job runs as `.sync` in one branch of a Parallel state; the other branch wakes up every
 * `spotWaitSeconds`, reads the job's progress (DescribeJobs; for an array job its
 * `arrayProperties.statusSummary`) and, when work is still waiting while none of it is running
 * and nothing started since the last look, cancels the job (CancelJob) and fails the Parallel with
 * `SPOT_WAIT_ERROR`, which the caller escalates to the on-demand queue. A job that runs slowly
 * because the queue is at its own vCPU limit always has something running, so it is never
 * cancelled. When the job finishes, its branch raises `JOB_FINISHED_ERROR` to stop the watch at
 * once (a Parallel state ends only when every branch ends).
 *
 * Transitions stay bounded: the watch looks at most `timeoutSeconds / spotWaitSeconds` times
 * (6 transitions each), per job, whatever the number of files. On the on-demand queue (after
 * escalation) the watch ends at once.
 */
function watchedJob(o: DefinitionOptions, prefix: string, submitState: Json, jobName: string): Json {
  const p = prefix;
  // Branch variables get their own names: a branch may read, but never assign, outer variables.
  const v = (name: string) => `watch${p}${name}`;
  const maxChecks = Math.max(1, Math.ceil(o.timeoutSeconds / o.spotWaitSeconds));
  const watchEnd = { next: `${p}WatchEnd` };
  return {
    Branches: [
      {
        StartAt: `${p}Submit`,
        States: {
          [`${p}Submit`]: { ...submitState, Next: `${p}Finished` },
          [`${p}Finished`]: { Type: 'Fail', Error: JOB_FINISHED_ERROR, Cause: 'the job finished: stop watching it' },
        },
      },
      {
        StartAt: `${p}WatchStart`,
        States: {
          [`${p}WatchStart`]: {
            Type: 'Choice',
            Comment: 'Only work on the Spot queue is watched.',
            Choices: [{ Condition: '{% $escalated %}', Next: `${p}WatchEnd` }],
            Default: `${p}WatchInit`,
          },
          [`${p}WatchInit`]: {
            Type: 'Pass',
            Assign: { [v('Checks')]: 0, [v('Started')]: 0, [v('JobId')]: EMPTY },
            Next: `${p}WatchWait`,
          },
          [`${p}WatchWait`]: { Type: 'Wait', Seconds: o.spotWaitSeconds, Next: `${p}WatchFind` },
          [`${p}WatchFind`]: {
            Type: 'Choice',
            Choices: [{ Condition: `{% $${v('JobId')} != '' %}`, Next: `${p}WatchDescribe` }],
            Default: `${p}WatchList`,
          },
          [`${p}WatchList`]: {
            Type: 'Task',
            Comment: 'The job this execution just submitted: the newest with its name on this queue.',
            Resource: LIST_JOBS,
            Arguments: { JobQueue: '{% $queueArn %}', Filters: [{ Name: 'JOB_NAME', Values: [jobName] }] },
            Assign: { [v('JobId')]: NEWEST_JOB_ID },
            Output: {},
            Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
            Catch: [catchTo(watchEnd)],
            Next: `${p}WatchFound`,
          },
          [`${p}WatchFound`]: {
            Type: 'Choice',
            Choices: [{ Condition: `{% $${v('JobId')} != '' %}`, Next: `${p}WatchDescribe` }],
            Default: `${p}WatchAgain`,
          },
          [`${p}WatchDescribe`]: {
            Type: 'Task',
            Resource: DESCRIBE_JOBS,
            Arguments: { Jobs: [`{% $${v('JobId')} %}`] },
            Assign: { [v('Waiting')]: JOB_WAITING, [v('Running')]: JOB_RUNNING, [v('StartedNow')]: JOB_STARTED },
            Output: {},
            Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
            Catch: [catchTo(watchEnd)],
            Next: `${p}WatchDecide`,
          },
          [`${p}WatchDecide`]: {
            Type: 'Choice',
            Choices: [
              { Condition: `{% $${v('Waiting')} = 0 %}`, Next: `${p}WatchEnd` },
              {
                Condition: `{% $${v('Running')} = 0 and $${v('StartedNow')} <= $${v('Started')} %}`,
                Next: `${p}WatchCancel`,
              },
            ],
            Default: `${p}WatchAgain`,
          },
          [`${p}WatchAgain`]: {
            Type: 'Pass',
            Assign: { [v('Checks')]: `{% $${v('Checks')} + 1 %}`, [v('Started')]: `{% $exists($${v('StartedNow')}) ? $${v('StartedNow')} : $${v('Started')} %}` },
            Next: `${p}WatchMore`,
          },
          [`${p}WatchMore`]: {
            Type: 'Choice',
            Comment: `At most ${maxChecks} looks (timeout / spotWaitTimeout): transitions stay bounded.`,
            Choices: [{ Condition: `{% $${v('Checks')} < ${maxChecks} %}`, Next: `${p}WatchWait` }],
            Default: `${p}WatchEnd`,
          },
          [`${p}WatchCancel`]: {
            Type: 'Task',
            Comment: 'Nothing of the job ran for a whole spotWaitTimeout: Spot has no capacity for it.',
            Resource: CANCEL_JOB,
            Arguments: { JobId: `{% $${v('JobId')} %}`, Reason: SPOT_WAIT_CANCEL_REASON },
            Output: {},
            Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
            Catch: [catchTo(watchEnd)],
            Next: `${p}SpotWaitExceeded`,
          },
          [`${p}SpotWaitExceeded`]: {
            Type: 'Fail',
            Error: SPOT_WAIT_ERROR,
            Cause: `${SPOT_WAIT_CANCEL_REASON} after waiting ${o.spotWaitSeconds} s with nothing running`,
          },
          [`${p}WatchEnd`]: { Type: 'Succeed' },
        },
      },
    ],
  };
}

/**
 * An analysis job (one task, an array, or a chunk's array): the Task that submits it, or, with
 * escalation on, the same Task inside a Parallel state with the Spot wait watch (`watchedJob`).
 * `finished` is where a finished job continues, `failed` where a failed one goes, `spotWait` where
 * a job cancelled by the watch goes.
 */
interface JobStateOptions extends BatchJob {
  readonly finished: string;
  readonly failed: Omit<CatchTarget, 'errors'>;
  readonly spotWait: Omit<CatchTarget, 'errors' | 'comment'>;
}
function jobState(o: DefinitionOptions, prefix: string, j: JobStateOptions): Json {
  if (o.onDemandQueueArn === undefined) {
    return batchJobState(o, { ...j, next: j.finished });
  }
  return {
    Type: 'Parallel',
    Comment: `${j.comment ? j.comment + ' ' : ''}Runs the job and, beside it, the Spot wait watch.`,
    ...watchedJob(o, prefix, batchTask(o, j), j.job.name),
    Output: {},
    Catch: [
      catchTo({ errors: [JOB_FINISHED_ERROR], next: j.finished }),
      catchTo({ errors: [SPOT_WAIT_ERROR], comment: 'Spot had no capacity for a whole spotWaitTimeout.', ...j.spotWait }),
      catchTo(j.failed),
    ],
    Next: j.finished,
  };
}

/**
 * With escalation on: why a job failed, and, when Spot lost it (reclaimed until its retries ran
 * out, or left it waiting), the one move of its work to the on-demand queue. The analysis and
 * each chunk have their own copy, named with `prefix`.
 */
interface SpotEscalation {
  readonly prefix: string;
  /** Where failed work goes when Spot is not to blame or the work already ran on-demand. */
  readonly failed: string;
  /** The state that runs the work again (on the on-demand queue). */
  readonly rerun: string;
  readonly classifyComment?: string;
  readonly escalateComment: string;
  /** Escalating forgets the cause of the Spot failure. */
  readonly clearCause: boolean;
}
function spotEscalationStates(o: DefinitionOptions, e: SpotEscalation): Json {
  const p = e.prefix;
  return {
    [`${p}FindSpotLosses`]: {
      Type: 'Task',
      Comment: 'A failed array job does not say why its children failed: list them.',
      Resource: LIST_JOBS,
      Arguments: { ArrayJobId: '{% $arrayJobId %}', JobStatus: 'FAILED', MaxResults: 1000 },
      Assign: { spotLost: SPOT_LOST_IN_CHILDREN },
      Output: {},
      Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
      Catch: [catchTo({ next: e.failed })],
      Next: `${p}ClassifyFailure`,
    },
    [`${p}ClassifyFailure`]: {
      Type: 'Choice',
      ...(e.classifyComment ? { Comment: e.classifyComment } : {}),
      Choices: [{ Condition: '{% $spotLost and $not($escalated) %}', Next: `${p}EscalateToOnDemand` }],
      Default: e.failed,
    },
    [`${p}EscalateToOnDemand`]: {
      Type: 'Pass',
      Comment: e.escalateComment,
      Assign: { escalated: true, queueArn: o.onDemandQueueArn, spotLost: false, ...(e.clearCause ? { cause: EMPTY } : {}) },
      Next: e.rerun,
    },
  };
}

/** The states that run one chunk (a child workflow of the Distributed Map). */
function chunkStates(o: DefinitionOptions): Json {
  const escalate = o.onDemandQueueArn !== undefined;
  const states: Json = {
    ChunkPrepare: {
      Type: 'Pass',
      Comment: 'Chunk references come from ItemSelector; the chunk starts on the Spot queue.',
      Assign: { chunk: '{% $states.input %}', queueArn: o.spotQueueArn, escalated: false, spotLost: false, cause: EMPTY, arrayJobId: EMPTY },
      Next: 'AnalyseChunk',
    },
    AnalyseChunk: jobState(o, 'Chunk', {
      comment: 'One array job over the chunk manifest (at most 10,000 files).',
      job: {
        name: "{% $chunk.analysisId & '-chunk-' & $string($chunk.chunkIndex) %}",
        shareId: '{% $chunk.shareId %}',
        analysisId: '{% $chunk.analysisId %}',
        sampleId: '{% $chunk.sampleId %}',
        command: batchCommand('$chunk.manifestUrl', '$chunk.resultsUrl', '$chunk.filesPerTask', '$chunk.executionName'),
        arraySize: '{% $chunk.arraySize %}',
      },
      finished: 'ChunkDone',
      failed: { assign: { cause: CAUSE_OF_ERROR, arrayJobId: JOB_ID_IN_ERROR }, next: escalate ? 'ChunkFindSpotLosses' : 'ChunkFailed' },
      spotWait: { assign: { cause: CAUSE_OF_ERROR, spotLost: true }, next: 'ChunkClassifyFailure' },
    }),
    ChunkFailed: {
      Type: 'Pass',
      Comment: 'Files of this chunk without a result are reported FAILED by the roll-up.',
      Output: "{% {'chunkIndex': $chunk.chunkIndex, 'failed': true, 'escalated': $escalated, 'cause': $cause} %}",
      End: true,
    },
    ChunkDone: {
      Type: 'Pass',
      Output: "{% {'chunkIndex': $chunk.chunkIndex, 'failed': false, 'escalated': $escalated, 'cause': ''} %}",
      End: true,
    },
  };
  if (escalate) {
    Object.assign(states, spotEscalationStates(o, {
      prefix: 'Chunk',
      failed: 'ChunkFailed',
      rerun: 'AnalyseChunk',
      escalateComment: 'Spot lost this chunk: run it again on the on-demand queue, once.',
      clearCause: false,
    }));
  }
  return states;
}

/**
 * Builds the state machine definition.
 * @internal
 */
export function buildDefinition(o: DefinitionOptions): Json {
  const escalate = o.onDemandQueueArn !== undefined;
  const uploads = `s3://${o.uploadsBucketName}/`;
  const results = `s3://${o.resultsBucketName}/analyses/`;
  // Fair share and tags of every job of the analysis.
  const tags = { analysisId: '{% $analysisId %}', sampleId: '{% $sampleId %}', shareId: '{% $shareId %}' };
  const analyseJob = (arraySize?: string): SubmitArgs => ({
    name: "{% $analysisId & '-analyse' %}",
    ...tags,
    command: batchCommand('$manifestUrl', '$resultsUrl', '$filesPerTask', '$executionName'),
    ...(arraySize ? { arraySize } : {}),
  });

  const states: Json = {
    CheckInput: {
      Type: 'Pass',
      Comment: 'Checks the execution input against contracts/schemas/execution-input.v1.schema.json and the execution name.',
      Assign: { problems: validationProblems() },
      Next: 'ValidateInput',
    },
    ValidateInput: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $count($problems) > 0 %}', Next: 'InputRejected' }],
      Default: 'Prepare',
    },
    InputRejected: {
      Type: 'Fail',
      Error: 'InvalidInput',
      Cause: "{% 'Execution input rejected: ' & $join($problems, '; ') %}",
    },
    Prepare: {
      Type: 'Pass',
      Comment: 'Everything later states need, computed once. Fair-share identifiers are alphanumeric: the owner id without - and _.',
      Assign: {
        analysisId: '{% $states.input.analysisId %}',
        sampleId: '{% $states.input.sampleId %}',
        ownerId: '{% $states.input.ownerId %}',
        fileCount: '{% $states.input.fileCount %}',
        filesPerTask: `{% $exists($states.input.filesPerTask) ? $states.input.filesPerTask : ${o.defaultFilesPerTask} %}`,
        taskCount: `{% $ceil($states.input.fileCount / ($exists($states.input.filesPerTask) ? $states.input.filesPerTask : ${o.defaultFilesPerTask})) %}`,
        manifestUrl: `{% '${uploads}' & $states.input.manifestKey %}`,
        resultsUrl: `{% '${results}' & $states.input.analysisId & '/' %}`,
        summaryKey: "{% 'analyses/' & $states.input.analysisId & '/summary.json' %}",
        // Recorded by the worker in every result document; the roll-up counts only this execution's files.
        executionName: '{% $states.context.Execution.Name %}',
        summary: '{% {} %}',
        shareId: "{% $replace($states.input.ownerId, /[^A-Za-z0-9]/, '') %}",
        queueArn: o.spotQueueArn,
        escalated: false,
        spotLost: false,
        arrayJobId: EMPTY,
        cause: EMPTY,
        pipelineFailed: false,
      },
      Next: 'ChooseFanOut',
    },
    ChooseFanOut: {
      Type: 'Choice',
      Comment: `One task: a plain job. Up to ${CHUNK_SIZE} tasks: one array job. More: chunk manifests, then one array job per chunk.`,
      Choices: [
        { Condition: '{% $taskCount = 1 %}', Next: 'AnalyseOneTask' },
        { Condition: `{% $taskCount <= ${CHUNK_SIZE} %}`, Next: 'AnalyseArray' },
      ],
      Default: 'WriteChunkManifests',
    },
    AnalyseOneTask: jobState(o, 'OneTask', {
      job: analyseJob(),
      finished: 'RollUp',
      failed: {
        comment: 'A failed file fails the job: record why and still roll up.',
        assign: { cause: CAUSE_OF_ERROR, spotLost: SPOT_LOST_IN_ERROR },
        next: escalate ? 'ClassifyFailure' : 'RollUp',
      },
      spotWait: { assign: { cause: CAUSE_OF_ERROR, spotLost: true }, next: 'ClassifyFailure' },
    }),
    AnalyseArray: jobState(o, 'Array', {
      job: analyseJob('{% $taskCount %}'),
      finished: 'RollUp',
      failed: {
        comment: 'One failed child fails the array job: record why and still roll up.',
        assign: { cause: CAUSE_OF_ERROR, arrayJobId: JOB_ID_IN_ERROR },
        next: escalate ? 'FindSpotLosses' : 'RollUp',
      },
      spotWait: { assign: { cause: CAUSE_OF_ERROR, spotLost: true }, next: 'ClassifyFailure' },
    }),
    WriteChunkManifests: batchJobState(o, {
      comment: `Writes manifests/<analysisId>/chunk-<n>.json of at most ${CHUNK_SIZE} files each.`,
      job: {
        name: "{% $analysisId & '-chunk' %}",
        ...tags,
        command: `{% ['chunk', '--manifest', $manifestUrl, '--chunk-size', '${CHUNK_SIZE}'] %}`,
      },
      failed: { assign: { cause: CAUSE_OF_ERROR }, next: 'RollUp' },
      next: 'AnalyseChunks',
    }),
    AnalyseChunks: {
      Type: 'Map',
      Comment: 'Items are chunk indexes only (a few bytes each), never file lists.',
      Items: `{% [0..($ceil($fileCount / ${CHUNK_SIZE}) - 1)] %}`,
      ItemSelector: {
        chunkIndex: '{% $states.context.Map.Item.Value %}',
        analysisId: '{% $analysisId %}',
        sampleId: '{% $sampleId %}',
        shareId: '{% $shareId %}',
        manifestUrl: `{% '${uploads}manifests/' & $analysisId & '/chunk-' & $string($states.context.Map.Item.Value) & '.json' %}`,
        resultsUrl: '{% $resultsUrl %}',
        filesPerTask: '{% $filesPerTask %}',
        // A child workflow has its own execution name: the worker must record the analysis' one.
        executionName: '{% $executionName %}',
        // A chunk of one task still runs as an array of 2: the extra child finds no entry and exits 0.
        arraySize: `{% $max([2, $ceil($min([${CHUNK_SIZE}, $fileCount - $states.context.Map.Item.Value * ${CHUNK_SIZE}]) / $filesPerTask)]) %}`,
      },
      ItemProcessor: {
        ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
        StartAt: 'ChunkPrepare',
        States: chunkStates(o),
      },
      MaxConcurrency: o.maxConcurrentChunks,
      Label: CHUNKS_MAP_RUN_LABEL,
      ToleratedFailurePercentage: 100,
      Assign: {
        escalated: '{% $escalated or $count($states.result[escalated = true]) > 0 %}',
        cause: CHUNKS_CAUSE,
      },
      Output: {},
      Catch: [catchTo({ assign: { cause: CAUSE_OF_ERROR }, next: 'RollUp' })],
      Next: 'RollUp',
    },
    RollUp: batchJobState(o, {
      comment: 'Writes analyses/<analysisId>/summary.json: one status per file, SUCCEEDED, PARTIAL or FAILED overall.',
      job: { name: "{% $analysisId & '-rollup' %}", ...tags, command: rollupCommand(o.cost) },
      failed: { assign: { cause: ROLLUP_FAILED_CAUSE }, next: 'RecordFailure' },
      next: 'ReadSummary',
    }),
    ReadSummary: {
      Type: 'Task',
      Comment: `Reads the first ${SUMMARY_HEAD_BYTES} bytes of the roll-up: its counters precede the per-file list, which can be megabytes.`,
      Resource: S3_GET_OBJECT,
      Arguments: { Bucket: o.resultsBucketName, Key: '{% $summaryKey %}', Range: `bytes=0-${SUMMARY_HEAD_BYTES - 1}` },
      Assign: { summary: SUMMARY_HEAD },
      Output: {},
      Retry: [throttleRetry(S3_THROTTLING)],
      Catch: [catchTo({ assign: { cause: SUMMARY_UNREADABLE_CAUSE }, next: 'RecordFailure' })],
      Next: 'CheckSummary',
    },
    CheckSummary: {
      Type: 'Choice',
      Choices: [{
        Condition: SUMMARY_MATCHES,
        Assign: {
          status: '{% $summary.status %}',
          filesSucceeded: '{% $summary.filesSucceeded %}',
          filesFailed: '{% $summary.filesFailed %}',
        },
        Next: 'PublishCompletion',
      }],
      Default: 'SummaryInvalid',
    },
    SummaryInvalid: {
      Type: 'Pass',
      Assign: { cause: "{% 'roll-up summary does not match the analysis (analysisId, executionName, status, filesSucceeded, filesFailed)' & ($cause = '' ? '' : '; ' & $cause) %}" },
      Next: 'RecordFailure',
    },
    RecordFailure: {
      Type: 'Pass',
      Comment: 'The pipeline itself failed: every file counts as failed.',
      Assign: { status: 'FAILED', filesSucceeded: 0, filesFailed: '{% $fileCount %}', pipelineFailed: true },
      Next: 'PublishCompletion',
    },
    PublishCompletion: {
      Type: 'Task',
      Comment: 'contracts/schemas/completion-event.v2.schema.json on the default event bus.',
      Resource: PUT_EVENTS,
      Arguments: {
        Entries: [{
          Source: COMPLETION_EVENT_SOURCE,
          DetailType: COMPLETION_EVENT_DETAIL_TYPE,
          Resources: ['{% $states.context.StateMachine.Id %}'],
          Detail: COMPLETION_DETAIL,
        }],
      },
      Output: {},
      Retry: [throttleRetry(EVENTS_THROTTLING)],
      Catch: [catchTo({ assign: { cause: CAUSE_OF_ERROR }, next: 'CompletionNotPublished' })],
      Next: 'Finish',
    },
    CompletionNotPublished: {
      Type: 'Fail',
      Error: 'CompletionEventNotPublished',
      Cause: "{% 'the completion event could not be published: ' & $cause %}",
    },
    Finish: {
      Type: 'Choice',
      Comment: 'Only a broken pipeline fails the execution (and pages); failed files, even all of them, are the analysis\'s outcome.',
      Choices: [{ Condition: '{% $pipelineFailed %}', Next: 'AnalysisFailed' }],
      Default: 'AnalysisCompleted',
    },
    AnalysisCompleted: {
      Type: 'Succeed',
      Comment: 'SUCCEEDED, PARTIAL or FAILED (every file failed, each with its reason in the roll-up): the status is in the output and the completion event.',
      Output: ANALYSIS_OUTPUT,
    },
    AnalysisFailed: {
      Type: 'Fail',
      Comment: 'The roll-up failed or its summary was unreadable: the pipeline itself broke.',
      Error: 'AnalysisFailed',
      Cause: "{% ($cause = '' ? 'the pipeline failed' : $cause) & ($escalated ? ' (escalated to on-demand)' : '') %}",
    },
  };

  if (escalate) {
    Object.assign(states, spotEscalationStates(o, {
      prefix: '',
      failed: 'RollUp',
      rerun: 'ChooseFanOut',
      classifyComment: 'Spot reclaimed the work until its retries ran out, or left it waiting too long: escalate once.',
      escalateComment: 'Compute-environment order only overflows; moving work to on-demand is decided here.',
      clearCause: true,
    }));
  }

  return oneLine({
    Comment: 'cdk-proteomics-platform analysis: validate, Batch array job(s), roll-up, completion event.',
    QueryLanguage: 'JSONata',
    StartAt: 'CheckInput',
    TimeoutSeconds: o.timeoutSeconds,
    States: states,
  });
}

/** Writes every JSONata expression on one line (they are written multi-line here for reading). */
function oneLine(value: Json): Json {
  if (typeof value === 'string') return value.startsWith('{%') ? value.replace(/\s*\n\s*/g, ' ') : value;
  if (Array.isArray(value)) return value.map(oneLine);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, oneLine(v)]));
  return value;
}
