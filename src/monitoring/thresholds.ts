import { Duration } from 'aws-cdk-lib';
import { BurnRateWindow } from './platform-monitoring-props';
import { PlatformStage } from '../stage/platform-stage';

/**
 * The per-stage thresholds and alarm timing of `PlatformMonitoring`. Production stages alarm
 * sooner and on smaller deviations; staging tolerates more (Spot only, a database that pauses,
 * few users) so that an alarm there still means something.
 *
 * @internal
 */
export interface StageThresholds {
  /** Period of the "fast" alarms (error rates, latency, saturation). */
  readonly period: Duration;
  /** Periods evaluated by those alarms. */
  readonly evaluationPeriods: number;
  /** Periods out of `evaluationPeriods` that must breach. */
  readonly datapointsToAlarm: number;
  /** Requests per period below which error rates are not computed (too few to mean anything). */
  readonly minimumRequests: number;
  /** CloudFront 5xx error rate, percent. */
  readonly edge5xxRatePercent: number;
  /** CloudFront origin latency p95, milliseconds. */
  readonly edgeOriginLatencyP95Ms: number;
  /** WAF blocked requests per period. */
  readonly wafBlockedRequests: number;
  /** Load balancer 5xx rate (target and ELB 5xx over requests), percent. */
  readonly alb5xxRatePercent: number;
  /** Load balancer target response time p95, seconds. */
  readonly albP95Seconds: number;
  /** Load balancer target response time p99, seconds. */
  readonly albP99Seconds: number;
  /** Pod CPU utilisation (of node capacity), percent. */
  readonly podCpuPercent: number;
  /** Pod memory utilisation (of node capacity), percent. */
  readonly podMemoryPercent: number;
  /** New container restarts per period. */
  readonly podRestarts: number;
  /** Aurora ACU utilisation (of the maximum ACU), percent. */
  readonly databaseAcuPercent: number;
  /** Aurora CPU utilisation, percent. */
  readonly databaseCpuPercent: number;
  /** Failed Batch jobs (array children count one each) per hour. */
  readonly batchFailedJobsPerHour: number;
  /** Mean time from submission to start of the Batch jobs that started in an hour, seconds. */
  readonly batchWaitSeconds: number;
  /** The window over which a Batch backlog without any job starting counts as stalled. */
  readonly batchStallWindow: Duration;
  /** S3 5xx errors per period. */
  readonly s35xxErrors: number;
  /** S3 4xx rate (of all requests), percent. */
  readonly s34xxRatePercent: number;
  /** Worker application errors per 15 minutes. */
  readonly workerErrorsPer15Minutes: number;
  /** The time range the dashboard opens with. */
  readonly dashboardInterval: Duration;
}

const PRODUCTION: StageThresholds = {
  period: Duration.minutes(1),
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
  minimumRequests: 10,
  edge5xxRatePercent: 1,
  edgeOriginLatencyP95Ms: 1000,
  wafBlockedRequests: 500,
  alb5xxRatePercent: 1,
  albP95Seconds: 0.5,
  albP99Seconds: 1.5,
  podCpuPercent: 80,
  podMemoryPercent: 80,
  podRestarts: 1,
  databaseAcuPercent: 90,
  databaseCpuPercent: 80,
  batchFailedJobsPerHour: 10,
  batchWaitSeconds: 30 * 60,
  batchStallWindow: Duration.minutes(30),
  s35xxErrors: 5,
  s34xxRatePercent: 5,
  workerErrorsPer15Minutes: 10,
  dashboardInterval: Duration.hours(3),
};

const STAGING: StageThresholds = {
  period: Duration.minutes(5),
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  minimumRequests: 10,
  edge5xxRatePercent: 5,
  edgeOriginLatencyP95Ms: 2000,
  wafBlockedRequests: 1000,
  alb5xxRatePercent: 5,
  albP95Seconds: 1,
  albP99Seconds: 3,
  podCpuPercent: 90,
  podMemoryPercent: 90,
  podRestarts: 3,
  databaseAcuPercent: 95,
  databaseCpuPercent: 90,
  batchFailedJobsPerHour: 20,
  batchWaitSeconds: 2 * 60 * 60,
  batchStallWindow: Duration.hours(2),
  s35xxErrors: 10,
  s34xxRatePercent: 10,
  workerErrorsPer15Minutes: 20,
  dashboardInterval: Duration.hours(12),
};

/** The thresholds of a stage: production ones for production stages, staging ones otherwise. @internal */
export function thresholdsFor(stage: PlatformStage): StageThresholds {
  return stage.production ? PRODUCTION : STAGING;
}

/**
 * The default multi-window burn-rate alerts (Google SRE workbook, chapter 5, for a 30-day SLO):
 * 2 % of the budget in 1 hour and 5 % in 6 hours page; 10 % in a day opens a ticket.
 * @internal
 */
export const DEFAULT_BURN_RATE_WINDOWS: BurnRateWindow[] = [
  { longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 14.4, page: true },
  { longWindow: Duration.hours(6), shortWindow: Duration.minutes(30), burnRate: 6, page: true },
  { longWindow: Duration.days(1), shortWindow: Duration.hours(2), burnRate: 3, page: false },
];

/**
 * About 80 % of Aurora PostgreSQL's `max_connections` at a maximum capacity: PostgreSQL sets it to
 * LEAST(memory / 9,531,392 bytes, 5000) and one ACU is 2 GiB.
 * @internal
 */
export function defaultConnectionsThreshold(maxAcu: number): number {
  const maxConnections = Math.min((maxAcu * 2 * 1024 ** 3) / 9_531_392, 5000);
  return Math.floor(0.8 * maxConnections);
}
