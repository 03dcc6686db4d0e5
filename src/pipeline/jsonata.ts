import type { RollupCostRates } from './definition';
/**
 * The JSONata expressions of the analysis state machine (`definition.ts`), each a `{% ... %}`
 * string. They are written multi-line for reading; `buildDefinition` puts each on one line.
 *
 * @internal
 */

/**
 * Status reasons that mean "Spot took the capacity away", not "the analysis failed": EC2 Spot
 * (`Host EC2 (instance i-...) terminated.`), Fargate Spot (`Your Spot Task was interrupted.`,
 * the status reason ECS gives a reclaimed Fargate Spot task), a job cancelled by the Spot
 * queue's EC2 wait limit (`CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY`), and a job cancelled by the
 * state machine's own Spot wait timer (`SPOT_WAIT_CANCEL_REASON` of `definition.ts`).
 * @internal
 */
export const SPOT_LOSS_PATTERN = 'Host EC2|Your Spot Task was interrupted|CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY|Spot capacity wait exceeded';

/** An empty string, written as an expression (asl-validator's schema rejects literal empty strings). */
export const EMPTY = "{% '' %}";

const ID = '/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/';
const INPUT_FIELDS = ['schemaVersion', 'analysisId', 'sampleId', 'ownerId', 'manifestKey', 'fileCount', 'filesPerTask', 'attempt'];

/** `'<Error>: <status reason or cause>'` of a caught error, at most 1000 characters. */
export const CAUSE_OF_ERROR = `{% (
  $e := $states.errorOutput;
  $c := $type($e.Cause) = 'string' ? $e.Cause : '';
  $j := $substring($c, 0, 1) = '{' ? $parse($c) : {};
  $r := $type($j.StatusReason) = 'string' ? $j.StatusReason : $c;
  $substring($e.Error & ($r = '' ? '' : ': ' & $r), 0, 1000)
) %}`;

/** `CAUSE_OF_ERROR` without its `{% %}`, to use inside a larger expression. */
const CAUSE_OF_ERROR_BODY = CAUSE_OF_ERROR.slice(3, -3);

/** The roll-up's failure, with the cause of what failed before it. */
export const ROLLUP_FAILED_CAUSE = `{% 'roll-up failed: ' & ${CAUSE_OF_ERROR_BODY} & ($cause = '' ? '' : ' (after: ' & $cause & ')') %}`;

/** The roll-up summary could not be read back. */
export const SUMMARY_UNREADABLE_CAUSE = `{% 'roll-up summary unreadable: ' & ${CAUSE_OF_ERROR_BODY} %}`;

/** True when a caught error of a single (non-array) job says that Spot took the capacity away. */
export const SPOT_LOST_IN_ERROR = `{% $type($states.errorOutput.Cause) = 'string' and $contains($states.errorOutput.Cause, /${SPOT_LOSS_PATTERN}/) %}`;

/** The job id inside the cause of a failed `.sync` job (its job description as JSON), or ''. */
export const JOB_ID_IN_ERROR = `{% (
  $c := $type($states.errorOutput.Cause) = 'string' ? $states.errorOutput.Cause : '';
  $j := $substring($c, 0, 1) = '{' ? $parse($c) : {};
  $type($j.JobId) = 'string' ? $j.JobId : ''
) %}`;

/** True when a failed child of the array job listed by `listJobs` lost its capacity to Spot. */
export const SPOT_LOST_IN_CHILDREN = `{% $count($states.result.JobSummaryList[$type(StatusReason) = 'string' and $contains(StatusReason, /${SPOT_LOSS_PATTERN}/)]) > 0 %}`;

/** The problems of the execution input (its schema and the execution name); empty when valid. */
export function validationProblems(): string {
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
export function batchCommand(manifestUrl: string, resultsUrl: string, filesPerTask: string, executionName: string): string {
  return `{% ['batch', '--manifest', ${manifestUrl}, '--output', ${resultsUrl} & 'files/', '--files-per-task', $string(${filesPerTask}), '--execution-name', ${executionName}] %}`;
}

/** The roll-up's command: with rates, priced at Fargate Spot, or on-demand once escalated. */
export function rollupCommand(cost: RollupCostRates | undefined): string {
  const base = "'rollup', '--manifest', $manifestUrl, '--results', $resultsUrl, '--execution-name', $executionName";
  const c = cost;
  if (!c) return `{% [${base}] %}`;
  const n = (x: number | string) => `'${String(x)}'`;
  return `{% [${base}, '--task-vcpu', ${n(c.vcpu)}, '--task-memory-gib', ${n(c.memoryGib)}, ` +
    `'--vcpu-hour-usd', $escalated ? ${n(c.onDemandVcpuHourUsd)} : ${n(c.spotVcpuHourUsd)}, ` +
    `'--gb-hour-usd', $escalated ? ${n(c.onDemandGbHourUsd)} : ${n(c.spotGbHourUsd)}, ` +
    `'--price-source', $escalated ? ${n(c.source + ', Fargate on-demand (escalated)')} : ${n(c.source + ', Fargate Spot')}] %}`;
}

/** Work of the described job (`describeJobs`; an array job by its status summary) still waiting. */
export const JOB_WAITING = `{% (
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.SUBMITTED, $s.PENDING, $s.RUNNABLE][$type($) = 'number'])
    : ($j.Status in ['SUBMITTED', 'PENDING', 'RUNNABLE'] ? 1 : 0)
) %}`;

/** Work of the described job running now. */
export const JOB_RUNNING = `{% (
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.STARTING, $s.RUNNING][$type($) = 'number']) : ($j.Status in ['STARTING', 'RUNNING'] ? 1 : 0)
) %}`;

/** Work of the described job that has started, running or not. */
export const JOB_STARTED = `{% (
  $j := $states.result.Jobs[0];
  $s := $j.ArrayProperties.StatusSummary;
  $exists($s) ? $sum([$s.STARTING, $s.RUNNING, $s.SUCCEEDED, $s.FAILED][$type($) = 'number'])
    : ($j.Status in ['STARTING', 'RUNNING', 'SUCCEEDED', 'FAILED'] ? 1 : 0)
) %}`;

/** The id of the newest job `listJobs` returned, or ''. */
export const NEWEST_JOB_ID = `{% (
  $jobs := $states.result.JobSummaryList;
  $count($jobs) = 0 ? '' : $sort($jobs, function($a, $b) { $a.CreatedAt < $b.CreatedAt })[0].JobId
) %}`;

/** The Distributed Map's cause: how many chunks failed and the first one's cause. */
export const CHUNKS_CAUSE = `{% (
  $failed := $states.result[failed = true];
  $count($failed) = 0 ? $cause : $string($count($failed)) & ' of ' & $string($count($states.result)) & ' chunks failed; first: ' & $failed[0].cause
) %}`;

/** The roll-up summary's counters, parsed from the head of the object read by `getObject`. */
export const SUMMARY_HEAD = `{% (
  $body := $states.result.Body;
  $head := $contains($body, '"files"') ? $substringBefore($body, '"files"') : $body;
  $parse($replace($head, /,\\s*$/, '') & '}')
) %}`;

/** True when the roll-up summary is this execution's and has the counters the event needs. */
export const SUMMARY_MATCHES = "{% $summary.analysisId = $analysisId and $summary.executionName = $executionName and $summary.status in ['SUCCEEDED', 'PARTIAL', 'FAILED'] and $type($summary.filesSucceeded) = 'number' and $type($summary.filesFailed) = 'number' %}";

/** The detail of the completion event (contracts/schemas/completion-event.v2.schema.json). */
export const COMPLETION_DETAIL = `{% $merge([
  {'schemaVersion': 2, 'analysisId': $analysisId, 'sampleId': $sampleId, 'ownerId': $ownerId, 'executionName': $executionName,
   'status': $status, 'filesSucceeded': $filesSucceeded, 'filesFailed': $filesFailed, 'summaryKey': $summaryKey},
  $exists($summary.rerunOf) ? {'rerunOf': $summary.rerunOf} : {},
  $type($summary.cost.estimatedCostUsd) = 'number' ? {'estimatedCostUsd': $summary.cost.estimatedCostUsd} : {},
  ($status != 'SUCCEEDED' and $cause != '') ? {'cause': $substring($cause, 0, 2000)} : {}
]) %}`;

/** The output of a completed execution. */
export const ANALYSIS_OUTPUT = `{% $merge([
  {'analysisId': $analysisId, 'sampleId': $sampleId, 'status': $status, 'filesSucceeded': $filesSucceeded,
   'filesFailed': $filesFailed, 'summaryKey': $summaryKey, 'escalatedToOnDemand': $escalated},
  $cause != '' ? {'cause': $cause} : {}
]) %}`;
