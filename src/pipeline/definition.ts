import { COMPLETION_EVENT_DETAIL_TYPE, COMPLETION_EVENT_SOURCE } from '../core/completion-event';
/**
 * The Amazon States Language definition of the analysis state machine (JSONata query language).
 *
 * Written as a plain object rather than with the CDK state classes, so that every field the
 * service sees is visible here and in the tests, and so that the array size can be computed from
 * the execution input (`$ceil(fileCount / filesPerTask)`), which JSONPath intrinsics cannot do.
 *
 * @internal
 */

/** EventBridge source of completion events. @internal */
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
 * without any of its work running (see `watchBranch`). CancelJob's reason is what DescribeJobs
 * then reports as the job's status reason.
 * @internal
 */
export const SPOT_WAIT_CANCEL_REASON = 'Spot capacity wait exceeded: cancelled by the analysis state machine';

/**
 * Status reasons that mean "Spot took the capacity away", not "the analysis failed": EC2 Spot
 * (`Host EC2 (instance i-...) terminated.`), Fargate Spot (`Your Spot Task was interrupted.`,
 * the status reason ECS gives a reclaimed Fargate Spot task), a job cancelled by the Spot
 * queue's EC2 wait limit (`CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY`), and a job cancelled by the
 * state machine's own Spot wait timer (`SPOT_WAIT_CANCEL_REASON`).
 * @internal
 */
export const SPOT_LOSS_PATTERN = 'Host EC2|Your Spot Task was interrupted|CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY|Spot capacity wait exceeded';

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

/** The roll-up's command: with rates, priced at Fargate Spot, or on-demand once escalated. */
function rollupCommand(o: DefinitionOptions): string {
  const base = "'rollup', '--manifest', $manifestUrl, '--results', $resultsUrl, '--execution-name', $executionName";
  const c = o.cost;
  if (!c) return `{% [${base}] %}`;
  const n = (x: number | string) => `'${String(x)}'`;
  return `{% [${base}, '--task-vcpu', ${n(c.vcpu)}, '--task-memory-gib', ${n(c.memoryGib)}, ` +
    `'--vcpu-hour-usd', $escalated ? ${n(c.onDemandVcpuHourUsd)} : ${n(c.spotVcpuHourUsd)}, ` +
    `'--gb-hour-usd', $escalated ? ${n(c.onDemandGbHourUsd)} : ${n(c.spotGbHourUsd)}, ` +
    `'--price-source', $escalated ? ${n(c.source + ', Fargate on-demand (escalated)')} : ${n(c.source + ', Fargate Spot')}] %}`;
}

type Json = any;

/** An empty string, written as an expression (asl-validator's schema rejects literal empty strings). */
const EMPTY = "{% '' %}";

const BATCH_SYNC = 'arn:aws:states:::batch:submitJob.sync';
const LIST_JOBS = 'arn:aws:states:::aws-sdk:batch:listJobs';
const DESCRIBE_JOBS = 'arn:aws:states:::aws-sdk:batch:describeJobs';
const CANCEL_JOB = 'arn:aws:states:::aws-sdk:batch:cancelJob';
const S3_GET_OBJECT = 'arn:aws:states:::aws-sdk:s3:getObject';
const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

const ID = '/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/';
const INPUT_FIELDS = ['schemaVersion', 'analysisId', 'sampleId', 'ownerId', 'manifestKey', 'fileCount', 'filesPerTask', 'attempt'];

/** Retries of throttled or failed service calls, with exponential backoff and jitter. */
function throttleRetry(errors: string[]): Json {
  return { ErrorEquals: errors, IntervalSeconds: 5, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 120, JitterStrategy: 'FULL' };
}
const BATCH_THROTTLING = ['Batch.AWSBatchException', 'Batch.ServerException', 'Batch.TooManyRequestsException'];
const BATCH_SDK_THROTTLING = ['Batch.ServerException', 'Batch.ClientException', 'Batch.TooManyRequestsException'];
const S3_THROTTLING = ['S3.S3Exception', 'S3.SdkClientException', 'S3.InternalErrorException'];
const EVENTS_THROTTLING = ['EventBridge.AmazonEventBridgeException', 'EventBridge.FailedEntry', 'States.TaskFailed'];

/** `'<Error>: <status reason or cause>'` of a caught error, at most 1000 characters. */
const CAUSE_OF_ERROR = `{% (
  $e := $states.errorOutput;
  $c := $type($e.Cause) = 'string' ? $e.Cause : '';
  $j := $substring($c, 0, 1) = '{' ? $parse($c) : {};
  $r := $type($j.StatusReason) = 'string' ? $j.StatusReason : $c;
  $substring($e.Error & ($r = '' ? '' : ': ' & $r), 0, 1000)
) %}`;

/** True when a caught error of a single (non-array) job says that Spot took the capacity away. */
const SPOT_LOST_IN_ERROR = `{% $type($states.errorOutput.Cause) = 'string' and $contains($states.errorOutput.Cause, /${SPOT_LOSS_PATTERN}/) %}`;

/** The job id inside the cause of a failed `.sync` job (its job description as JSON), or ''. */
const JOB_ID_IN_ERROR = `{% (
  $c := $type($states.errorOutput.Cause) = 'string' ? $states.errorOutput.Cause : '';
  $j := $substring($c, 0, 1) = '{' ? $parse($c) : {};
  $type($j.JobId) = 'string' ? $j.JobId : ''
) %}`;

/** True when a failed child of the array job listed by `listJobs` lost its capacity to Spot. */
const SPOT_LOST_IN_CHILDREN = `{% $count($states.result.JobSummaryList[$type(StatusReason) = 'string' and $contains(StatusReason, /${SPOT_LOSS_PATTERN}/)]) > 0 %}`;

function validationProblems(): string {
  const quotedFields = INPUT_FIELDS.map((f) => `'${f}'`).join(', ');
  return `{% (
  $i := $states.input;
  $isId := function($v) { $type($v) = 'string' and $contains($v, ${ID}) };
  $isInt := function($v) { $type($v) = 'number' and $v = $floor($v) };
  $isObject := $type($i) = 'object';
  $unknown := $isObject ? $keys($i)[$not($ in [${quotedFields}])] : [];
  $attempt := $exists($i.attempt) ? $i.attempt : 1;
  $append([], [
    $isObject ? '' : 'the input must be a JSON object',
    $i.schemaVersion in [1, 2] ? '' : 'schemaVersion must be 1 or 2',
    $isId($i.analysisId) ? '' : 'analysisId is missing or not an id (letters, digits, _ and -, at most 64)',
    $isId($i.sampleId) ? '' : 'sampleId is missing or not an id (letters, digits, _ and -, at most 64)',
    $isId($i.ownerId) ? '' : 'ownerId is missing or not an id (letters, digits, _ and -, at most 64)',
    ($type($i.manifestKey) = 'string' and $contains($i.manifestKey, /^manifests\\/[A-Za-z0-9][A-Za-z0-9_-]{0,63}\\.json$/)) ? '' : 'manifestKey must be manifests/<id>.json',
    ($isInt($i.fileCount) and $i.fileCount >= 1) ? '' : 'fileCount must be an integer of at least 1',
    ($not($exists($i.filesPerTask)) or ($isInt($i.filesPerTask) and $i.filesPerTask >= 1 and $i.filesPerTask <= 1000)) ? '' : 'filesPerTask must be an integer from 1 to 1000',
    ($not($exists($i.attempt)) or ($isInt($i.attempt) and $i.attempt >= 1 and $i.attempt <= 999)) ? '' : 'attempt must be an integer from 1 to 999',
    $count($unknown) = 0 ? '' : 'unknown properties: ' & $join($unknown, ', '),
    ($isId($i.analysisId) and $isInt($attempt) and $states.context.Execution.Name != $i.analysisId & '-' & $string($attempt))
      ? 'the execution must be named ' & $i.analysisId & '-' & $string($attempt) & ' (<analysisId>-<attempt>), not ' & $states.context.Execution.Name
      : ''
  ][$ != ''])
) %}`;
}

/** The worker command of one array child (or single task). */
function batchCommand(manifestUrl: string, resultsUrl: string, filesPerTask: string, executionName: string): string {
  return `{% ['batch', '--manifest', ${manifestUrl}, '--output', ${resultsUrl} & 'files/', '--files-per-task', $string(${filesPerTask}), '--execution-name', ${executionName}] %}`;
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
  const waitingOf = `(
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.SUBMITTED, $s.PENDING, $s.RUNNABLE][$type($) = 'number'])
    : ($j.Status in ['SUBMITTED', 'PENDING', 'RUNNABLE'] ? 1 : 0)
)`;
  const runningOf = `(
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.STARTING, $s.RUNNING][$type($) = 'number']) : ($j.Status in ['STARTING', 'RUNNING'] ? 1 : 0)
)`;
  const startedOf = `(
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.STARTING, $s.RUNNING, $s.SUCCEEDED, $s.FAILED][$type($) = 'number'])
    : ($j.Status in ['STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] ? 1 : 0)
)`;
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
            Assign: {
              [v('JobId')]: `{% (
  $jobs := $states.result.JobSummaryList;
  $count($jobs) = 0 ? '' : $sort($jobs, function($a, $b) { $a.CreatedAt < $b.CreatedAt })[0].JobId
) %}`,
            },
            Output: {},
            Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
            Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: `${p}WatchEnd` }],
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
            Assign: {
              [v('Waiting')]: `{% ${waitingOf} %}`,
              [v('Running')]: `{% ${runningOf} %}`,
              [v('StartedNow')]: `{% ${startedOf} %}`,
            },
            Output: {},
            Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
            Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: `${p}WatchEnd` }],
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
            Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: `${p}WatchEnd` }],
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
 * The Task that submits a Batch job as `.sync`, or, with escalation on, the same Task inside a
 * Parallel state with the Spot wait watch (`watchedJob`). `finished` is where a finished job
 * continues, `failed` where a failed one goes (with `failedAssign`), `spotWait` where a job
 * cancelled by the watch goes (with `spotWaitAssign`).
 */
interface JobStateOptions {
  readonly comment?: string;
  readonly arguments: Json;
  readonly finished: string;
  readonly failed: string;
  readonly failedComment?: string;
  readonly failedAssign: Json;
  readonly spotWait: string;
  readonly spotWaitAssign: Json;
}
function jobState(o: DefinitionOptions, prefix: string, j: JobStateOptions): Json {
  const submit = {
    Type: 'Task',
    ...(j.comment ? { Comment: j.comment } : {}),
    Resource: BATCH_SYNC,
    Arguments: j.arguments,
    Output: {},
    Retry: [throttleRetry(BATCH_THROTTLING)],
  };
  const onFailure = {
    ErrorEquals: ['States.ALL'],
    ...(j.failedComment ? { Comment: j.failedComment } : {}),
    Assign: j.failedAssign,
    Output: {},
    Next: j.failed,
  };
  if (o.onDemandQueueArn === undefined) {
    return { ...submit, Catch: [onFailure], Next: j.finished };
  }
  return {
    Type: 'Parallel',
    Comment: `${j.comment ? j.comment + ' ' : ''}Runs the job and, beside it, the Spot wait watch.`,
    ...watchedJob(o, prefix, submit, j.arguments.JobName),
    Output: {},
    Catch: [
      { ErrorEquals: [JOB_FINISHED_ERROR], Output: {}, Next: j.finished },
      { ErrorEquals: [SPOT_WAIT_ERROR], Comment: 'Spot had no capacity for a whole spotWaitTimeout.', Assign: j.spotWaitAssign, Output: {}, Next: j.spotWait },
      onFailure,
    ],
    Next: j.finished,
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
      arguments: submitJob(o, {
        name: "{% $chunk.analysisId & '-chunk-' & $string($chunk.chunkIndex) %}",
        shareId: '{% $chunk.shareId %}',
        analysisId: '{% $chunk.analysisId %}',
        sampleId: '{% $chunk.sampleId %}',
        command: batchCommand('$chunk.manifestUrl', '$chunk.resultsUrl', '$chunk.filesPerTask', '$chunk.executionName'),
        arraySize: '{% $chunk.arraySize %}',
      }),
      finished: 'ChunkDone',
      failed: escalate ? 'ChunkFindSpotLosses' : 'ChunkFailed',
      failedAssign: { cause: CAUSE_OF_ERROR, arrayJobId: JOB_ID_IN_ERROR },
      spotWait: 'ChunkClassifyFailure',
      spotWaitAssign: { cause: CAUSE_OF_ERROR, spotLost: true },
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
    states.ChunkFindSpotLosses = {
      Type: 'Task',
      Comment: 'A failed array job does not say why its children failed: list them.',
      Resource: LIST_JOBS,
      Arguments: { ArrayJobId: '{% $arrayJobId %}', JobStatus: 'FAILED', MaxResults: 1000 },
      Assign: { spotLost: SPOT_LOST_IN_CHILDREN },
      Output: {},
      Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
      Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: 'ChunkFailed' }],
      Next: 'ChunkClassifyFailure',
    };
    states.ChunkClassifyFailure = {
      Type: 'Choice',
      Choices: [{ Condition: '{% $spotLost and $not($escalated) %}', Next: 'ChunkEscalateToOnDemand' }],
      Default: 'ChunkFailed',
    };
    states.ChunkEscalateToOnDemand = {
      Type: 'Pass',
      Comment: 'Spot lost this chunk: run it again on the on-demand queue, once.',
      Assign: { escalated: true, queueArn: o.onDemandQueueArn, spotLost: false },
      Next: 'AnalyseChunk',
    };
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
  const tags = { analysisId: '{% $analysisId %}', sampleId: '{% $sampleId %}', shareId: '{% $shareId %}' };

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
      arguments: submitJob(o, {
        name: "{% $analysisId & '-analyse' %}",
        shareId: tags.shareId,
        analysisId: tags.analysisId,
        sampleId: tags.sampleId,
        command: batchCommand('$manifestUrl', '$resultsUrl', '$filesPerTask', '$executionName'),
      }),
      finished: 'RollUp',
      failed: escalate ? 'ClassifyFailure' : 'RollUp',
      failedComment: 'A failed file fails the job: record why and still roll up.',
      failedAssign: { cause: CAUSE_OF_ERROR, spotLost: SPOT_LOST_IN_ERROR },
      spotWait: 'ClassifyFailure',
      spotWaitAssign: { cause: CAUSE_OF_ERROR, spotLost: true },
    }),
    AnalyseArray: jobState(o, 'Array', {
      arguments: submitJob(o, {
        name: "{% $analysisId & '-analyse' %}",
        shareId: tags.shareId,
        analysisId: tags.analysisId,
        sampleId: tags.sampleId,
        command: batchCommand('$manifestUrl', '$resultsUrl', '$filesPerTask', '$executionName'),
        arraySize: '{% $taskCount %}',
      }),
      finished: 'RollUp',
      failed: escalate ? 'FindSpotLosses' : 'RollUp',
      failedComment: 'One failed child fails the array job: record why and still roll up.',
      failedAssign: { cause: CAUSE_OF_ERROR, arrayJobId: JOB_ID_IN_ERROR },
      spotWait: 'ClassifyFailure',
      spotWaitAssign: { cause: CAUSE_OF_ERROR, spotLost: true },
    }),
    WriteChunkManifests: {
      Type: 'Task',
      Comment: `Writes manifests/<analysisId>/chunk-<n>.json of at most ${CHUNK_SIZE} files each.`,
      Resource: BATCH_SYNC,
      Arguments: submitJob(o, {
        name: "{% $analysisId & '-chunk' %}",
        shareId: tags.shareId,
        analysisId: tags.analysisId,
        sampleId: tags.sampleId,
        command: `{% ['chunk', '--manifest', $manifestUrl, '--chunk-size', '${CHUNK_SIZE}'] %}`,
      }),
      Output: {},
      Retry: [throttleRetry(BATCH_THROTTLING)],
      Catch: [{ ErrorEquals: ['States.ALL'], Assign: { cause: CAUSE_OF_ERROR }, Output: {}, Next: 'RollUp' }],
      Next: 'AnalyseChunks',
    },
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
        cause: `{% (
  $failed := $states.result[failed = true];
  $count($failed) = 0 ? $cause : $string($count($failed)) & ' of ' & $string($count($states.result)) & ' chunks failed; first: ' & $failed[0].cause
) %}`,
      },
      Output: {},
      Catch: [{ ErrorEquals: ['States.ALL'], Assign: { cause: CAUSE_OF_ERROR }, Output: {}, Next: 'RollUp' }],
      Next: 'RollUp',
    },
    RollUp: {
      Type: 'Task',
      Comment: 'Writes analyses/<analysisId>/summary.json: one status per file, SUCCEEDED, PARTIAL or FAILED overall.',
      Resource: BATCH_SYNC,
      Arguments: submitJob(o, {
        name: "{% $analysisId & '-rollup' %}",
        shareId: tags.shareId,
        analysisId: tags.analysisId,
        sampleId: tags.sampleId,
        command: rollupCommand(o),
      }),
      Output: {},
      Retry: [throttleRetry(BATCH_THROTTLING)],
      Catch: [{
        ErrorEquals: ['States.ALL'],
        Assign: { cause: `{% 'roll-up failed: ' & ${CAUSE_OF_ERROR.slice(3, -3)} & ($cause = '' ? '' : ' (after: ' & $cause & ')') %}` },
        Output: {},
        Next: 'RecordFailure',
      }],
      Next: 'ReadSummary',
    },
    ReadSummary: {
      Type: 'Task',
      Comment: `Reads the first ${SUMMARY_HEAD_BYTES} bytes of the roll-up: its counters precede the per-file list, which can be megabytes.`,
      Resource: S3_GET_OBJECT,
      Arguments: { Bucket: o.resultsBucketName, Key: '{% $summaryKey %}', Range: `bytes=0-${SUMMARY_HEAD_BYTES - 1}` },
      Assign: {
        summary: `{% (
  $body := $states.result.Body;
  $head := $contains($body, '"files"') ? $substringBefore($body, '"files"') : $body;
  $parse($replace($head, /,\\s*$/, '') & '}')
) %}`,
      },
      Output: {},
      Retry: [throttleRetry(S3_THROTTLING)],
      Catch: [{
        ErrorEquals: ['States.ALL'],
        Assign: { cause: `{% 'roll-up summary unreadable: ' & ${CAUSE_OF_ERROR.slice(3, -3)} %}` },
        Output: {},
        Next: 'RecordFailure',
      }],
      Next: 'CheckSummary',
    },
    CheckSummary: {
      Type: 'Choice',
      Choices: [{
        Condition: "{% $summary.analysisId = $analysisId and $summary.executionName = $executionName and $summary.status in ['SUCCEEDED', 'PARTIAL', 'FAILED'] and $type($summary.filesSucceeded) = 'number' and $type($summary.filesFailed) = 'number' %}",
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
          Detail: `{% $merge([
  {'schemaVersion': 2, 'analysisId': $analysisId, 'sampleId': $sampleId, 'ownerId': $ownerId, 'executionName': $executionName,
   'status': $status, 'filesSucceeded': $filesSucceeded, 'filesFailed': $filesFailed, 'summaryKey': $summaryKey},
  $exists($summary.rerunOf) ? {'rerunOf': $summary.rerunOf} : {},
  $type($summary.cost.estimatedCostUsd) = 'number' ? {'estimatedCostUsd': $summary.cost.estimatedCostUsd} : {},
  ($status != 'SUCCEEDED' and $cause != '') ? {'cause': $substring($cause, 0, 2000)} : {}
]) %}`,
        }],
      },
      Output: {},
      Retry: [throttleRetry(EVENTS_THROTTLING)],
      Catch: [{ ErrorEquals: ['States.ALL'], Assign: { cause: CAUSE_OF_ERROR }, Output: {}, Next: 'CompletionNotPublished' }],
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
      Output: `{% $merge([
  {'analysisId': $analysisId, 'sampleId': $sampleId, 'status': $status, 'filesSucceeded': $filesSucceeded,
   'filesFailed': $filesFailed, 'summaryKey': $summaryKey, 'escalatedToOnDemand': $escalated},
  $cause != '' ? {'cause': $cause} : {}
]) %}`,
    },
    AnalysisFailed: {
      Type: 'Fail',
      Comment: 'The roll-up failed or its summary was unreadable: the pipeline itself broke.',
      Error: 'AnalysisFailed',
      Cause: "{% ($cause = '' ? 'the pipeline failed' : $cause) & ($escalated ? ' (escalated to on-demand)' : '') %}",
    },
  };

  if (escalate) {
    states.FindSpotLosses = {
      Type: 'Task',
      Comment: 'A failed array job does not say why its children failed: list them.',
      Resource: LIST_JOBS,
      Arguments: { ArrayJobId: '{% $arrayJobId %}', JobStatus: 'FAILED', MaxResults: 1000 },
      Assign: { spotLost: SPOT_LOST_IN_CHILDREN },
      Output: {},
      Retry: [throttleRetry(BATCH_SDK_THROTTLING)],
      Catch: [{ ErrorEquals: ['States.ALL'], Output: {}, Next: 'RollUp' }],
      Next: 'ClassifyFailure',
    };
    states.ClassifyFailure = {
      Type: 'Choice',
      Comment: 'Spot reclaimed the work until its retries ran out, or left it waiting too long: escalate once.',
      Choices: [{ Condition: '{% $spotLost and $not($escalated) %}', Next: 'EscalateToOnDemand' }],
      Default: 'RollUp',
    };
    states.EscalateToOnDemand = {
      Type: 'Pass',
      Comment: 'Compute-environment order only overflows; moving work to on-demand is decided here.',
      Assign: { escalated: true, queueArn: o.onDemandQueueArn, spotLost: false, cause: EMPTY },
      Next: 'ChooseFanOut',
    };
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
