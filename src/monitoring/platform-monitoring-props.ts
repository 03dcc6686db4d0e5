import {
  aws_batch as batch,
  aws_cloudfront as cloudfront,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_rds as rds,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
  Duration,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { WebAclScope } from '../core/web-acl-scope';
import { PlatformStage } from '../stage/platform-stage';

export { WebAclScope };

/**
 * The WAF web ACL to watch.
 */
export interface WebAclMonitoringOptions {
  /**
   * The web ACL's CloudWatch metric name (`VisibilityConfig.MetricName`), which is what WAF puts in
   * the `WebACL` dimension of its metrics (not the web ACL's name).
   */
  readonly metricName: string;
  /**
   * Where the web ACL is attached.
   * @default WebAclScope.CLOUDFRONT
   */
  readonly scope?: WebAclScope;
}

/**
 * The EKS workloads whose pods are watched through Container Insights.
 *
 * The `ContainerInsights` metrics used here (`pod_cpu_utilization`, `pod_memory_utilization`,
 * `pod_number_of_container_restarts` with the `ClusterName`, `Namespace` and `PodName` dimensions)
 * exist only when the `amazon-cloudwatch-observability` EKS add-on runs in the cluster. `AppCluster`
 * installs it; for a cluster of your own, install it yourself or these alarms never leave
 * INSUFFICIENT_DATA.
 */
export interface ContainerInsightsOptions {
  /** The EKS cluster name (the `ClusterName` dimension). */
  readonly clusterName: string;
  /** The Kubernetes namespace of the workloads (the `Namespace` dimension). */
  readonly namespace: string;
  /**
   * Workload names: Container Insights reports a Deployment's pods under its name in the
   * `PodName` dimension.
   * @default ['api', 'web']
   */
  readonly workloads?: string[];
}

/**
 * A Slack channel that receives alarm notifications through AWS Chatbot. The workspace must
 * have been authorised once in the AWS Chatbot console (an OAuth step CloudFormation cannot do).
 */
export interface SlackChannelOptions {
  /** The Slack workspace id (e.g. `T0123ABCD`), from the AWS Chatbot console. */
  readonly slackWorkspaceId: string;
  /** The Slack channel id (e.g. `C0123ABCD`). */
  readonly slackChannelId: string;
  /**
   * The name of the AWS Chatbot channel configuration (unique in the account).
   * @default - derived from the construct path
   */
  readonly configurationName?: string;
}

/**
 * One window pair of a multi-window burn-rate alert.
 *
 * The alert fires when the error budget is being spent at least `burnRate` times faster than the
 * rate that would exactly exhaust it over the SLO period (30 days), measured over BOTH the long
 * window (enough budget is gone to matter) and the short window (it is still happening, so the
 * alert resets soon after a fix).
 */
export interface BurnRateWindow {
  /** The long window (1 minute to 1 day, a whole number of minutes). */
  readonly longWindow: Duration;
  /** The short window (shorter than the long one, a whole number of minutes). */
  readonly shortWindow: Duration;
  /** How many times faster than sustainable the budget is burning (e.g. 14.4 spends 2 % of a 30-day budget in 1 hour). */
  readonly burnRate: number;
  /**
   * Whether this window pages a human in a production stage. Non-production stages never page:
   * their alerts go to the ticket topic.
   * @default false
   */
  readonly page?: boolean;
}

/**
 * Props of `PlatformMonitoring`. Every monitored part is optional: what is not given is not
 * watched, so the construct can watch a whole platform or a single part.
 */
export interface PlatformMonitoringProps {
  /**
   * The stage whose thresholds and paging apply: production stages page a human for what needs
   * one and use 1-minute alarm periods; other stages never page and use 5-minute periods.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;

  /**
   * The application load balancer in front of the API and web pods.
   * @default - the load balancer is not watched
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * The API's target group, for the API availability and latency SLOs. Without it, the SLOs are
   * computed from the whole load balancer (API and web together).
   * @default - the SLOs use the load balancer's metrics
   */
  readonly apiTargetGroup?: elbv2.IApplicationTargetGroup;

  /**
   * The CloudFront distribution. CloudFront publishes its metrics in us-east-1 only and an alarm
   * cannot watch another region's metric, so its alarms are created only when this stack is in
   * us-east-1; elsewhere it appears on the dashboard only (create a second `PlatformMonitoring`
   * with just the edge parts in a us-east-1 stack for its alarms).
   * @default - the distribution is not watched
   */
  readonly distribution?: cloudfront.IDistribution;
  /**
   * Whether the distribution publishes CloudFront's additional metrics (`publishAdditionalMetrics`),
   * which is what `OriginLatency` needs. They cost extra per distribution and month.
   * @default false - no origin-latency alarm
   */
  readonly distributionAdditionalMetrics?: boolean;
  /**
   * The WAF web ACL, for a blocked-requests alarm. A CloudFront-scope web ACL has the same
   * us-east-1 restriction as the distribution.
   * @default - WAF is not watched
   */
  readonly webAcl?: WebAclMonitoringOptions;

  /**
   * The Aurora Serverless v2 cluster.
   * @default - the database is not watched
   */
  readonly database?: rds.IDatabaseCluster;
  /**
   * Alarm when the database has more connections than this.
   * @default - 80 % of PostgreSQL's max_connections at the stage's maximum ACU (about 720 in hml, 2,880 in prod)
   */
  readonly databaseConnectionsThreshold?: number;

  /**
   * The analysis state machine. Also turns on the analysis SLOs, which read the platform's
   * `Analysis Completed` events.
   * @default - the pipeline is not watched
   */
  readonly stateMachine?: sfn.IStateMachine;
  /**
   * The Batch job queues whose jobs run analyses (Spot and, in prod, on-demand). Batch has no
   * CloudWatch metrics of its own, so their `Batch Job State Change` events are written to a log
   * group and turned into metrics by metric filters.
   * @default - no Batch alarms
   */
  readonly jobQueues?: batch.IJobQueue[];
  /**
   * The dead-letter queue of the completion events the API consumes. A message there is an
   * analysis whose end the API never recorded, so it stays RUNNING in the web app until someone
   * acts: one message opens a ticket.
   * @default - no dead-letter alarm
   */
  readonly completionDeadLetterQueue?: sqs.IQueue;
  /**
   * The worker's log group: a metric filter counts application errors in it.
   * @default - worker errors are not counted
   */
  readonly workerLogGroup?: logs.ILogGroup;
  /**
   * What counts as an application error in the worker's logs.
   * @default - JSON log lines whose `level` is ERROR or CRITICAL: `{ $.level = "ERROR" || $.level = "CRITICAL" }`
   */
  readonly workerErrorPattern?: logs.IFilterPattern;

  /**
   * The buckets whose request errors are watched. S3 request metrics exist only for buckets
   * with a request-metrics configuration: one named `EntireBucket` is added to every bucket
   * created in this app (`s3.Bucket`); an imported bucket needs `bucketRequestMetricsFilterId`.
   * Request metrics are billed as custom metrics.
   * @default - no bucket is watched
   */
  readonly buckets?: s3.IBucket[];
  /**
   * The id of an existing whole-bucket request-metrics configuration on every bucket. When set,
   * none is added.
   * @default - 'EntireBucket', added to each `s3.Bucket`; imported buckets are skipped with a warning
   */
  readonly bucketRequestMetricsFilterId?: string;

  /**
   * The EKS workloads whose pod CPU, memory and restarts are watched.
   * @default - pods are not watched
   */
  readonly containerInsights?: ContainerInsightsOptions;

  /**
   * The topic that pages a human. Alarms publish to it, so if it is encrypted its key must let
   * `cloudwatch.amazonaws.com` use it.
   * @default - a topic encrypted with this construct's key
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * An e-mail address subscribed to the page topic (it must confirm the subscription).
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /**
   * An e-mail address subscribed to the ticket topic (non-urgent alarms).
   * @default - no e-mail subscription
   */
  readonly ticketEmail?: string;
  /**
   * A Slack channel that receives both pages and tickets through AWS Chatbot.
   * @default - no Slack notifications
   */
  readonly slackChannel?: SlackChannelOptions;

  /**
   * API availability SLO, in percent of requests that do not end in a 5xx from the API.
   * @default 99.9
   */
  readonly apiAvailabilityTarget?: number;
  /**
   * The latency an API request must stay under to count as fast.
   * @default Duration.millis(300)
   */
  readonly apiLatencyThreshold?: Duration;
  /**
   * API latency SLO, in percent of requests faster than `apiLatencyThreshold` (95 means
   * "p95 under the threshold").
   * @default 95
   */
  readonly apiLatencyTarget?: number;
  /**
   * Analysis success SLO, in percent of files that were analysed successfully.
   * @default 99
   */
  readonly analysisSuccessTarget?: number;
  /**
   * Time-to-result objective: mean analysis execution time per 100 files, over 6 hours.
   * @default Duration.minutes(30)
   */
  readonly timeToResultPer100Files?: Duration;
  /**
   * The multi-window burn-rate alerts of every ratio SLO.
   * @default - 1 h / 5 min at 14.4× (page), 6 h / 30 min at 6× (page), 1 day / 2 h at 3× (ticket)
   */
  readonly burnRateWindows?: BurnRateWindow[];

  /**
   * The CloudWatch namespace of the metrics this construct derives from logs and events.
   * @default - 'ProteomicsPlatform/' followed by this construct's path
   */
  readonly metricNamespace?: string;
  /**
   * Retention of the log group that keeps the Batch and analysis events.
   * @default - the stage's log retention
   */
  readonly eventLogRetention?: logs.RetentionDays;
  /**
   * Removal policy of the key and the event log group. DESTROY also needs the
   * `ALLOW_DESTROY_CONTEXT_KEY` context opt-in; without it they are retained.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
