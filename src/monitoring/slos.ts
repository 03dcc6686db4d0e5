import { Annotations, aws_cloudwatch as cloudwatch, aws_elasticloadbalancingv2 as elbv2, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PageGroup, runbook } from './alarm-router';
import { BurnRateWindow, PlatformMonitoringProps } from './platform-monitoring-props';
import { CompletionMetrics } from './watch/analyses';
import { WatchContext } from './watch/context';

/** The SLO targets, in percent, when the props give none. */
export const DEFAULT_SLO_TARGETS = { apiAvailability: 99.9, apiLatency: 95, analysisSuccess: 99 };

/** A ratio SLO: the fraction of bad events, with burn-rate alerts on its error budget. */
interface RatioSlo {
  readonly id: string;
  readonly title: string;
  readonly anchor: string;
  readonly group: PageGroup;
  /** Target in percent. */
  readonly target: number;
  /** The fraction of bad events over `period` (a metric-math expression). */
  readonly badFraction: (period: Duration) => cloudwatch.IMetric;
}

type SloProps = Pick<PlatformMonitoringProps, 'loadBalancer' | 'apiTargetGroup' | 'stateMachine' | 'apiAvailabilityTarget'
| 'apiLatencyThreshold' | 'apiLatencyTarget' | 'analysisSuccessTarget' | 'timeToResultPer100Files'>;

/**
 * The SLOs: API availability, API latency and analysis success as ratio SLIs with burn-rate
 * alerts, and time to result as a threshold (ticket).
 * @param completions the completion events' file counts, when the analyses are watched
 */
export function watchSlos(ctx: WatchContext, props: SloProps, windows: BurnRateWindow[], completions?: CompletionMetrics): void {
  const slos: RatioSlo[] = [];
  const lb = props.loadBalancer;
  const tg = props.apiTargetGroup;
  if (lb || tg) {
    const source = tg ? tg.metrics : lb!.metrics;
    const minimum = ctx.thresholds.minimumRequests;
    slos.push({
      id: 'ApiAvailability',
      title: 'API availability',
      anchor: 'slo-api-availability',
      group: 'Api',
      target: props.apiAvailabilityTarget ?? DEFAULT_SLO_TARGETS.apiAvailability,
      badFraction: (period) => new cloudwatch.MathExpression({
        label: 'API 5xx fraction',
        expression: `IF(FILL(r, 0) >= ${minimum}, FILL(e, 0) / r, 0)`,
        usingMetrics: {
          e: source.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum', period }),
          r: source.requestCount({ statistic: 'Sum', period }),
        },
        period,
      }),
    });
    const threshold = (props.apiLatencyThreshold ?? Duration.millis(300)).toMilliseconds() / 1000;
    slos.push({
      id: 'ApiLatency',
      title: `API requests under ${threshold * 1000} ms`,
      anchor: 'slo-api-latency',
      group: 'Api',
      target: props.apiLatencyTarget ?? DEFAULT_SLO_TARGETS.apiLatency,
      badFraction: (period) => new cloudwatch.MathExpression({
        label: `API fraction slower than ${threshold} s`,
        // PR(0:x) is the percentage of requests whose response time is at most x seconds.
        expression: `IF(FILL(r, 0) >= ${minimum}, 1 - FILL(p, 100) / 100, 0)`,
        usingMetrics: {
          p: source.targetResponseTime({ statistic: cloudwatch.Stats.percentileRank(0, threshold), period }),
          r: source.requestCount({ statistic: 'Sum', period }),
        },
        period,
      }),
    });
    if (!tg) {
      Annotations.of(ctx.scope).addInfoV2('@cdk-proteomics-platform:apiSloFromLoadBalancer',
        'No apiTargetGroup: the API SLOs count every request through the load balancer, web pages included.');
    }
  }
  if (props.stateMachine && completions) {
    slos.push({
      id: 'AnalysisSuccess',
      title: 'Files analysed successfully',
      anchor: 'slo-analysis-success',
      group: 'Analyses',
      target: props.analysisSuccessTarget ?? DEFAULT_SLO_TARGETS.analysisSuccess,
      badFraction: (period) => new cloudwatch.MathExpression({
        label: 'Failed file fraction',
        expression: 'IF(FILL(s, 0) + FILL(f, 0) > 0, FILL(f, 0) / (FILL(s, 0) + FILL(f, 0)), 0)',
        usingMetrics: { s: completions.filesSucceeded(period), f: completions.filesFailed(period) },
        period,
      }),
    });
    // Time to result: mean execution time per 100 files over 6 hours (see the docs for why not a p95).
    const sixHours = Duration.hours(6);
    const target = props.timeToResultPer100Files ?? Duration.minutes(30);
    ctx.router.alarm(new Construct(ctx.scope, 'TimeToResultSlo'), 'Alarm', {
      metric: new cloudwatch.MathExpression({
        label: 'Seconds per 100 files',
        expression: 'IF(FILL(s, 0) + FILL(f, 0) > 0, 100 * FILL(d, 0) / 1000 / (FILL(s, 0) + FILL(f, 0)), 0)',
        usingMetrics: {
          d: props.stateMachine.metricTime({ statistic: 'Sum', period: sixHours }),
          s: completions.filesSucceeded(sixHours),
          f: completions.filesFailed(sixHours),
        },
        period: sixHours,
      }),
      threshold: target.toSeconds(),
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: `analyses took more than ${target.toHumanString()} per 100 files on average over 6 hours`,
      firstStep: 'split the time: RUNNABLE wait (Batch wait alarm) versus run time (worker); fix the larger one',
      anchor: 'slo-time-to-result',
    });
  }
  for (const slo of slos) burnRateAlerts(ctx, slo, windows);
}

/** One long and one short window alarm per burn-rate window, joined by a composite alarm. */
function burnRateAlerts(ctx: WatchContext, slo: RatioSlo, windows: BurnRateWindow[]): void {
  const { router } = ctx;
  const scope = new Construct(ctx.scope, `${slo.id}Slo`);
  const budget = (100 - slo.target) / 100;
  for (const w of windows) {
    const tier = new Construct(scope, `Burn${windowLabel(w.longWindow)}`);
    const threshold = round(w.burnRate * budget);
    const window = (id: string, period: Duration) => router.alarm(tier, id, {
      metric: slo.badFraction(period),
      threshold,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'member',
      group: slo.group,
      what: `${slo.title}: bad fraction over ${period.toHumanString()} above ${threshold} (${w.burnRate}x the budget of a ${slo.target} % SLO)`,
      firstStep: 'see the burn-rate alert',
      anchor: slo.anchor,
    });
    const long = window('Long', w.longWindow);
    const short = window('Short', w.shortWindow);
    const severity = router.severity(w.page ? 'page' : 'ticket');
    router.composite(tier, 'Alert', {
      rule: cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM),
      ),
      severity,
      group: slo.group,
      description: `${severity === 'page' ? 'PAGE' : 'TICKET'}: ${slo.title} (SLO ${slo.target} %) is burning its 30-day error budget ${w.burnRate}x too fast ` +
        `over ${w.longWindow.toHumanString()} and ${w.shortWindow.toHumanString()}. Runbook ${runbook(slo.anchor)}`,
    });
  }
}

/** The id part of a burn-rate window: `1h`, `6h`, `1d`, `90m`. */
export function windowLabel(d: Duration): string {
  const minutes = d.toMinutes();
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
