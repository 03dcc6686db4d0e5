import {
  aws_chatbot as chatbot,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Names,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AlarmRouter } from './alarm-router';
import { DashboardSections } from './dashboard';
import { EventMetrics } from './event-metrics';
import { BurnRateWindow, PlatformMonitoringProps } from './platform-monitoring-props';
import { DEFAULT_SLO_TARGETS, watchSlos, windowLabel } from './slos';
import { DEFAULT_BURN_RATE_WINDOWS, StageThresholds, thresholdsFor } from './thresholds';
import { watchBatch, watchCompletions, watchPipeline, watchWorker } from './watch/analyses';
import { watchLoadBalancer, watchPods } from './watch/api';
import { watchBuckets } from './watch/buckets';
import { WatchContext } from './watch/context';
import { watchDatabase } from './watch/database';
import { watchEdge } from './watch/edge';
import { allowCloudWatchLogsToUseKey } from '../core/log-encryption-key';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

export { WORKER_ERROR_PATTERN } from './watch/analyses';

/**
 * Dashboard, alarms, alert routing and SLOs for the platform.
 *
 * Each part (load balancer, distribution, web ACL, database, state machine, Batch queues,
 * buckets, worker logs, EKS workloads) is optional and watched only when given. Every alarm
 * watches a metric that the given resource really publishes; Batch, which has no metrics, is
 * watched through its job-state events, turned into metrics by metric filters.
 *
 * Routing: alarms that need a human now are members of one composite alarm per area (edge, API,
 * analyses) that publishes to `alarmTopic`; the others publish to `ticketTopic`. Only production
 * stages page. Both topics are encrypted with `key`, whose policy lets CloudWatch and EventBridge
 * publish.
 *
 * SLOs: API availability, API latency and analysis success are ratio SLIs computed with metric
 * math, each with multi-window burn-rate alerts; time to result is a threshold on the mean
 * execution time per 100 files.
 *
 * @example
 * declare const loadBalancer: elbv2.IApplicationLoadBalancer;
 * declare const stateMachine: sfn.IStateMachine;
 * new PlatformMonitoring(this, 'Monitoring', {
 *   stage: PlatformStage.PROD,
 *   loadBalancer,
 *   stateMachine,
 *   alarmEmail: 'oncall@example.com',
 * });
 */
export class PlatformMonitoring extends Construct {
  /** The stage whose thresholds apply. */
  public readonly stage: PlatformStage;
  /** The CloudWatch dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** The topic that pages a human (composite alarms publish here). */
  public readonly alarmTopic: sns.ITopic;
  /** The topic of non-urgent alarms (tickets). */
  public readonly ticketTopic: sns.Topic;
  /** The customer-managed key of the topics and of the event log group. */
  public readonly key: kms.Key;
  /** Every metric alarm, including the burn-rate window alarms. */
  public readonly alarms: cloudwatch.Alarm[];
  /** Every composite alarm: burn-rate alerts and the paging alarms. */
  public readonly compositeAlarms: cloudwatch.CompositeAlarm[];
  /** The CloudWatch namespace of the metrics derived from logs and events. */
  public readonly metricNamespace: string;
  /** The log group that keeps Batch job-state and analysis completion events, when there are any. */
  public readonly eventLogGroup?: logs.LogGroup;
  /** The AWS Chatbot Slack channel configuration, when Slack is configured. */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;

  private readonly thresholds: StageThresholds;

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps = {}) {
    super(scope, id);
    this.stage = props.stage ?? PlatformStage.HML;
    this.thresholds = thresholdsFor(this.stage);
    this.metricNamespace = props.metricNamespace ?? `ProteomicsPlatform/${this.node.path.replace(/[^A-Za-z0-9._/#:-]/g, '-')}`;
    const windows = props.burnRateWindows ?? DEFAULT_BURN_RATE_WINDOWS;
    validate(this, props, windows, this.metricNamespace);
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, this.stage);

    // --- routing -------------------------------------------------------------------------
    this.key = new kms.Key(this, 'Key', {
      description: `Alarm topics and event log of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    // CloudWatch (alarm actions) and EventBridge (rule targets) publish to the encrypted topics
    // with their own service principals: without these statements synth succeeds and the
    // notifications are silently dropped.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAndEventBridgeToPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    allowCloudWatchLogsToUseKey(this.key, { sid: 'AllowLogsToEncryptTheEventLog' });
    const stack = Stack.of(this);
    this.alarmTopic = props.alarmTopic ?? new sns.Topic(this, 'AlarmTopic', {
      displayName: `Pages: ${this.stage.name} proteomics platform`,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.ticketTopic = new sns.Topic(this, 'TicketTopic', {
      displayName: `Tickets: ${this.stage.name} proteomics platform`,
      masterKey: this.key,
      enforceSSL: true,
    });
    // The enforce-SSL topic policy replaces SNS's default access policy, whose Allow let this
    // account's alarms publish: CloudWatch then needs its own Allow, or every alarm action fails
    // ("no resource-based policy allows the SNS:Publish action"). A topic given in props keeps
    // its own policy (an imported topic's policy cannot be changed here).
    for (const topic of [this.alarmTopic, this.ticketTopic]) {
      topic.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
        },
      }));
    }
    if (props.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    if (props.ticketEmail) this.ticketTopic.addSubscription(new subscriptions.EmailSubscription(props.ticketEmail));
    if (props.slackChannel) {
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: props.slackChannel.configurationName ??
          Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
        slackWorkspaceId: props.slackChannel.slackWorkspaceId,
        slackChannelId: props.slackChannel.slackChannelId,
        notificationTopics: [this.alarmTopic, this.ticketTopic],
        // What people may do from the channel: read CloudWatch, nothing else.
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }

    // --- parts: one watcher per area; the order of the calls is the order of the dashboard ---
    const needsEventLog = (props.jobQueues?.length ?? 0) > 0 || props.stateMachine !== undefined;
    if (needsEventLog) {
      this.eventLogGroup = new logs.LogGroup(this, 'EventLog', {
        encryptionKey: this.key,
        retention: props.eventLogRetention ?? this.stage.logRetention,
        removalPolicy,
      });
    }
    const dashboard = new DashboardSections();
    const router = new AlarmRouter(this, {
      stage: this.stage,
      thresholds: this.thresholds,
      alarmTopic: this.alarmTopic,
      ticketTopic: this.ticketTopic,
      dashboard,
    });
    this.alarms = router.alarms;
    this.compositeAlarms = router.compositeAlarms;
    const ctx: WatchContext = {
      scope: this,
      stage: this.stage,
      thresholds: this.thresholds,
      router,
      dashboard,
      metricNamespace: this.metricNamespace,
      events: this.eventLogGroup ? new EventMetrics(this.eventLogGroup, this.metricNamespace) : undefined,
    };
    watchEdge(ctx, props);
    watchLoadBalancer(ctx, props);
    if (props.containerInsights) watchPods(ctx, props.containerInsights);
    watchDatabase(ctx, props);
    watchPipeline(ctx, props);
    watchBatch(ctx, props);
    watchBuckets(ctx, props);
    watchWorker(ctx, props);
    const completions = watchCompletions(ctx, props);
    watchSlos(ctx, props, windows, completions);

    router.createPagingComposites();
    this.dashboard = dashboard.build(this, 'Dashboard', {
      interval: this.thresholds.dashboardInterval,
      alarmsTitle: `Alarms (${this.stage.name}): pages, tickets and SLO alerts`,
      alarms: router.notifyingAlarms(),
    });
    router.acknowledgeSilentMembers();
  }
}

function validate(scope: Construct, props: PlatformMonitoringProps, windows: BurnRateWindow[], namespace: string): void {
  const v = new PropsValidator(scope, 'PlatformMonitoring');
  const percent = (value: number | undefined, prop: string, min: number) =>
    v.checkNumber(value, prop, (n) => n >= min && n < 100, `use a percentage from ${min} to below 100 (100 leaves no error budget).`);
  percent(props.apiAvailabilityTarget, 'apiAvailabilityTarget', 50);
  percent(props.apiLatencyTarget, 'apiLatencyTarget', 50);
  percent(props.analysisSuccessTarget, 'analysisSuccessTarget', 50);
  const latency = props.apiLatencyThreshold;
  if (latency && !Token.isUnresolved(latency.toMilliseconds({ integral: false }))) {
    v.check(latency.toMilliseconds({ integral: false }) > 0, 'apiLatencyThreshold', latency, 'use a positive duration, e.g. Duration.millis(300).');
  }
  if (props.timeToResultPer100Files) {
    v.check(props.timeToResultPer100Files.toSeconds({ integral: false }) >= 1, 'timeToResultPer100Files', props.timeToResultPer100Files,
      'use at least one second, e.g. Duration.minutes(30).');
  }
  v.checkNumber(props.databaseConnectionsThreshold, 'databaseConnectionsThreshold', (n) => Number.isInteger(n) && n > 0,
    'use a positive whole number of connections.');
  v.check(windows.length > 0, 'burnRateWindows', windows, 'give at least one window, or leave it out for the defaults.');
  const budgets = [
    props.apiAvailabilityTarget ?? DEFAULT_SLO_TARGETS.apiAvailability,
    props.apiLatencyTarget ?? DEFAULT_SLO_TARGETS.apiLatency,
    props.analysisSuccessTarget ?? DEFAULT_SLO_TARGETS.analysisSuccess,
  ];
  const labels = new Set<string>();
  windows.forEach((w, i) => {
    const prop = `burnRateWindows[${i}]`;
    const long = w.longWindow.toSeconds({ integral: false });
    const short = w.shortWindow.toSeconds({ integral: false });
    v.check(long % 60 === 0 && long >= 60 && long <= 86400, `${prop}.longWindow`, w.longWindow,
      'use whole minutes from 1 minute to 1 day (a CloudWatch alarm period).');
    v.check(short % 60 === 0 && short >= 60 && short < long, `${prop}.shortWindow`, w.shortWindow,
      'use whole minutes, shorter than the long window.');
    v.check(w.burnRate > 0 && budgets.every((b) => (w.burnRate * (100 - b)) / 100 < 1), `${prop}.burnRate`, w.burnRate,
      'use a positive burn rate small enough that burnRate x error budget stays below 1 for every SLO, or the alert can never fire.');
    if (long % 60 === 0) {
      const label = windowLabel(w.longWindow);
      v.check(!labels.has(label), `${prop}.longWindow`, w.longWindow, 'give each window a different long window.');
      labels.add(label);
    }
  });
  v.check(/^[A-Za-z0-9._/#:-]{1,255}$/.test(namespace) && !namespace.startsWith('AWS/'), 'metricNamespace', namespace,
    'use up to 255 letters, digits and . _ / # : -, not starting with AWS/ (reserved for AWS services).');
  const email = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  for (const prop of ['alarmEmail', 'ticketEmail'] as const) {
    const value = props[prop];
    if (value !== undefined && !Token.isUnresolved(value)) v.check(email.test(value), prop, value, 'use an e-mail address, e.g. oncall@example.com.');
  }
  if (props.slackChannel) {
    v.check(props.slackChannel.slackWorkspaceId.length > 0, 'slackChannel.slackWorkspaceId', props.slackChannel.slackWorkspaceId,
      'use the workspace id shown in the AWS Chatbot console (e.g. T0123ABCD).');
    v.check(props.slackChannel.slackChannelId.length > 0, 'slackChannel.slackChannelId', props.slackChannel.slackChannelId,
      'use the channel id from the Slack channel details (e.g. C0123ABCD).');
  }
  if (props.containerInsights) {
    const ci = props.containerInsights;
    v.check(ci.clusterName.length > 0, 'containerInsights.clusterName', ci.clusterName, 'use the EKS cluster name.');
    v.check(ci.namespace.length > 0, 'containerInsights.namespace', ci.namespace, 'use the Kubernetes namespace of the workloads.');
    if (ci.workloads) {
      v.check(ci.workloads.length > 0 && ci.workloads.every((w) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(w)), 'containerInsights.workloads',
        ci.workloads, 'list one or more Kubernetes workload names (lowercase letters, digits and -).');
    }
  }
  v.check(!props.distributionAdditionalMetrics || props.distribution !== undefined, 'distributionAdditionalMetrics',
    props.distributionAdditionalMetrics, 'give the distribution too, or leave this out.');
  if (props.bucketRequestMetricsFilterId !== undefined) {
    v.check(/^[A-Za-z0-9._-]{1,64}$/.test(props.bucketRequestMetricsFilterId), 'bucketRequestMetricsFilterId',
      props.bucketRequestMetricsFilterId, 'use the id of the request-metrics configuration (letters, digits, . _ -).');
  }
  v.throwIfInvalid();
}
