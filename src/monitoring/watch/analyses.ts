import { aws_cloudwatch as cloudwatch, aws_logs as logs, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { WatchContext } from './context';
import { COMPLETION_EVENT_DETAIL_TYPE, COMPLETION_EVENT_SOURCE } from '../../core/completion-event';
import { runbook } from '../alarm-router';
import { PlatformMonitoringProps } from '../platform-monitoring-props';

/**
 * The worker's log contract: one JSON object per line on stderr for every event worth counting,
 * `level` one of DEBUG, INFO, WARNING, ERROR, CRITICAL (upper case). Metric filters compare
 * strings case sensitively, and a JSON pattern matches JSON lines only.
 * @internal
 */
export const WORKER_ERROR_PATTERN = '{ $.level = "ERROR" || $.level = "CRITICAL" }';

/** Alarms that fire on the first occurrence in one period. */
const ONCE = { evaluationPeriods: 1, datapointsToAlarm: 1, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };

/** The state machine: failed executions (page), timeouts, throttling and completion dead letters (tickets). */
export function watchPipeline(ctx: WatchContext,
  props: Pick<PlatformMonitoringProps, 'stateMachine' | 'completionDeadLetterQueue'>): void {
  const sm = props.stateMachine;
  if (!sm) return;
  const { router } = ctx;
  const scope = new Construct(ctx.scope, 'Pipeline');
  const sum = { statistic: 'Sum', period: Duration.minutes(5) };
  router.alarm(scope, 'ExecutionsFailed', {
    ...ONCE,
    metric: sm.metricFailed(sum),
    threshold: 1,
    severity: 'page',
    group: 'Analyses',
    what: 'an analysis execution failed outright. The state machine catches file failures and still ends SUCCEEDED (status PARTIAL or FAILED in the event), so this is the pipeline itself breaking',
    firstStep: 'open the failed execution in the Step Functions console and read the failing state\'s error and cause',
    anchor: 'pipeline-failed',
  });
  router.alarm(scope, 'ExecutionsTimedOut', {
    ...ONCE,
    metric: sm.metricTimedOut(sum),
    threshold: 1,
    severity: 'ticket',
    group: 'Analyses',
    what: 'an analysis execution hit the state machine timeout',
    firstStep: 'check whether its Batch jobs waited in RUNNABLE (capacity) or ran too long (input size)',
    anchor: 'pipeline-timed-out',
  });
  router.alarm(scope, 'ExecutionsThrottled', {
    ...ONCE,
    metric: sm.metricThrottled(sum),
    threshold: 1,
    severity: 'ticket',
    group: 'Analyses',
    what: 'Step Functions throttled state transitions of the analysis state machine',
    firstStep: 'look for a burst of StartExecution calls or a retry loop; request a quota increase if the load is real',
    anchor: 'pipeline-throttled',
  });
  const dlq = props.completionDeadLetterQueue;
  if (dlq) {
    router.alarm(scope, 'CompletionDeadLetters', {
      ...ONCE,
      metric: dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: 'a completion event reached the dead-letter queue after the API failed to process it five times, so its analysis still shows RUNNING',
      firstStep: 'read the message in the dead-letter queue, fix what the API logged for it, then redrive the queue to its source',
      anchor: 'completion-dead-letters',
    });
  }
  ctx.dashboard.add('Pipeline', new cloudwatch.GraphWidget({
    title: 'Executions (left) and p95 execution time (right)',
    left: [sm.metricStarted(sum), sm.metricSucceeded(sum), sm.metricFailed(sum), sm.metricTimedOut(sum)],
    right: [sm.metricTime({ ...sum, statistic: 'p95' })],
    width: 24,
  }));
}

/**
 * The Batch job queues, from their job-state events: failed jobs, long waits (tickets) and a
 * stalled queue (page).
 */
export function watchBatch(ctx: WatchContext, props: Pick<PlatformMonitoringProps, 'jobQueues'>): void {
  const queues = props.jobQueues ?? [];
  const events = ctx.events;
  if (queues.length === 0 || !events) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Batch');
  // Batch publishes no CloudWatch metrics. Its job-state events go to the event log group,
  // where metric filters count them (and carry their timestamps): no Lambda function needed.
  events.route(scope, 'JobStateRule', {
    source: ['aws.batch'],
    detailType: ['Batch Job State Change'],
    detail: { jobQueue: queues.map((q) => q.jobQueueArn), status: ['FAILED', 'RUNNABLE', 'RUNNING'] },
  });
  const batchStatus = (status: string, extra = '') =>
    logs.FilterPattern.literal(`{ $.source = "aws.batch" && $.detail.status = "${status}"${extra} }`);
  const started = ' && $.detail.startedAt > 0 && $.detail.createdAt > 0';
  const failed = events.filter(scope, 'FailedFilter', batchStatus('FAILED'), 'BatchJobsFailed', '1');
  const runnable = events.filter(scope, 'RunnableFilter', batchStatus('RUNNABLE'), 'BatchJobsRunnable', '1');
  const starts = events.filter(scope, 'StartedFilter', batchStatus('RUNNING', started), 'BatchJobsStarted', '1');
  // Both timestamps of the same events: (sum of startedAt - sum of createdAt) / count is the
  // mean time from submission to start (mostly time in RUNNABLE) of the jobs started in a period.
  const createdAt = events.filter(scope, 'CreatedAtFilter', batchStatus('RUNNING', started), 'BatchJobCreatedAt', '$.detail.createdAt');
  const startedAt = events.filter(scope, 'StartedAtFilter', batchStatus('RUNNING', started), 'BatchJobStartedAt', '$.detail.startedAt');

  const hour = Duration.hours(1);
  router.alarm(scope, 'FailedJobs', {
    ...ONCE,
    metric: failed.metric({ statistic: 'Sum', period: hour }),
    threshold: thresholds.batchFailedJobsPerHour,
    severity: 'ticket',
    group: 'Analyses',
    what: `${thresholds.batchFailedJobsPerHour} or more Batch jobs (array children count one each) failed within an hour`,
    firstStep: 'read statusReason of the FAILED events in the event log: Spot reclaim, image pull, out of memory, or the worker exiting non-zero',
    anchor: 'batch-failed-jobs',
  });
  router.alarm(scope, 'RunnableWait', {
    metric: new cloudwatch.MathExpression({
      label: 'Mean submit-to-start time (s)',
      expression: 'IF(n > 0, (s - c) / n / 1000, 0)',
      usingMetrics: {
        s: startedAt.metric({ statistic: 'Sum', period: hour }),
        c: createdAt.metric({ statistic: 'Sum', period: hour }),
        n: startedAt.metric({ statistic: 'SampleCount', period: hour }),
      },
      period: hour,
    }),
    threshold: thresholds.batchWaitSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    severity: 'ticket',
    group: 'Analyses',
    what: `jobs that started in the last hour waited more than ${thresholds.batchWaitSeconds / 60} minutes on average between submission and start (mostly RUNNABLE)`,
    firstStep: 'check the compute environment: Spot capacity in these instance types, maxvCpus reached, or subnets out of addresses',
    anchor: 'batch-runnable-wait',
  });
  // Stalled: jobs queued and none started. Two windows, both must hold: a backlog built up over
  // the window, and no job started during its last half.
  const window = thresholds.batchStallWindow;
  const halfWindow = Duration.seconds(window.toSeconds() / 2);
  const backlog = router.alarm(scope, 'Backlog', {
    metric: new cloudwatch.MathExpression({
      label: 'Jobs entering RUNNABLE minus jobs starting',
      expression: 'FILL(r, 0) - FILL(s, 0)',
      usingMetrics: { r: runnable.metric({ statistic: 'Sum', period: window }), s: starts.metric({ statistic: 'Sum', period: window }) },
      period: window,
    }),
    threshold: 0,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    severity: 'member',
    group: 'Analyses',
    what: 'more Batch jobs entered RUNNABLE than started',
    firstStep: 'see the stalled-queue alarm',
    anchor: 'batch-stalled',
  });
  const noStarts = router.alarm(scope, 'NoJobStarted', {
    metric: starts.metric({ statistic: 'Sum', period: halfWindow }),
    threshold: 1,
    comparison: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    missing: cloudwatch.TreatMissingData.BREACHING,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    severity: 'member',
    group: 'Analyses',
    what: 'no Batch job started',
    firstStep: 'see the stalled-queue alarm',
    anchor: 'batch-stalled',
  });
  router.composite(scope, 'Stalled', {
    rule: cloudwatch.AlarmRule.allOf(
      cloudwatch.AlarmRule.fromAlarm(backlog, cloudwatch.AlarmState.ALARM),
      cloudwatch.AlarmRule.fromAlarm(noStarts, cloudwatch.AlarmState.ALARM),
    ),
    severity: 'page',
    group: 'Analyses',
    description: `Batch queue stalled: jobs entered RUNNABLE during the last ${window.toHumanString()} and none started in the last ${halfWindow.toHumanString()}. ` +
      `First: check the compute environment is VALID and ENABLED and Spot capacity exists; runbook ${runbook('batch-stalled')}`,
  });
}

/** The worker's log: application errors (ticket). */
export function watchWorker(ctx: WatchContext, props: Pick<PlatformMonitoringProps, 'workerLogGroup' | 'workerErrorPattern'>): void {
  if (!props.workerLogGroup) return;
  const { router, thresholds } = ctx;
  const scope = new Construct(ctx.scope, 'Worker');
  const errors = new logs.MetricFilter(scope, 'ErrorFilter', {
    logGroup: props.workerLogGroup,
    filterPattern: props.workerErrorPattern ?? logs.FilterPattern.literal(WORKER_ERROR_PATTERN),
    metricNamespace: ctx.metricNamespace,
    metricName: 'WorkerErrors',
    metricValue: '1',
  });
  router.alarm(scope, 'Errors', {
    ...ONCE,
    metric: errors.metric({ statistic: 'Sum', period: Duration.minutes(15) }),
    threshold: thresholds.workerErrorsPer15Minutes,
    severity: 'ticket',
    group: 'Analyses',
    what: `the worker logged ${thresholds.workerErrorsPer15Minutes} or more errors in 15 minutes`,
    firstStep: 'run a Logs Insights query on the worker log group for level ERROR or CRITICAL, counted by code, to find the dominant error',
    anchor: 'worker-errors',
  });
}

/** The file counts of the analyses' completion events, for the analysis SLOs. */
export interface CompletionMetrics {
  /** Files analysed successfully (sum over `period`). */
  filesSucceeded(period: Duration): cloudwatch.IMetric;
  /** Files that failed (sum over `period`). */
  filesFailed(period: Duration): cloudwatch.IMetric;
}

/**
 * The analyses, from their completion events: an analysis whose files all failed (ticket); the
 * file counts feed the analysis SLOs.
 */
export function watchCompletions(ctx: WatchContext, props: Pick<PlatformMonitoringProps, 'stateMachine'>): CompletionMetrics | undefined {
  const events = ctx.events;
  if (!props.stateMachine || !events) return undefined;
  const scope = new Construct(ctx.scope, 'Analyses');
  events.route(scope, 'CompletionRule', { source: [COMPLETION_EVENT_SOURCE], detailType: [COMPLETION_EVENT_DETAIL_TYPE] });
  const completed = (field: string) =>
    logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" && $.detail.${field} >= 0 }`);
  const succeeded = events.filter(scope, 'FilesSucceededFilter', completed('filesSucceeded'), 'FilesSucceeded', '$.detail.filesSucceeded');
  const failed = events.filter(scope, 'FilesFailedFilter', completed('filesFailed'), 'FilesFailed', '$.detail.filesFailed');
  events.filter(scope, 'AnalysesCompletedFilter', logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" }`), 'AnalysesCompleted', '1');
  // An analysis whose files all failed ends its execution SUCCEEDED (only a broken pipeline
  // fails an execution and pages); the event's status says FAILED, and that opens a ticket.
  const analysesFailed = events.filter(scope, 'AnalysesFailedFilter',
    logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" && $.detail.status = "FAILED" }`), 'AnalysesFailed', '1');
  ctx.router.alarm(scope, 'AnalysesFailed', {
    ...ONCE,
    metric: analysesFailed.metric({ statistic: 'Sum', period: Duration.minutes(15) }),
    threshold: 1,
    severity: 'ticket',
    group: 'Analyses',
    what: 'every file of an analysis failed (completion event status FAILED). File failures never page: the files-analysed SLO pages when they burn its budget',
    firstStep: 'read the analysis summary\'s per-file errorCode and reason: bad input files are the owner\'s to fix, the same code on every file points at the worker or its parameters',
    anchor: 'analyses-failed',
  });
  return {
    filesSucceeded: (period) => succeeded.metric({ statistic: 'Sum', period }),
    filesFailed: (period) => failed.metric({ statistic: 'Sum', period }),
  };
}
