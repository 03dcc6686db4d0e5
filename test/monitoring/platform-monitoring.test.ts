import {
  App,
  CfnElement,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_logs as logs,
  aws_s3 as s3,
  aws_sns as sns,
  aws_wafv2 as wafv2,
  Duration,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT_KEY, PlatformStage } from '../../src';
import { PlatformMonitoring } from '../../src/monitoring/platform-monitoring';
import { PlatformMonitoringProps, WebAclScope } from '../../src/monitoring/platform-monitoring-props';
import { defaultConnectionsThreshold } from '../../src/monitoring/thresholds';
import { expectCompliant, expectNoDeployTraps, logicalIds, newStack, TEST_ENV } from '../helpers';
import { buildParts, everyPart } from './fixture';
import { orphanMetrics, watchedMetrics } from './metric-sources';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** The resources of `type` whose logical id starts with `prefix`. */
function find(template: Template, type: string, prefix: string): Resources {
  const all = template.findResources(type) as Resources;
  return Object.fromEntries(Object.entries(all).filter(([id]) => id.startsWith(prefix)));
}

/** The one resource of `type` whose logical id starts with `prefix`. */
function one(template: Template, type: string, prefix: string): { id: string; props: Record<string, any> } {
  const found = Object.entries(find(template, type, prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return { id: found[0][0], props: found[0][1].Properties };
}

/** The logical ids an alarm rule (an Fn::Join of ALARM("<arn>") terms) refers to, in order. */
function ruleMembers(rule: any): string[] {
  return JSON.stringify(rule).match(/"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/g)!.map((m) => m.split('"')[3]);
}

function ruleText(rule: any): string {
  return (rule['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : p['Fn::GetAtt'][0])).join('');
}

describe('PlatformMonitoring in prod, watching every part', () => {
  const stack = newStack({ env: true });
  const parts = buildParts(stack, PlatformStage.PROD);
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', everyPart(parts, PlatformStage.PROD));
  const template = Template.fromStack(stack);
  const json = template.toJSON();

  test('every alarm watches a metric that a resource of the stack publishes (no orphan)', () => {
    expect(orphanMetrics(json)).toEqual([]);
    const namespaces = new Set(watchedMetrics(json).map((m) => m.namespace));
    expect([...namespaces].sort()).toEqual([
      'AWS/ApplicationELB', 'AWS/RDS', 'AWS/S3', 'AWS/SQS', 'AWS/States', 'AWS/WAFV2', 'ContainerInsights', monitoring.metricNamespace,
    ].sort());
  });

  test('the orphan check fails on a metric nothing publishes', () => {
    const broken = JSON.parse(JSON.stringify(json));
    const alarm = broken.Resources[one(template, 'AWS::CloudWatch::Alarm', 'MonitoringDatabaseCpu').id];
    alarm.Properties.Dimensions[0].Value = 'some-other-cluster';
    const podAlarm = broken.Resources[one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodsapiCpu').id];
    podAlarm.Properties.MetricName = 'pod_cpu_utilisation';
    const problems = orphanMetrics(broken);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toMatch(/DBClusterIdentifier is not a database cluster/);
    expect(problems.join('\n')).toMatch(/ContainerInsights publishes no metric named pod_cpu_utilisation/);
    delete broken.Resources[Object.keys(template.findResources('AWS::EKS::Addon'))[0]];
    expect(orphanMetrics(broken).join('\n')).toMatch(/amazon-cloudwatch-observability add-on/);
  });

  test('a completion event in the dead-letter queue opens a ticket at the first message', () => {
    const dlq = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPipelineCompletionDeadLetters');
    expect(dlq.props).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [stack.getLogicalId(parts.completionDeadLetterQueue.node.defaultChild as CfnElement), 'QueueName'] } }],
    });
    expect(dlq.props.AlarmActions).toEqual([{ Ref: one(template, 'AWS::SNS::Topic', 'MonitoringTicketTopic').id }]);
    expect(dlq.props.AlarmDescription).toMatch(/^TICKET: .*runbook\.md#completion-dead-letters$/);
  });

  test('the orphan check fails on an alarm watching a queue the template does not hold', () => {
    const broken = JSON.parse(JSON.stringify(json));
    broken.Resources[one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPipelineCompletionDeadLetters').id].Properties.Dimensions[0].Value = 'some-queue';
    expect(orphanMetrics(broken).join('\n')).toMatch(/QueueName is not the QueueName of a queue in the template/);
  });

  test('the topics are encrypted with a rotated CMK that CloudWatch and EventBridge may use', () => {
    const key = one(template, 'AWS::KMS::Key', 'MonitoringKey');
    expect(key.props.EnableKeyRotation).toBe(true);
    expect(key.props.KeyPolicy.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      }),
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'logs.eu-west-1.amazonaws.com' } }),
    ]));
    const topics = find(template, 'AWS::SNS::Topic', 'Monitoring');
    expect(Object.keys(topics)).toHaveLength(2);
    for (const topic of Object.values(topics)) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
    }
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('CloudWatch alarms of this account may publish to both topics (a topic policy replaces SNS\'s default one)', () => {
    // The enforce-SSL topic policy replaces the default access policy, whose Allow let this
    // account's alarms publish: without its own Allow every alarm action fails with
    // "no resource-based policy allows the SNS:Publish action".
    for (const id of Object.keys(find(template, 'AWS::SNS::Topic', 'Monitoring'))) {
      const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'))
        .filter((p: any) => JSON.stringify(p.Properties.Topics) === JSON.stringify([{ Ref: id }]));
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
        Sid: 'AllowCloudWatchAlarmsToPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: id },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']] } },
        },
      });
    }
  });

  test('e-mail pages and Slack (AWS Chatbot) gets pages and tickets, with a read-only guardrail', () => {
    const page = one(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic').id;
    const ticket = one(template, 'AWS::SNS::Topic', 'MonitoringTicketTopic').id;
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: { Ref: page } });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0123ABCD',
      SnsTopicArns: [{ Ref: page }, { Ref: ticket }],
      GuardrailPolicies: [Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':iam::aws:policy/CloudWatchReadOnlyAccess'])] })],
    });
  });

  test('prod thresholds and periods: 1-minute periods, 3 of 5 datapoints', () => {
    const alb = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringLoadBalancerAlb5xxRate').props;
    expect(alb).toMatchObject({ Threshold: 1, EvaluationPeriods: 5, DatapointsToAlarm: 3, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alb.Metrics[0].Expression).toBe('IF(FILL(r, 0) >= 10, 100 * (FILL(t, 0) + FILL(e, 0)) / r, 0)');
    expect(alb.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)).toEqual([60, 60, 60]);
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringLoadBalancerAlbLatencyP95').props).toMatchObject({ Threshold: 0.5, ExtendedStatistic: 'p95', Period: 60 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringLoadBalancerAlbLatencyP99').props).toMatchObject({ Threshold: 1.5, ExtendedStatistic: 'p99' });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodsapiCpu').props).toMatchObject({ Threshold: 80, MetricName: 'pod_cpu_utilization' });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodswebMemory').props).toMatchObject({ Threshold: 80, MetricName: 'pod_memory_utilization' });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringDatabaseConnections').props).toMatchObject({ Threshold: defaultConnectionsThreshold(16) });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringDatabaseAcuUtilization').props).toMatchObject({ Threshold: 90, MetricName: 'ACUUtilization' });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchRunnableWait').props).toMatchObject({ Threshold: 1800 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchBacklog').props.Metrics[1].MetricStat.Period).toBe(1800);
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchNoJobStarted').props).toMatchObject({ Period: 900, TreatMissingData: 'breaching' });
  });

  test('connections default: 80 % of max_connections at the maximum ACU', () => {
    expect(defaultConnectionsThreshold(4)).toBe(720);
    expect(defaultConnectionsThreshold(16)).toBe(2883);
    expect(defaultConnectionsThreshold(256)).toBe(4000);
  });

  test.each([
    ['ApiAvailability', [0.0144, 0.006, 0.003]],
    ['ApiLatency', [0.72, 0.3, 0.15]],
    ['AnalysisSuccess', [0.144, 0.06, 0.03]],
  ])('%s SLO: burn-rate windows 1 h/5 min at 14.4x, 6 h/30 min at 6x, 1 d/2 h at 3x', (slo, thresholds) => {
    const windows = [['1h', 3600, 300], ['6h', 21600, 1800], ['1d', 86400, 7200]] as const;
    windows.forEach(([label, long, short], i) => {
      const l = one(template, 'AWS::CloudWatch::Alarm', `Monitoring${slo}SloBurn${label}Long`).props;
      const s = one(template, 'AWS::CloudWatch::Alarm', `Monitoring${slo}SloBurn${label}Short`).props;
      for (const [alarm, period] of [[l, long], [s, short]] as const) {
        expect(alarm).toMatchObject({ Threshold: thresholds[i], EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
        for (const m of alarm.Metrics.filter((x: any) => x.MetricStat)) expect(m.MetricStat.Period).toBe(period);
        expect(alarm.AlarmActions).toBeUndefined();
      }
      const alert = one(template, 'AWS::CloudWatch::CompositeAlarm', `Monitoring${slo}SloBurn${label}Alert`);
      expect(ruleText(alert.props.AlarmRule)).toMatch(/^\(ALARM\("Monitoring\w+Long\w+"\) AND ALARM\("Monitoring\w+Short\w+"\)\)$/);
    });
  });

  test('the latency SLI is the percentile rank of 300 ms on the API target group', () => {
    const l = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringApiLatencySloBurn1hLong').props;
    expect(l.Metrics[0].Expression).toBe('IF(FILL(r, 0) >= 10, 1 - FILL(p, 100) / 100, 0)');
    const p = l.Metrics.find((m: any) => m.Id === 'p').MetricStat;
    expect(p).toMatchObject({ Stat: 'PR(0:0.3)', Metric: { MetricName: 'TargetResponseTime' } });
    expect(p.Metric.Dimensions.map((d: any) => d.Name)).toEqual(['LoadBalancer', 'TargetGroup']);
  });

  test('the analysis SLI counts files: failed files over all files of the completion events', () => {
    const l = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringAnalysisSuccessSloBurn1hLong').props;
    expect(l.Metrics[0].Expression).toBe('IF(FILL(s, 0) + FILL(f, 0) > 0, FILL(f, 0) / (FILL(s, 0) + FILL(f, 0)), 0)');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['cdk-proteomics-platform'], 'detail-type': ['Analysis Completed'] },
    });
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.source = "cdk-proteomics-platform" && $.detail.filesFailed >= 0 }',
      MetricTransformations: [{ MetricNamespace: monitoring.metricNamespace, MetricName: 'FilesFailed', MetricValue: '$.detail.filesFailed' }],
    });
  });

  test('time to result: mean execution seconds per 100 files over 6 hours, a ticket', () => {
    const t = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringTimeToResultSlo').props;
    expect(t).toMatchObject({ Threshold: 1800, AlarmActions: [{ Ref: one(template, 'AWS::SNS::Topic', 'MonitoringTicketTopic').id }] });
    expect(t.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period)).toEqual([21600, 21600, 21600]);
  });

  test('Batch job-state events reach an encrypted log group without a Lambda function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.batch'],
        'detail-type': ['Batch Job State Change'],
        'detail': { jobQueue: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('PartsQueue'), 'JobQueueArn'] }], status: ['FAILED', 'RUNNABLE', 'RUNNING'] },
      },
    });
    const logGroup = one(template, 'AWS::Logs::LogGroup', 'MonitoringEventLog');
    expect(logGroup.props).toMatchObject({ RetentionInDays: 731, KmsKeyId: { 'Fn::GetAtt': [one(template, 'AWS::KMS::Key', 'MonitoringKey').id, 'Arn'] } });
    template.hasResourceProperties('AWS::Logs::ResourcePolicy', {
      PolicyDocument: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('events.amazonaws.com')])] }),
    });
    expect(find(template, 'AWS::Lambda::Function', 'Monitoring')).toEqual({});
    expect(find(template, 'AWS::Lambda::Function', 'AWS')).toEqual({}); // no AwsCustomResource at stack scope
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.source = "aws.batch" && $.detail.status = "RUNNING" && $.detail.startedAt > 0 && $.detail.createdAt > 0 }',
      MetricTransformations: [Match.objectLike({ MetricName: 'BatchJobCreatedAt', MetricValue: '$.detail.createdAt' })],
    });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchRunnableWait').props.Metrics[0].Expression).toBe('IF(n > 0, (s - c) / n / 1000, 0)');
  });

  test('S3 request metrics are switched on for the whole bucket', () => {
    for (const id of Object.keys(find(template, 'AWS::S3::Bucket', 'Parts'))) {
      expect(json.Resources[id].Properties.MetricsConfigurations).toEqual([{ Id: 'EntireBucket' }]);
    }
  });

  test('the worker error filter counts the agreed JSON lines of level ERROR or CRITICAL (see worker-log-filter.test.ts)', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('PartsWorkerLogs') },
      FilterPattern: '{ $.level = "ERROR" || $.level = "CRITICAL" }',
    });
  });

  test('an analysis whose files all failed opens a ticket, never a page', () => {
    const alarm = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringAnalysesAnalysesFailed').props;
    expect(alarm.AlarmDescription).toMatch(/^TICKET: every file of an analysis failed/);
    expect(alarm.AlarmActions).toHaveLength(1);
    expect(JSON.stringify(alarm.AlarmActions)).toMatch(/MonitoringTicketTopic/);
  });

  test('a regional web ACL is alarmed with its Region dimension', () => {
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeWafBlocked').props.Dimensions).toEqual([
      { Name: 'Region', Value: 'eu-west-1' }, { Name: 'Rule', Value: 'ALL' }, { Name: 'WebACL', Value: 'platform-alb' },
    ]);
  });

  test('paging: one composite per area, on the page topic, ALARM and OK', () => {
    const page = one(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic').id;
    const api = one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageApi').props;
    expect(api.AlarmActions).toEqual([{ Ref: page }]);
    expect(api.OKActions).toEqual([{ Ref: page }]);
    const apiMembers = ruleMembers(api.AlarmRule);
    expect(apiMembers).toHaveLength(5);
    expect(apiMembers[0]).toMatch(/^MonitoringLoadBalancerAlb5xxRate/);
    for (const slo of ['ApiAvailability', 'ApiLatency']) {
      expect(apiMembers.filter((m) => m.startsWith(`Monitoring${slo}SloBurn`)).map((m) => m.replace(/Alert.*/, ''))).toEqual([
        `Monitoring${slo}SloBurn1h`, `Monitoring${slo}SloBurn6h`,
      ]);
    }
    expect(ruleText(api.AlarmRule)).toMatch(/^\(ALARM\("\w+"\)( OR ALARM\("\w+"\)){4}\)$/);
    const analyses = ruleMembers(one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageAnalyses').props.AlarmRule);
    expect(analyses.map((m) => m.replace(/[A-F0-9]{8}$/, ''))).toEqual([
      'MonitoringPipelineExecutionsFailed', 'MonitoringBatchStalled', 'MonitoringAnalysisSuccessSloBurn1hAlert', 'MonitoringAnalysisSuccessSloBurn6hAlert',
    ]);
    expect(find(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageEdge')).toEqual({});
  });

  test('members of paging composites have no action; every other alarm opens a ticket', () => {
    const ticket = one(template, 'AWS::SNS::Topic', 'MonitoringTicketTopic').id;
    const paging = new Set([
      ...ruleMembers(one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageApi').props.AlarmRule),
      ...ruleMembers(one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageAnalyses').props.AlarmRule),
    ]);
    const inComposite = new Set(Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')).flatMap((c: any) => ruleMembers(c.Properties.AlarmRule)));
    for (const [id, alarm] of Object.entries(find(template, 'AWS::CloudWatch::Alarm', 'Monitoring'))) {
      if (paging.has(id) || inComposite.has(id)) {
        expect([id, alarm.Properties.AlarmActions]).toEqual([id, undefined]);
      } else {
        expect([id, alarm.Properties.AlarmActions]).toEqual([id, [{ Ref: ticket }]]);
      }
    }
    expect(monitoring.alarms).toHaveLength(Object.keys(find(template, 'AWS::CloudWatch::Alarm', 'Monitoring')).length);
  });

  test('every alarm says what it means, the first step and its runbook anchor', () => {
    for (const alarm of [...Object.values(find(template, 'AWS::CloudWatch::Alarm', 'Monitoring')),
      ...Object.values(find(template, 'AWS::CloudWatch::CompositeAlarm', 'Monitoring'))]) {
      expect(alarm.Properties.AlarmDescription).toMatch(/docs\/operations\/runbook\.md#[a-z0-9-]+/);
      expect(alarm.Properties.AlarmDescription.length).toBeLessThanOrEqual(1024);
    }
  });

  test('the CloudFront distribution is on the dashboard but not alarmed outside us-east-1', () => {
    expect(find(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeCdn')).toEqual({});
    Annotations.fromStack(stack).hasWarning('/Test/Monitoring', Match.stringLikeRegexp('CloudFront metrics are published in us-east-1 only'));
    const body = JSON.stringify(one(template, 'AWS::CloudWatch::Dashboard', 'MonitoringDashboard').props.DashboardBody);
    expect(body).toContain('\\"region\\":\\"us-east-1\\"');
    expect(body).toContain('5xxErrorRate');
  });

  test('zero unacknowledged findings in AwsSolutions, HIPAA.Security and NIST.800.53.R5', () => {
    expectCompliant(monitoring);
  });

  test('no deploy traps (the topic key lets CloudWatch and EventBridge in, the log key lets Logs in)', () => {
    expectNoDeployTraps(stack);
  });

  test('logical ids are stable', () => {
    const ids = Object.fromEntries(Object.entries(logicalIds(stack)).filter(([id]) => id.startsWith('Monitoring')));
    expect(ids).toMatchSnapshot();
  });
});

describe('PlatformMonitoring in hml (default stage)', () => {
  const stack = newStack();
  const parts = buildParts(stack, PlatformStage.HML);
  const { stage: _stage, ...props } = everyPart(parts, PlatformStage.HML);
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', props);
  const template = Template.fromStack(stack);

  test('every alarm watches a metric that a resource of the stack publishes', () => {
    expect(monitoring.stage).toBe(PlatformStage.HML);
    expect(orphanMetrics(template.toJSON())).toEqual([]);
  });

  test('nothing pages in staging: no paging composite, every notification is a ticket', () => {
    const page = one(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic').id;
    expect(JSON.stringify(find(template, 'AWS::CloudWatch::Alarm', 'Monitoring'))).not.toContain(`"${page}"`);
    expect(JSON.stringify(find(template, 'AWS::CloudWatch::CompositeAlarm', 'Monitoring'))).not.toContain(`"${page}"`);
    expect(find(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPage')).toEqual({});
    expect(one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringApiAvailabilitySloBurn1hAlert').props.AlarmActions)
      .toEqual([{ Ref: one(template, 'AWS::SNS::Topic', 'MonitoringTicketTopic').id }]);
  });

  test('hml thresholds and periods: 5-minute periods, 3 of 3 datapoints, looser limits', () => {
    const alb = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringLoadBalancerAlb5xxRate').props;
    expect(alb).toMatchObject({ Threshold: 5, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
    expect(alb.Metrics[1].MetricStat.Period).toBe(300);
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringLoadBalancerAlbLatencyP95').props).toMatchObject({ Threshold: 1, Period: 300 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodsapiCpu').props).toMatchObject({ Threshold: 90 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringDatabaseConnections').props).toMatchObject({ Threshold: 720 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchRunnableWait').props).toMatchObject({ Threshold: 7200 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringBatchNoJobStarted').props).toMatchObject({ Period: 3600 });
  });

  test('event log kept a month, key and log group retained', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, KmsKeyId: Match.anyValue() });
    expect(template.findResources('AWS::KMS::Key')[one(template, 'AWS::KMS::Key', 'MonitoringKey').id].DeletionPolicy).toBe('Retain');
    expect(template.findResources('AWS::Logs::LogGroup')[one(template, 'AWS::Logs::LogGroup', 'MonitoringEventLog').id].DeletionPolicy).toBe('Retain');
  });

  test('zero unacknowledged findings', () => {
    expectCompliant(monitoring);
  });

  test('no deploy traps', () => {
    expectNoDeployTraps(stack);
  });
});

describe('PlatformMonitoring of the edge, in a us-east-1 stack', () => {
  const app = new App();
  const stack = new Stack(app, 'Edge', { env: { account: TEST_ENV.account, region: 'us-east-1' } });
  const distribution = new cloudfront.Distribution(stack, 'Cdn', {
    defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com') },
    publishAdditionalMetrics: true,
  });
  new wafv2.CfnWebACL(stack, 'WebAcl', {
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'platform-edge', sampledRequestsEnabled: true },
  });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring', {
    stage: PlatformStage.PROD,
    distribution,
    distributionAdditionalMetrics: true,
    webAcl: { metricName: 'platform-edge' },
  });
  const template = Template.fromStack(stack);

  test('CloudFront 5xx rate, origin latency and WAF alarms watch metrics the distribution and web ACL publish', () => {
    expect(orphanMetrics(template.toJSON())).toEqual([]);
    const rate = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeCdn5xxRate').props;
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0];
    expect(rate.Metrics.find((m: any) => m.Id === 'e').MetricStat.Metric.Dimensions).toEqual([
      { Name: 'DistributionId', Value: { Ref: distributionId } }, { Name: 'Region', Value: 'Global' },
    ]);
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeCdnOriginLatencyP95').props).toMatchObject({ ExtendedStatistic: 'p95', Threshold: 1000 });
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeWafBlocked').props.Dimensions).toEqual([
      { Name: 'Rule', Value: 'ALL' }, { Name: 'WebACL', Value: 'platform-edge' },
    ]);
  });

  test('without the additional metrics, the origin-latency alarm would be an orphan', () => {
    const broken = template.toJSON();
    for (const id of Object.keys(template.findResources('AWS::CloudFront::MonitoringSubscription'))) delete broken.Resources[id];
    expect(orphanMetrics(broken).join('\n')).toMatch(/OriginLatency needs the additional metrics/);
  });

  test('the CloudFront 5xx rate pages through the Edge composite', () => {
    const edge = one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageEdge').props;
    expect(ruleMembers(edge.AlarmRule)).toEqual([one(template, 'AWS::CloudWatch::Alarm', 'MonitoringEdgeCdn5xxRate').id]);
  });

  test('zero unacknowledged findings and no deploy traps', () => {
    expectCompliant(monitoring);
    expectNoDeployTraps(stack);
  });
});

describe('PlatformMonitoring options', () => {
  test('with no part at all: topics, key and an empty dashboard, nothing else', () => {
    const stack = newStack();
    const monitoring = new PlatformMonitoring(stack, 'Monitoring');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    template.resourceCountIs('AWS::SNS::Topic', 2);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::Logs::LogGroup', 0);
    expect(monitoring.eventLogGroup).toBeUndefined();
    expectCompliant(monitoring);
    expectNoDeployTraps(stack);
  });

  test('a given alarm topic receives the pages', () => {
    const stack = newStack({ env: true });
    const parts = buildParts(stack, PlatformStage.PROD);
    const topic = new sns.Topic(stack, 'OnCall');
    const monitoring = new PlatformMonitoring(stack, 'Monitoring', { stage: PlatformStage.PROD, loadBalancer: parts.loadBalancer, alarmTopic: topic });
    expect(monitoring.alarmTopic).toBe(topic);
    const template = Template.fromStack(stack);
    expect(find(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic')).toEqual({});
    expect(one(template, 'AWS::CloudWatch::CompositeAlarm', 'MonitoringPageApi').props.AlarmActions).toEqual([{ Ref: one(template, 'AWS::SNS::Topic', 'OnCall').id }]);
  });

  test('without an API target group, the API SLOs use the whole load balancer, with a note', () => {
    const stack = newStack({ env: true });
    const parts = buildParts(stack, PlatformStage.PROD);
    new PlatformMonitoring(stack, 'Monitoring', { stage: PlatformStage.PROD, loadBalancer: parts.loadBalancer });
    const template = Template.fromStack(stack);
    const l = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringApiAvailabilitySloBurn1hLong').props;
    expect(l.Metrics.find((m: any) => m.Id === 'e').MetricStat.Metric.Dimensions.map((d: any) => d.Name)).toEqual(['LoadBalancer']);
    expect(orphanMetrics(template.toJSON())).toEqual([]);
    Annotations.fromStack(stack).hasInfo('/Test/Monitoring', Match.stringLikeRegexp('No apiTargetGroup'));
  });

  test('an imported bucket is skipped with a warning; a given filter id is used as is', () => {
    const stack = newStack();
    const imported = s3.Bucket.fromBucketName(stack, 'Imported', 'some-bucket');
    new PlatformMonitoring(stack, 'Skip', { buckets: [imported] });
    const own = new s3.Bucket(stack, 'Own');
    new PlatformMonitoring(stack, 'Given', { buckets: [own], bucketRequestMetricsFilterId: 'all-objects' });
    Annotations.fromStack(stack).hasWarning('/Test/Skip', Match.stringLikeRegexp('imported'));
    const template = Template.fromStack(stack);
    expect(find(template, 'AWS::CloudWatch::Alarm', 'Skip')).toEqual({});
    expect(one(template, 'AWS::S3::Bucket', 'Own').props?.MetricsConfigurations).toBeUndefined();
    expect(one(template, 'AWS::CloudWatch::Alarm', 'GivenBucketsOwnErrors5xx').props.Dimensions).toContainEqual({ Name: 'FilterId', Value: 'all-objects' });
  });

  test('SLO targets, latency threshold, burn-rate windows and workloads are props', () => {
    const stack = newStack();
    const parts = buildParts(stack, PlatformStage.HML);
    new PlatformMonitoring(stack, 'Monitoring', {
      loadBalancer: parts.loadBalancer,
      apiTargetGroup: parts.apiTargetGroup,
      apiAvailabilityTarget: 99.5,
      apiLatencyThreshold: Duration.millis(500),
      apiLatencyTarget: 99,
      burnRateWindows: [{ longWindow: Duration.hours(2), shortWindow: Duration.minutes(10), burnRate: 10, page: true }],
      containerInsights: { clusterName: 'apps', namespace: 'lab', workloads: ['api'] },
    });
    const template = Template.fromStack(stack);
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringApiAvailabilitySloBurn2hLong').props).toMatchObject({ Threshold: 0.05 });
    const latency = one(template, 'AWS::CloudWatch::Alarm', 'MonitoringApiLatencySloBurn2hShort').props;
    expect(latency.Threshold).toBe(0.1);
    expect(latency.Metrics.find((m: any) => m.Id === 'p').MetricStat).toMatchObject({ Stat: 'PR(0:0.5)', Period: 600 });
    expect(find(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodsweb')).toEqual({});
    expect(one(template, 'AWS::CloudWatch::Alarm', 'MonitoringPodsapiCpu').props.Dimensions).toEqual([
      { Name: 'ClusterName', Value: 'apps' }, { Name: 'Namespace', Value: 'lab' }, { Name: 'PodName', Value: 'api' },
    ]);
  });

  test('every invalid prop is reported at once, with the path, the value and the fix', () => {
    const stack = newStack();
    expect(() => new PlatformMonitoring(stack, 'Monitoring', { apiAvailabilityTarget: 100, alarmEmail: 'nobody', metricNamespace: 'AWS/Mine' })).toThrow(
      /PlatformMonitoring at 'Test\/Monitoring' has invalid props:\n {2}- apiAvailabilityTarget = 100: use a percentage.*\n {2}- metricNamespace = 'AWS\/Mine': .*\n {2}- alarmEmail = 'nobody': use an e-mail address/s,
    );
  });

  const w = (longWindow: Duration, shortWindow: Duration, burnRate: number) => ({ longWindow, shortWindow, burnRate });
  test.each<[string, PlatformMonitoringProps, RegExp]>([
    ['availability below 50', { apiAvailabilityTarget: 40 }, /apiAvailabilityTarget = 40: use a percentage from 50/],
    ['latency target 100', { apiLatencyTarget: 100 }, /apiLatencyTarget = 100: use a percentage/],
    ['success target 100', { analysisSuccessTarget: 100 }, /analysisSuccessTarget = 100: use a percentage/],
    ['zero latency', { apiLatencyThreshold: Duration.millis(0) }, /apiLatencyThreshold = 0 millis: use a positive duration/],
    ['sub-second time to result', { timeToResultPer100Files: Duration.millis(10) }, /timeToResultPer100Files = 10 millis: use at least one second/],
    ['fractional connections', { databaseConnectionsThreshold: 1.5 }, /databaseConnectionsThreshold = 1.5: use a positive whole number/],
    ['no windows', { burnRateWindows: [] }, /burnRateWindows = \[\]: give at least one window/],
    ['long window over a day', { burnRateWindows: [w(Duration.days(2), Duration.hours(1), 2)] }, /burnRateWindows\[0\]\.longWindow = 2 days: use whole minutes from 1 minute to 1 day/],
    ['short not shorter', { burnRateWindows: [w(Duration.hours(1), Duration.hours(1), 2)] }, /burnRateWindows\[0\]\.shortWindow = 1 hour: use whole minutes, shorter/],
    ['seconds window', { burnRateWindows: [w(Duration.hours(1), Duration.seconds(90), 2)] }, /burnRateWindows\[0\]\.shortWindow = 1 minute 30 seconds: use whole minutes/],
    ['burn rate that cannot fire', { burnRateWindows: [w(Duration.hours(1), Duration.minutes(5), 25)] }, /burnRateWindows\[0\]\.burnRate = 25: .*can never fire/],
    ['negative burn rate', { burnRateWindows: [w(Duration.hours(1), Duration.minutes(5), -1)] }, /burnRateWindows\[0\]\.burnRate = -1/],
    ['two windows with the same long window', { burnRateWindows: [w(Duration.hours(1), Duration.minutes(5), 2), w(Duration.minutes(60), Duration.minutes(10), 3)] },
      /burnRateWindows\[1\]\.longWindow = 1 hour: give each window a different long window/],
    ['bad ticket e-mail', { ticketEmail: 'a@b' }, /ticketEmail = 'a@b': use an e-mail address/],
    ['empty Slack ids', { slackChannel: { slackWorkspaceId: '', slackChannelId: '' } }, /slackChannel\.slackWorkspaceId = '': .*\n.*slackChannel\.slackChannelId = '':/],
    ['empty cluster and namespace', { containerInsights: { clusterName: '', namespace: '' } }, /containerInsights\.clusterName = '': .*\n.*containerInsights\.namespace = '':/],
    ['bad workload names', { containerInsights: { clusterName: 'c', namespace: 'n', workloads: ['Api_1'] } }, /containerInsights\.workloads = \['Api_1'\]: list one or more/],
    ['additional metrics without a distribution', { distributionAdditionalMetrics: true }, /distributionAdditionalMetrics = true: give the distribution too/],
    ['bad filter id', { bucketRequestMetricsFilterId: 'a b' }, /bucketRequestMetricsFilterId = 'a b': use the id/],
    ['bad namespace characters', { metricNamespace: 'my namespace' }, /metricNamespace = 'my namespace': use up to 255/],
  ])('rejects %s', (_name, props, message) => {
    expect(() => new PlatformMonitoring(newStack(), 'Monitoring', props)).toThrow(message);
  });

  test('a CloudFront-scope web ACL alarm is not created outside us-east-1; a regional one is', () => {
    const stack = newStack({ env: true });
    new PlatformMonitoring(stack, 'Cf', { webAcl: { metricName: 'edge' } });
    new PlatformMonitoring(stack, 'Regional', { webAcl: { metricName: 'alb', scope: WebAclScope.REGIONAL } });
    const template = Template.fromStack(stack);
    expect(find(template, 'AWS::CloudWatch::Alarm', 'Cf')).toEqual({});
    expect(Object.keys(find(template, 'AWS::CloudWatch::Alarm', 'RegionalEdgeWafBlocked'))).toHaveLength(1);
    Annotations.fromStack(stack).hasWarning('/Test/Cf', Match.stringLikeRegexp('WAF \\(CloudFront scope\\)'));
  });

  test('DESTROY without the context opt-in keeps the key and the event log', () => {
    const stack = newStack();
    const parts = buildParts(stack, PlatformStage.HML);
    new PlatformMonitoring(stack, 'Monitoring', { stateMachine: parts.stateMachine, removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(template.findResources('AWS::KMS::Key')[one(template, 'AWS::KMS::Key', 'MonitoringKey').id].DeletionPolicy).toBe('Retain');
    expect(template.findResources('AWS::Logs::LogGroup')[one(template, 'AWS::Logs::LogGroup', 'MonitoringEventLog').id].DeletionPolicy).toBe('Retain');
  });

  test('DESTROY with the context opt-in destroys them in hml', () => {
    const stack = newStack({ context: { [ALLOW_DESTROY_CONTEXT_KEY]: true } });
    const parts = buildParts(stack, PlatformStage.HML);
    new PlatformMonitoring(stack, 'Monitoring', { stateMachine: parts.stateMachine, removalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    expect(template.findResources('AWS::KMS::Key')[one(template, 'AWS::KMS::Key', 'MonitoringKey').id].DeletionPolicy).toBe('Delete');
    expect(template.findResources('AWS::Logs::LogGroup')[one(template, 'AWS::Logs::LogGroup', 'MonitoringEventLog').id].DeletionPolicy).toBe('Delete');
  });

  test('a custom worker error pattern and metric namespace are used', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Worker');
    new PlatformMonitoring(stack, 'Monitoring', {
      workerLogGroup: logGroup,
      workerErrorPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: 'Biotech/Platform',
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: '{ $.level = "error" }',
      MetricTransformations: [Match.objectLike({ MetricNamespace: 'Biotech/Platform', MetricName: 'WorkerErrors' })],
    });
    expect(orphanMetrics(template.toJSON())).toEqual([]);
  });
});
