import {
  Annotations,
  ArnFormat,
  aws_chatbot as chatbot,
  aws_cloudwatch as cloudwatch,
  aws_cloudwatch_actions as cwActions,
  aws_elasticloadbalancingv2 as elbv2,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Duration,
  Names,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  BurnRateWindow,
  ContainerInsightsOptions,
  PlatformMonitoringProps,
  WebAclScope,
} from './platform-monitoring-props';
import {
  DEFAULT_BURN_RATE_WINDOWS,
  defaultConnectionsThreshold,
  StageThresholds,
  thresholdsFor,
} from './thresholds';
import { Acknowledge } from '../compliance/acknowledge';
import { COMPLETION_EVENT_DETAIL_TYPE, COMPLETION_EVENT_SOURCE } from '../core/completion-event';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';


/**
 * The worker's log contract: one JSON object per line on stderr for every event worth counting,
 * `level` one of DEBUG, INFO, WARNING, ERROR, CRITICAL (upper case). Metric filters compare
 * strings case sensitively, and a JSON pattern matches JSON lines only.
 * @internal
 */
export const WORKER_ERROR_PATTERN = '{ $.level = "ERROR" || $.level = "CRITICAL" }';
/** The request-metrics configuration added to buckets created in this app. */
const DEFAULT_BUCKET_FILTER_ID = 'EntireBucket';
/** Where the alarm descriptions point to. */
const RUNBOOK = 'docs/operations/runbook.md';

type Severity = 'page' | 'ticket';
/** The groups of paging alarms: one composite alarm pages per group. */
type PageGroup = 'Edge' | 'Api' | 'Analyses';

interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison?: cloudwatch.ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly missing?: cloudwatch.TreatMissingData;
  readonly severity: Severity;
  readonly group: PageGroup;
  readonly what: string;
  readonly firstStep: string;
  readonly anchor: string;
}

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
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Every composite alarm: burn-rate alerts and the paging alarms. */
  public readonly compositeAlarms: cloudwatch.CompositeAlarm[] = [];
  /** The CloudWatch namespace of the metrics derived from logs and events. */
  public readonly metricNamespace: string;
  /** The log group that keeps Batch job-state and analysis completion events, when there are any. */
  public readonly eventLogGroup?: logs.LogGroup;
  /** The AWS Chatbot Slack channel configuration, when Slack is configured. */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;

  private readonly t: StageThresholds;
  private readonly pages = new Map<PageGroup, cloudwatch.IAlarm[]>();
  private readonly silentMembers: cloudwatch.Alarm[] = [];
  private readonly sections: { id: string; title: string; widgets: cloudwatch.IWidget[] }[] = [];
  private readonly eventRules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: PlatformMonitoringProps = {}) {
    super(scope, id);
    this.stage = props.stage ?? PlatformStage.HML;
    this.t = thresholdsFor(this.stage);
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
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowLogsToEncryptTheEventLog',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` },
      },
    }));
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

    // --- parts ---------------------------------------------------------------------------
    const needsEventLog = (props.jobQueues?.length ?? 0) > 0 || props.stateMachine !== undefined;
    if (needsEventLog) {
      this.eventLogGroup = new logs.LogGroup(this, 'EventLog', {
        encryptionKey: this.key,
        retention: props.eventLogRetention ?? this.stage.logRetention,
        removalPolicy,
      });
    }
    this.watchEdge(props);
    this.watchLoadBalancer(props);
    if (props.containerInsights) this.watchPods(props.containerInsights);
    this.watchDatabase(props);
    this.watchPipeline(props);
    this.watchBatch(props);
    this.watchBuckets(props);
    this.watchWorker(props);
    this.watchSlos(props, windows);
    if (this.eventLogGroup && this.eventRules.length > 0) {
      // EventBridge writes to the log group under a resource policy (an account allows 10 per
      // region); AWS::Logs::ResourcePolicy is native, so no custom resource is needed.
      this.eventLogGroup.addToResourcePolicy(new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.eventLogGroup.logGroupArn],
      }));
    }

    // --- composite alarms that page ----------------------------------------------------------
    for (const [group, members] of this.pages) {
      const page = new cloudwatch.CompositeAlarm(this, `Page${group}`, {
        alarmRule: cloudwatch.AlarmRule.anyOf(...members.map((a) => cloudwatch.AlarmRule.fromAlarm(a, cloudwatch.AlarmState.ALARM))),
        alarmDescription: `PAGE (${group}): a ${this.stage.name} alarm that needs a human now. ` +
          `The member alarm in ALARM says what and links to its runbook section; see ${RUNBOOK}#paging.`,
      });
      page.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      page.addOkAction(new cwActions.SnsAction(this.alarmTopic));
      this.compositeAlarms.push(page);
    }

    this.dashboard = this.buildDashboard();
    this.acknowledgeFindings();
  }

  // ---------------------------------------------------------------------------------------
  // Parts
  // ---------------------------------------------------------------------------------------

  private watchEdge(props: PlatformMonitoringProps): void {
    if (!props.distribution && !props.webAcl) return;
    const scope = new Construct(this, 'Edge');
    const region = Stack.of(this).region;
    const inUsEast1 = !Token.isUnresolved(region) && region === 'us-east-1';
    const widgets: cloudwatch.IWidget[] = [];
    const edgeAlarms = (what: string) => {
      if (!inUsEast1) {
        Annotations.of(this).addWarningV2('@cdk-proteomics-platform:edgeAlarmsNeedUsEast1',
          `${what} metrics are published in us-east-1 only and an alarm cannot watch another region: they are on the ` +
          'dashboard but have no alarms. Create a PlatformMonitoring with the edge parts in a us-east-1 stack for them.');
      }
      return inUsEast1;
    };

    if (props.distribution) {
      const dims = { DistributionId: props.distribution.distributionId, Region: 'Global' };
      const cf = (metricName: string, statistic: string, period = this.t.period) => new cloudwatch.Metric({
        namespace: 'AWS/CloudFront', metricName, dimensionsMap: dims, statistic, period, region: 'us-east-1',
      });
      const rate = new cloudwatch.MathExpression({
        label: 'CloudFront 5xx rate (%)',
        expression: `IF(FILL(r, 0) >= ${this.t.minimumRequests}, FILL(e, 0), 0)`,
        usingMetrics: { e: cf('5xxErrorRate', 'Average'), r: cf('Requests', 'Sum') },
        period: this.t.period,
      });
      widgets.push(new cloudwatch.GraphWidget({
        title: 'CloudFront requests and error rates',
        left: [cf('Requests', 'Sum')],
        right: [cf('5xxErrorRate', 'Average'), cf('4xxErrorRate', 'Average')],
        width: 12,
      }));
      if (props.distributionAdditionalMetrics) {
        widgets.push(new cloudwatch.GraphWidget({
          title: 'CloudFront origin latency (ms)',
          left: [cf('OriginLatency', 'p95'), cf('OriginLatency', 'p99')],
          width: 12,
        }));
      }
      if (edgeAlarms('CloudFront')) {
        this.alarm(scope, 'Cdn5xxRate', {
          metric: rate,
          threshold: this.t.edge5xxRatePercent,
          severity: 'page',
          group: 'Edge',
          what: `more than ${this.t.edge5xxRatePercent} % of requests to CloudFront end in a 5xx`,
          firstStep: 'check the load balancer 5xx alarm and the VPC origin; if the ALB is healthy, look at CloudFront error logs',
          anchor: 'edge-5xx',
        });
        if (props.distributionAdditionalMetrics) {
          this.alarm(scope, 'CdnOriginLatencyP95', {
            metric: cf('OriginLatency', 'p95'),
            threshold: this.t.edgeOriginLatencyP95Ms,
            severity: 'ticket',
            group: 'Edge',
            what: `p95 origin latency seen by CloudFront is above ${this.t.edgeOriginLatencyP95Ms} ms`,
            firstStep: 'compare with the load balancer p95: if both are high the pods are slow, otherwise the VPC origin is',
            anchor: 'edge-origin-latency',
          });
        }
      }
    }

    if (props.webAcl) {
      const cloudFront = (props.webAcl.scope ?? WebAclScope.CLOUDFRONT) === WebAclScope.CLOUDFRONT;
      const blocked = new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: cloudFront
          ? { WebACL: props.webAcl.metricName, Rule: 'ALL' }
          : { WebACL: props.webAcl.metricName, Rule: 'ALL', Region: region },
        statistic: 'Sum',
        period: this.t.period,
        region: cloudFront ? 'us-east-1' : undefined,
      });
      widgets.push(new cloudwatch.GraphWidget({ title: 'WAF blocked requests', left: [blocked], width: 12 }));
      if (!cloudFront || edgeAlarms('WAF (CloudFront scope)')) {
        this.alarm(scope, 'WafBlocked', {
          metric: blocked,
          threshold: this.t.wafBlockedRequests,
          severity: 'ticket',
          group: 'Edge',
          what: `WAF blocked more than ${this.t.wafBlockedRequests} requests in a period`,
          firstStep: 'open the web ACL sampled requests: an attack (leave it blocked) or a rule blocking real users (add a scoped exception)',
          anchor: 'waf-blocked',
        });
      }
    }
    this.widgets('Edge').push(...widgets);
  }

  private watchLoadBalancer(props: PlatformMonitoringProps): void {
    const lb = props.loadBalancer;
    if (!lb) return;
    const scope = new Construct(this, 'LoadBalancer');
    const p = { period: this.t.period };
    const rate = new cloudwatch.MathExpression({
      label: 'ALB 5xx rate (%)',
      expression: `IF(FILL(r, 0) >= ${this.t.minimumRequests}, 100 * (FILL(t, 0) + FILL(e, 0)) / r, 0)`,
      usingMetrics: {
        t: lb.metrics.httpCodeTarget(HTTP_TARGET_5XX, { ...p, statistic: 'Sum' }),
        e: lb.metrics.httpCodeElb(HTTP_ELB_5XX, { ...p, statistic: 'Sum' }),
        r: lb.metrics.requestCount({ ...p, statistic: 'Sum' }),
      },
      period: this.t.period,
    });
    this.alarm(scope, 'Alb5xxRate', {
      metric: rate,
      threshold: this.t.alb5xxRatePercent,
      severity: 'page',
      group: 'Api',
      what: `more than ${this.t.alb5xxRatePercent} % of requests through the load balancer end in a 5xx (from the pods or from the ALB itself)`,
      firstStep: 'check the target groups\' healthy host count and the pod restart alarms; roll back the last deployment if it coincides',
      anchor: 'alb-5xx',
    });
    for (const [id, pct, threshold] of [['AlbLatencyP95', 'p95', this.t.albP95Seconds], ['AlbLatencyP99', 'p99', this.t.albP99Seconds]] as const) {
      this.alarm(scope, id, {
        metric: lb.metrics.targetResponseTime({ ...p, statistic: pct }),
        threshold,
        severity: 'ticket',
        group: 'Api',
        what: `${pct} target response time is above ${threshold} s`,
        firstStep: 'look at pod CPU and database CPU/ACU: whichever is saturated is the bottleneck',
        anchor: 'alb-latency',
      });
    }
  }

  private watchPods(ci: ContainerInsightsOptions): void {
    const scope = new Construct(this, 'Pods');
    for (const workload of ci.workloads ?? ['api', 'web']) {
      const ws = new Construct(scope, workload);
      const dims = { ClusterName: ci.clusterName, Namespace: ci.namespace, PodName: workload };
      const m = (metricName: string, statistic: string) => new cloudwatch.Metric({
        namespace: 'ContainerInsights', metricName, dimensionsMap: dims, statistic, period: this.t.period,
      });
      this.alarm(ws, 'Cpu', {
        metric: m('pod_cpu_utilization', 'Average'),
        threshold: this.t.podCpuPercent,
        severity: 'ticket',
        group: 'Api',
        what: `${workload} pods use more than ${this.t.podCpuPercent} % CPU`,
        firstStep: 'check the request rate: scale the deployment out (HPA max replicas) or find the hot endpoint',
        anchor: 'pod-cpu',
      });
      this.alarm(ws, 'Memory', {
        metric: m('pod_memory_utilization', 'Average'),
        threshold: this.t.podMemoryPercent,
        severity: 'ticket',
        group: 'Api',
        what: `${workload} pods use more than ${this.t.podMemoryPercent} % memory`,
        firstStep: 'look for a leak (memory growing between deployments) before raising the memory limit',
        anchor: 'pod-memory',
      });
      // The metric is the cumulative restart count of the pods; DIFF turns it into new restarts.
      this.alarm(ws, 'Restarts', {
        metric: new cloudwatch.MathExpression({
          label: `${workload} container restarts`,
          expression: 'DIFF(FILL(r, REPEAT))',
          usingMetrics: { r: m('pod_number_of_container_restarts', 'Maximum') },
          period: this.t.period,
        }),
        threshold: this.t.podRestarts,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        severity: 'ticket',
        group: 'Api',
        what: `${workload} containers restarted ${this.t.podRestarts} or more times in one period`,
        firstStep: 'kubectl describe pod: OOMKilled (memory limit), failed liveness probe, or a crash in the logs',
        anchor: 'pod-restarts',
      });
    }
  }

  private watchDatabase(props: PlatformMonitoringProps): void {
    const db = props.database;
    if (!db) return;
    const scope = new Construct(this, 'Database');
    const m = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace: 'AWS/RDS', metricName, dimensionsMap: { DBClusterIdentifier: db.clusterIdentifier }, statistic, period: this.t.period,
    });
    const connections = props.databaseConnectionsThreshold ?? defaultConnectionsThreshold(this.stage.databaseMaxCapacity);
    this.alarm(scope, 'AcuUtilization', {
      metric: m('ACUUtilization', 'Average'),
      threshold: this.t.databaseAcuPercent,
      severity: 'ticket',
      group: 'Api',
      what: `the database runs at more than ${this.t.databaseAcuPercent} % of its maximum ACU`,
      firstStep: 'find the expensive queries in Database Insights; raise databaseMaxCapacity only if the load is legitimate',
      anchor: 'db-acu',
    });
    this.alarm(scope, 'Cpu', {
      metric: m('CPUUtilization', 'Average'),
      threshold: this.t.databaseCpuPercent,
      severity: 'ticket',
      group: 'Api',
      what: `database CPU above ${this.t.databaseCpuPercent} %`,
      firstStep: 'Database Insights top SQL: a missing index or a runaway query',
      anchor: 'db-cpu',
    });
    this.alarm(scope, 'Connections', {
      metric: m('DatabaseConnections', 'Maximum'),
      threshold: connections,
      severity: 'ticket',
      group: 'Api',
      what: `more than ${connections} open connections (about 80 % of max_connections)`,
      firstStep: 'check the API pool size times the replica count; a leak shows as connections growing while traffic does not',
      anchor: 'db-connections',
    });
    this.alarm(scope, 'Deadlocks', {
      metric: m('Deadlocks', 'Sum'),
      threshold: 0,
      severity: 'ticket',
      group: 'Api',
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      what: 'PostgreSQL detected deadlocks',
      firstStep: 'read the deadlock details in the exported PostgreSQL log and make the two transactions lock rows in the same order',
      anchor: 'db-deadlocks',
    });
  }

  private watchPipeline(props: PlatformMonitoringProps): void {
    const sm = props.stateMachine;
    if (!sm) return;
    const scope = new Construct(this, 'Pipeline');
    const m = (metricName: string, statistic: string, period: Duration) => new cloudwatch.Metric({
      namespace: 'AWS/States', metricName, dimensionsMap: { StateMachineArn: sm.stateMachineArn }, statistic, period,
    });
    const once = { evaluationPeriods: 1, datapointsToAlarm: 1, comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD };
    this.alarm(scope, 'ExecutionsFailed', {
      ...once,
      metric: m('ExecutionsFailed', 'Sum', Duration.minutes(5)),
      threshold: 1,
      severity: 'page',
      group: 'Analyses',
      what: 'an analysis execution failed outright. The state machine catches file failures and still ends SUCCEEDED (status PARTIAL or FAILED in the event), so this is the pipeline itself breaking',
      firstStep: 'open the failed execution in the Step Functions console and read the failing state\'s error and cause',
      anchor: 'pipeline-failed',
    });
    this.alarm(scope, 'ExecutionsTimedOut', {
      ...once,
      metric: m('ExecutionsTimedOut', 'Sum', Duration.minutes(5)),
      threshold: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: 'an analysis execution hit the state machine timeout',
      firstStep: 'check whether its Batch jobs waited in RUNNABLE (capacity) or ran too long (input size)',
      anchor: 'pipeline-timed-out',
    });
    this.alarm(scope, 'ExecutionsThrottled', {
      ...once,
      metric: m('ExecutionThrottled', 'Sum', Duration.minutes(5)),
      threshold: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: 'Step Functions throttled state transitions of the analysis state machine',
      firstStep: 'look for a burst of StartExecution calls or a retry loop; request a quota increase if the load is real',
      anchor: 'pipeline-throttled',
    });
    const dlq = props.completionDeadLetterQueue;
    if (dlq) {
      this.alarm(scope, 'CompletionDeadLetters', {
        ...once,
        metric: dlq.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: 1,
        severity: 'ticket',
        group: 'Analyses',
        what: 'a completion event reached the dead-letter queue after the API failed to process it five times, so its analysis still shows RUNNING',
        firstStep: 'read the message in the dead-letter queue, fix what the API logged for it, then redrive the queue to its source',
        anchor: 'completion-dead-letters',
      });
    }
    this.widgets('Pipeline').push(new cloudwatch.GraphWidget({
      title: 'Executions (left) and p95 execution time (right)',
      left: ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((n) => m(n, 'Sum', Duration.minutes(5))),
      right: [m('ExecutionTime', 'p95', Duration.minutes(5))],
      width: 24,
    }));
  }

  private watchBatch(props: PlatformMonitoringProps): void {
    const queues = props.jobQueues ?? [];
    if (queues.length === 0 || !this.eventLogGroup) return;
    const scope = new Construct(this, 'Batch');
    // Batch publishes no CloudWatch metrics. Its job-state events go to the event log group,
    // where metric filters count them (and carry their timestamps): no Lambda function needed.
    this.routeEventsToLog(scope, 'JobStateRule', {
      source: ['aws.batch'],
      detailType: ['Batch Job State Change'],
      detail: { jobQueue: queues.map((q) => q.jobQueueArn), status: ['FAILED', 'RUNNABLE', 'RUNNING'] },
    });
    const batchStatus = (status: string, extra = '') =>
      logs.FilterPattern.literal(`{ $.source = "aws.batch" && $.detail.status = "${status}"${extra} }`);
    const started = ' && $.detail.startedAt > 0 && $.detail.createdAt > 0';
    this.metricFilter(scope, 'FailedFilter', batchStatus('FAILED'), 'BatchJobsFailed', '1');
    this.metricFilter(scope, 'RunnableFilter', batchStatus('RUNNABLE'), 'BatchJobsRunnable', '1');
    this.metricFilter(scope, 'StartedFilter', batchStatus('RUNNING', started), 'BatchJobsStarted', '1');
    // Both timestamps of the same events: (sum of startedAt - sum of createdAt) / count is the
    // mean time from submission to start (mostly time in RUNNABLE) of the jobs started in a period.
    this.metricFilter(scope, 'CreatedAtFilter', batchStatus('RUNNING', started), 'BatchJobCreatedAt', '$.detail.createdAt');
    this.metricFilter(scope, 'StartedAtFilter', batchStatus('RUNNING', started), 'BatchJobStartedAt', '$.detail.startedAt');

    const hour = Duration.hours(1);
    this.alarm(scope, 'FailedJobs', {
      metric: this.custom('BatchJobsFailed', 'Sum', hour),
      threshold: this.t.batchFailedJobsPerHour,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: `${this.t.batchFailedJobsPerHour} or more Batch jobs (array children count one each) failed within an hour`,
      firstStep: 'read statusReason of the FAILED events in the event log: Spot reclaim, image pull, out of memory, or the worker exiting non-zero',
      anchor: 'batch-failed-jobs',
    });
    this.alarm(scope, 'RunnableWait', {
      metric: new cloudwatch.MathExpression({
        label: 'Mean submit-to-start time (s)',
        expression: 'IF(n > 0, (s - c) / n / 1000, 0)',
        usingMetrics: {
          s: this.custom('BatchJobStartedAt', 'Sum', hour),
          c: this.custom('BatchJobCreatedAt', 'Sum', hour),
          n: this.custom('BatchJobStartedAt', 'SampleCount', hour),
        },
        period: hour,
      }),
      threshold: this.t.batchWaitSeconds,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: `jobs that started in the last hour waited more than ${this.t.batchWaitSeconds / 60} minutes on average between submission and start (mostly RUNNABLE)`,
      firstStep: 'check the compute environment: Spot capacity in these instance types, maxvCpus reached, or subnets out of addresses',
      anchor: 'batch-runnable-wait',
    });
    // Stalled: jobs queued and none started. Two windows, both must hold: a backlog built up over
    // the window, and no job started during its last half.
    const window = this.t.batchStallWindow;
    const backlog = this.alarm(scope, 'Backlog', {
      metric: new cloudwatch.MathExpression({
        label: 'Jobs entering RUNNABLE minus jobs starting',
        expression: 'FILL(r, 0) - FILL(s, 0)',
        usingMetrics: { r: this.custom('BatchJobsRunnable', 'Sum', window), s: this.custom('BatchJobsStarted', 'Sum', window) },
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
    const noStarts = this.alarm(scope, 'NoJobStarted', {
      metric: this.custom('BatchJobsStarted', 'Sum', Duration.seconds(window.toSeconds() / 2)),
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
    this.composite(scope, 'Stalled', cloudwatch.AlarmRule.allOf(
      cloudwatch.AlarmRule.fromAlarm(backlog, cloudwatch.AlarmState.ALARM),
      cloudwatch.AlarmRule.fromAlarm(noStarts, cloudwatch.AlarmState.ALARM),
    ), this.stage.production ? 'page' : 'ticket', 'Analyses',
    `Batch queue stalled: jobs entered RUNNABLE during the last ${window.toHumanString()} and none started in the last ${Duration.seconds(window.toSeconds() / 2).toHumanString()}. ` +
    `First: check the compute environment is VALID and ENABLED and Spot capacity exists; runbook ${RUNBOOK}#batch-stalled`);
  }

  private watchBuckets(props: PlatformMonitoringProps): void {
    const buckets = props.buckets ?? [];
    if (buckets.length === 0) return;
    const scope = new Construct(this, 'Buckets');
    const used = new Set<string>();
    buckets.forEach((bucket, i) => {
      let filterId = props.bucketRequestMetricsFilterId;
      if (!filterId) {
        if (!(bucket instanceof s3.Bucket)) {
          Annotations.of(this).addWarningV2('@cdk-proteomics-platform:bucketWithoutRequestMetrics',
            `Bucket '${bucket.node.path}' is imported: its request metrics cannot be switched on here, so it has no 4xx/5xx alarms. ` +
            'Give bucketRequestMetricsFilterId for a whole-bucket request-metrics configuration it already has.');
          return;
        }
        bucket.addMetric({ id: DEFAULT_BUCKET_FILTER_ID });
        filterId = DEFAULT_BUCKET_FILTER_ID;
      }
      const id = used.has(bucket.node.id) ? `${bucket.node.id}${i}` : bucket.node.id;
      used.add(id);
      const bs = new Construct(scope, id);
      const m = (metricName: string) => new cloudwatch.Metric({
        namespace: 'AWS/S3',
        metricName,
        dimensionsMap: { BucketName: bucket.bucketName, FilterId: filterId! },
        statistic: 'Sum',
        period: this.t.period,
      });
      this.alarm(bs, 'Errors5xx', {
        metric: m('5xxErrors'),
        threshold: this.t.s35xxErrors,
        severity: 'ticket',
        group: 'Api',
        what: `S3 returned ${this.t.s35xxErrors} or more 5xx errors in a period`,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        firstStep: 'check the AWS Health dashboard for S3; clients must retry with backoff (SlowDown = too many requests per prefix)',
        anchor: 's3-5xx',
      });
      this.alarm(bs, 'Errors4xxRate', {
        metric: new cloudwatch.MathExpression({
          label: 'S3 4xx rate (%)',
          expression: `IF(FILL(r, 0) >= ${this.t.minimumRequests}, 100 * FILL(e, 0) / r, 0)`,
          usingMetrics: { e: m('4xxErrors'), r: m('AllRequests') },
          period: this.t.period,
        }),
        threshold: this.t.s34xxRatePercent,
        severity: 'ticket',
        group: 'Api',
        what: `more than ${this.t.s34xxRatePercent} % of S3 requests end in a 4xx`,
        firstStep: 'AccessDenied after a deployment means a missing grant or KMS permission; 403 on uploads can be expired presigned URLs',
        anchor: 's3-4xx',
      });
    });
  }

  private watchWorker(props: PlatformMonitoringProps): void {
    if (!props.workerLogGroup) return;
    const scope = new Construct(this, 'Worker');
    new logs.MetricFilter(scope, 'ErrorFilter', {
      logGroup: props.workerLogGroup,
      filterPattern: props.workerErrorPattern ?? logs.FilterPattern.literal(WORKER_ERROR_PATTERN),
      metricNamespace: this.metricNamespace,
      metricName: 'WorkerErrors',
      metricValue: '1',
    });
    this.alarm(scope, 'Errors', {
      metric: this.custom('WorkerErrors', 'Sum', Duration.minutes(15)),
      threshold: this.t.workerErrorsPer15Minutes,
      comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      severity: 'ticket',
      group: 'Analyses',
      what: `the worker logged ${this.t.workerErrorsPer15Minutes} or more errors in 15 minutes`,
      firstStep: 'run a Logs Insights query on the worker log group for level ERROR or CRITICAL, counted by code, to find the dominant error',
      anchor: 'worker-errors',
    });
  }

  private watchSlos(props: PlatformMonitoringProps, windows: BurnRateWindow[]): void {
    const slos: RatioSlo[] = [];
    const lb = props.loadBalancer;
    const tg = props.apiTargetGroup;
    if (lb || tg) {
      const source = tg ? tg.metrics : lb!.metrics;
      const minimum = this.t.minimumRequests;
      slos.push({
        id: 'ApiAvailability',
        title: 'API availability',
        anchor: 'slo-api-availability',
        group: 'Api',
        target: props.apiAvailabilityTarget ?? 99.9,
        badFraction: (period) => new cloudwatch.MathExpression({
          label: 'API 5xx fraction',
          expression: `IF(FILL(r, 0) >= ${minimum}, FILL(e, 0) / r, 0)`,
          usingMetrics: {
            e: source.httpCodeTarget(HTTP_TARGET_5XX, { statistic: 'Sum', period }),
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
        target: props.apiLatencyTarget ?? 95,
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
        Annotations.of(this).addInfoV2('@cdk-proteomics-platform:apiSloFromLoadBalancer',
          'No apiTargetGroup: the API SLOs count every request through the load balancer, web pages included.');
      }
    }
    if (props.stateMachine && this.eventLogGroup) {
      const scope = new Construct(this, 'Analyses');
      this.routeEventsToLog(scope, 'CompletionRule', { source: [COMPLETION_EVENT_SOURCE], detailType: [COMPLETION_EVENT_DETAIL_TYPE] });
      const completed = (field: string) =>
        logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" && $.detail.${field} >= 0 }`);
      this.metricFilter(scope, 'FilesSucceededFilter', completed('filesSucceeded'), 'FilesSucceeded', '$.detail.filesSucceeded');
      this.metricFilter(scope, 'FilesFailedFilter', completed('filesFailed'), 'FilesFailed', '$.detail.filesFailed');
      this.metricFilter(scope, 'AnalysesCompletedFilter', logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" }`), 'AnalysesCompleted', '1');
      // An analysis whose files all failed ends its execution SUCCEEDED (only a broken pipeline
      // fails an execution and pages); the event's status says FAILED, and that opens a ticket.
      this.metricFilter(scope, 'AnalysesFailedFilter',
        logs.FilterPattern.literal(`{ $.source = "${COMPLETION_EVENT_SOURCE}" && $.detail.status = "FAILED" }`), 'AnalysesFailed', '1');
      this.alarm(scope, 'AnalysesFailed', {
        metric: this.custom('AnalysesFailed', 'Sum', Duration.minutes(15)),
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        severity: 'ticket',
        group: 'Analyses',
        what: 'every file of an analysis failed (completion event status FAILED). File failures never page: the files-analysed SLO pages when they burn its budget',
        firstStep: 'read the analysis summary\'s per-file errorCode and reason: bad input files are the owner\'s to fix, the same code on every file points at the worker or its parameters',
        anchor: 'analyses-failed',
      });
      slos.push({
        id: 'AnalysisSuccess',
        title: 'Files analysed successfully',
        anchor: 'slo-analysis-success',
        group: 'Analyses',
        target: props.analysisSuccessTarget ?? 99,
        badFraction: (period) => new cloudwatch.MathExpression({
          label: 'Failed file fraction',
          expression: 'IF(FILL(s, 0) + FILL(f, 0) > 0, FILL(f, 0) / (FILL(s, 0) + FILL(f, 0)), 0)',
          usingMetrics: { s: this.custom('FilesSucceeded', 'Sum', period), f: this.custom('FilesFailed', 'Sum', period) },
          period,
        }),
      });
      // Time to result: mean execution time per 100 files over 6 hours (see the docs for why not a p95).
      const sixHours = Duration.hours(6);
      const target = props.timeToResultPer100Files ?? Duration.minutes(30);
      this.alarm(new Construct(this, 'TimeToResultSlo'), 'Alarm', {
        metric: new cloudwatch.MathExpression({
          label: 'Seconds per 100 files',
          expression: 'IF(FILL(s, 0) + FILL(f, 0) > 0, 100 * FILL(d, 0) / 1000 / (FILL(s, 0) + FILL(f, 0)), 0)',
          usingMetrics: {
            d: new cloudwatch.Metric({
              namespace: 'AWS/States',
              metricName: 'ExecutionTime',
              statistic: 'Sum',
              period: sixHours,
              dimensionsMap: { StateMachineArn: props.stateMachine.stateMachineArn },
            }),
            s: this.custom('FilesSucceeded', 'Sum', sixHours),
            f: this.custom('FilesFailed', 'Sum', sixHours),
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
    for (const slo of slos) this.burnRateAlerts(slo, windows);
  }

  /** One long and one short window alarm per burn-rate window, joined by a composite alarm. */
  private burnRateAlerts(slo: RatioSlo, windows: BurnRateWindow[]): void {
    const scope = new Construct(this, `${slo.id}Slo`);
    const budget = (100 - slo.target) / 100;
    for (const w of windows) {
      const tier = new Construct(scope, `Burn${windowLabel(w.longWindow)}`);
      const threshold = round(w.burnRate * budget);
      const window = (id: string, period: Duration) => this.alarm(tier, id, {
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
      const severity: Severity = w.page && this.stage.production ? 'page' : 'ticket';
      this.composite(tier, 'Alert', cloudwatch.AlarmRule.allOf(
        cloudwatch.AlarmRule.fromAlarm(long, cloudwatch.AlarmState.ALARM),
        cloudwatch.AlarmRule.fromAlarm(short, cloudwatch.AlarmState.ALARM),
      ), severity, slo.group,
      `${severity === 'page' ? 'PAGE' : 'TICKET'}: ${slo.title} (SLO ${slo.target} %) is burning its 30-day error budget ${w.burnRate}x too fast ` +
      `over ${w.longWindow.toHumanString()} and ${w.shortWindow.toHumanString()}. Runbook ${RUNBOOK}#${slo.anchor}`);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------

  private alarm(scope: Construct, id: string, spec: AlarmSpec | MemberSpec): cloudwatch.Alarm {
    const severity = spec.severity === 'page' && !this.stage.production ? 'ticket' : spec.severity;
    const label = severity === 'page' ? 'PAGE' : severity === 'ticket' ? 'TICKET' : 'PART OF A COMPOSITE';
    const alarm = new cloudwatch.Alarm(scope, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: spec.evaluationPeriods ?? this.t.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm ?? this.t.datapointsToAlarm,
      treatMissingData: spec.missing ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${label}: ${spec.what}. First: ${spec.firstStep}. Runbook: ${RUNBOOK}#${spec.anchor}`,
    });
    this.alarms.push(alarm);
    if (severity === 'ticket') {
      alarm.addAlarmAction(new cwActions.SnsAction(this.ticketTopic));
    } else {
      // Paging members and burn-rate windows notify through their composite alarm only.
      this.silentMembers.push(alarm);
      if (severity === 'page') this.addPage(spec.group, alarm);
    }
    this.widgets(topId(this, scope)).push(new cloudwatch.AlarmWidget({ alarm, title: `${scope.node.id} ${id}`, width: 8 }));
    return alarm;
  }

  private composite(scope: Construct, id: string, rule: cloudwatch.IAlarmRule, severity: Severity, group: PageGroup, description: string) {
    const alarm = new cloudwatch.CompositeAlarm(scope, id, { alarmRule: rule, alarmDescription: description });
    this.compositeAlarms.push(alarm);
    if (severity === 'page') {
      this.addPage(group, alarm);
    } else {
      alarm.addAlarmAction(new cwActions.SnsAction(this.ticketTopic));
    }
    return alarm;
  }

  private addPage(group: PageGroup, alarm: cloudwatch.IAlarm): void {
    const list = this.pages.get(group) ?? [];
    list.push(alarm);
    this.pages.set(group, list);
  }

  /** The dashboard widgets of a section, named after a construct directly under this one. */
  private widgets(id: string): cloudwatch.IWidget[] {
    let section = this.sections.find((s) => s.id === id);
    if (!section) {
      section = { id, title: SECTION_TITLES[id] ?? id, widgets: [] };
      this.sections.push(section);
    }
    return section.widgets;
  }

  private custom(metricName: string, statistic: string, period: Duration): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: this.metricNamespace, metricName, statistic, period });
  }

  private metricFilter(scope: Construct, id: string, pattern: logs.IFilterPattern, metricName: string, metricValue: string): void {
    new logs.MetricFilter(scope, id, {
      logGroup: this.eventLogGroup!,
      filterPattern: pattern,
      metricNamespace: this.metricNamespace,
      metricName,
      metricValue,
    });
  }

  private routeEventsToLog(scope: Construct, id: string, pattern: events.EventPattern): void {
    const logGroup = this.eventLogGroup!;
    const arn = Stack.of(this).formatArn({
      service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A plain target instead of events-targets' CloudWatchLogGroup, which writes the log group's
    // resource policy through a Lambda-backed custom resource.
    const rule = new events.Rule(scope, id, { eventPattern: pattern, targets: [{ bind: () => ({ arn }) }] });
    this.eventRules.push(rule);
  }

  private buildDashboard(): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(this.stage.production ? 3 : 12),
    });
    const top = [...this.compositeAlarms, ...this.alarms.filter((a) => !this.silentMembers.includes(a))];
    if (top.length > 0) {
      dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
        title: `Alarms (${this.stage.name}): pages, tickets and SLO alerts`,
        alarms: top,
        width: 24,
        height: Math.min(2 + Math.ceil(top.length / 4), 12),
      }));
    }
    for (const section of this.sections) {
      if (section.widgets.length === 0) continue;
      dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${section.title}`, width: 24, height: 1 }));
      dashboard.addWidgets(...section.widgets);
    }
    return dashboard;
  }

  private acknowledgeFindings(): void {
    for (const alarm of this.silentMembers) {
      Acknowledge.rules(alarm, 'Member of a composite alarm: it has no action of its own on purpose, the composite alarm notifies ' +
        '(paging once per incident instead of once per symptom).', [
        'HIPAA.Security-CloudWatchAlarmAction',
        'NIST.800.53.R5-CloudWatchAlarmAction',
      ]);
    }
  }
}

type MemberSpec = Omit<AlarmSpec, 'severity'> & { readonly severity: Severity | 'member' };

const HTTP_TARGET_5XX = elbv2.HttpCodeTarget.TARGET_5XX_COUNT;
const HTTP_ELB_5XX = elbv2.HttpCodeElb.ELB_5XX_COUNT;

const SECTION_TITLES: Record<string, string> = {
  Edge: 'Edge: CloudFront and WAF',
  LoadBalancer: 'Load balancer',
  Pods: 'API and web pods (Container Insights)',
  Database: 'Aurora PostgreSQL',
  Pipeline: 'Analysis pipeline (Step Functions)',
  Batch: 'Batch jobs (from job-state events)',
  Buckets: 'S3 requests',
  Worker: 'Worker application errors',
  ApiAvailabilitySlo: 'SLO: API availability',
  ApiLatencySlo: 'SLO: API latency',
  AnalysisSuccessSlo: 'SLO: analysis success',
  TimeToResultSlo: 'SLO: time to result',
};

/** The id of the construct directly under `root` that holds `scope`. */
function topId(root: Construct, scope: Construct): string {
  let top: Construct = scope;
  while (top.node.scope && top.node.scope !== root) top = top.node.scope as Construct;
  return top.node.id;
}

function windowLabel(d: Duration): string {
  const minutes = d.toMinutes();
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
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
  const budgets = [props.apiAvailabilityTarget ?? 99.9, props.apiLatencyTarget ?? 95, props.analysisSuccessTarget ?? 99];
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
