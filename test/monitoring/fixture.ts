import {
  aws_batch as batch,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_ec2 as ec2,
  aws_eks as eks,
  aws_elasticloadbalancingv2 as elbv2,
  aws_logs as logs,
  aws_rds as rds,
  aws_s3 as s3,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
  aws_wafv2 as wafv2,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlatformNetwork, PlatformStage } from '../../src';
import { PlatformMonitoringProps, WebAclScope } from '../../src/monitoring/platform-monitoring-props';

/**
 * Real resources of every kind PlatformMonitoring watches, built directly in the test stack
 * (standing in for the sibling constructs, which may not exist yet).
 */
export interface MonitoredParts {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly apiTargetGroup: elbv2.ApplicationTargetGroup;
  readonly database: rds.DatabaseCluster;
  readonly stateMachine: sfn.StateMachine;
  readonly completionDeadLetterQueue: sqs.Queue;
  readonly jobQueue: batch.JobQueue;
  readonly buckets: s3.Bucket[];
  readonly workerLogGroup: logs.LogGroup;
  readonly cluster: eks.CfnCluster;
  readonly webAcl: wafv2.CfnWebACL;
  readonly distribution: cloudfront.Distribution;
}

export function buildParts(stack: Stack, stage: PlatformStage): MonitoredParts {
  const scope = new Construct(stack, 'Parts');
  const { vpc } = new PlatformNetwork(scope, 'Network', { stage });

  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'Alb', { vpc, internetFacing: false });
  const webTargetGroup = new elbv2.ApplicationTargetGroup(scope, 'WebTargets', {
    vpc, port: 3000, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  const apiTargetGroup = new elbv2.ApplicationTargetGroup(scope, 'ApiTargets', {
    vpc, port: 8000, protocol: elbv2.ApplicationProtocol.HTTP, targetType: elbv2.TargetType.IP,
  });
  const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.forward([webTargetGroup]) });
  listener.addTargetGroups('Api', {
    targetGroups: [apiTargetGroup], priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])],
  });

  const database = new rds.DatabaseCluster(scope, 'Db', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('Writer'),
    serverlessV2MinCapacity: 0.5,
    serverlessV2MaxCapacity: 4,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });

  const stateMachine = new sfn.StateMachine(scope, 'Analysis', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(scope, 'Start')),
  });
  const computeEnvironment = new batch.FargateComputeEnvironment(scope, 'Compute', { vpc, spot: true });
  const jobQueue = new batch.JobQueue(scope, 'Queue', { computeEnvironments: [{ computeEnvironment, order: 1 }] });

  const completionDeadLetterQueue = new sqs.Queue(scope, 'CompletionDeadLetters');
  const buckets = [new s3.Bucket(scope, 'Uploads'), new s3.Bucket(scope, 'Results')];
  const workerLogGroup = new logs.LogGroup(scope, 'WorkerLogs');

  const cluster = new eks.CfnCluster(scope, 'Cluster', {
    roleArn: 'arn:aws:iam::123456789012:role/eks',
    resourcesVpcConfig: { subnetIds: vpc.privateSubnets.map((s) => s.subnetId) },
  });
  new eks.CfnAddon(scope, 'Observability', { clusterName: cluster.ref, addonName: 'amazon-cloudwatch-observability' });

  const webAcl = new wafv2.CfnWebACL(scope, 'AlbWebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'platform-alb', sampledRequestsEnabled: true },
  });
  const distribution = new cloudfront.Distribution(scope, 'Cdn', {
    defaultBehavior: { origin: new origins.HttpOrigin('origin.example.com') },
  });
  return {
    loadBalancer,
    apiTargetGroup,
    database,
    stateMachine,
    completionDeadLetterQueue,
    jobQueue,
    buckets,
    workerLogGroup,
    cluster,
    webAcl,
    distribution,
  };
}

/** PlatformMonitoring props that watch every part (the CloudFront distribution gets alarms only in us-east-1). */
export function everyPart(parts: MonitoredParts, stage: PlatformStage): PlatformMonitoringProps {
  return {
    stage,
    loadBalancer: parts.loadBalancer,
    apiTargetGroup: parts.apiTargetGroup,
    database: parts.database,
    stateMachine: parts.stateMachine,
    completionDeadLetterQueue: parts.completionDeadLetterQueue,
    jobQueues: [parts.jobQueue],
    buckets: parts.buckets,
    workerLogGroup: parts.workerLogGroup,
    containerInsights: { clusterName: parts.cluster.ref, namespace: 'proteomics' },
    webAcl: { metricName: 'platform-alb', scope: WebAclScope.REGIONAL },
    distribution: parts.distribution,
    alarmEmail: 'oncall@example.com',
    slackChannel: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
  };
}
