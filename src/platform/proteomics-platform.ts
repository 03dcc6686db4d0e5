import { CfnOutput, Lazy, Stack, Tags, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { ProteomicsPlatformProps } from './proteomics-platform-props';
import { PlatformAuditTrail } from '../audit/audit-trail';
import { AppCluster } from '../cluster/app-cluster';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { AuroraDatabase } from '../database/aurora-database';
import { DatabaseBootstrap } from '../database/database-bootstrap';
import { PlatformEdge } from '../edge/platform-edge';
import { PlatformIdentity } from '../identity/platform-identity';
import { PlatformMonitoring } from '../monitoring/platform-monitoring';
import { PlatformNetwork } from '../network/platform-network';
import { AnalysisPipeline } from '../pipeline/analysis-pipeline';
import { PlatformStage } from '../stage/platform-stage';
import { RetentionBuckets } from '../storage/retention-buckets';

/** The value of the `project` cost-allocation tag on every taggable resource. */
export const PROJECT_TAG_VALUE = 'cdk-proteomics-platform';

/**
 * The whole proteomics platform in one construct: network, retention buckets, Aurora
 * PostgreSQL, the Step Functions + AWS Batch analysis pipeline, the EKS cluster with the API and
 * web app behind an internal load balancer, CloudFront with a WAF in front, sign-in, and
 * monitoring — wired together with least-privilege grants.
 *
 * With no props it deploys a complete staging (hml) platform; `{ stage: PlatformStage.PROD }`
 * deploys production. Every part is reachable as a typed field.
 *
 * @example
 * const platform = new ProteomicsPlatform(stack, 'Platform', { stage: PlatformStage.PROD });
 * platform.pipeline.stateMachine;
 */
export class ProteomicsPlatform extends Construct {
  /** The stage this platform was built for. */
  public readonly stage: PlatformStage;
  /** VPC, subnets, NAT (an instance in hml, gateways in prod), flow logs and endpoints. */
  public readonly network: PlatformNetwork;
  /** The uploads (365 days) and results (5 years) buckets, their keys and the access-log bucket. */
  public readonly buckets: RetentionBuckets;
  /** Aurora PostgreSQL Serverless v2. */
  public readonly database: AuroraDatabase;
  /** Step Functions + AWS Batch analyses. */
  public readonly pipeline: AnalysisPipeline;
  /** Who may sign in (Cognito or an external OIDC issuer). */
  public readonly identity: PlatformIdentity;
  /** EKS with the API and web workloads and the internal load balancer. */
  public readonly cluster: AppCluster;
  /** CloudFront, the WAF and (with a domain) the certificate and DNS records. */
  public readonly edge: PlatformEdge;
  /** The dashboard, alarms, SLOs and the alarm topic. */
  public readonly monitoring: PlatformMonitoring;
  /** The job that creates the API's database user and runs migrations (only with an API image). */
  public readonly databaseBootstrap?: DatabaseBootstrap;
  /** The CloudTrail trail, when `cloudTrail` is set. */
  public readonly auditTrail?: PlatformAuditTrail;
  /** The app's URL (CloudFront, or the custom domain). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: ProteomicsPlatformProps = {}) {
    super(scope, id);
    this.stage = props.stage ?? PlatformStage.HML;
    const stage = this.stage;
    validate(this, props);
    const removalPolicy = props.removalPolicy;
    const apiUser = props.database?.apiUser ?? 'biotech_api';

    this.network = new PlatformNetwork(this, 'Network', { ...props.network, stage, removalPolicy });
    const vpc = this.network.vpc;

    // Browsers upload straight to S3 from the app's origin, known only once the edge exists.
    const appOrigin = Lazy.string({ produce: () => this.url });
    this.buckets = new RetentionBuckets(this, 'Buckets', {
      stage,
      uploadsRetention: props.storage?.uploadsRetention,
      resultsRetention: props.storage?.resultsRetention,
      resultsTiering: props.storage?.resultsTiering,
      malwareScanning: props.storage?.malwareScanning,
      corsAllowedOrigins: [appOrigin, ...(props.storage?.extraCorsOrigins ?? [])],
      removalPolicy,
    });

    this.database = new AuroraDatabase(this, 'Database', {
      vpc,
      stage,
      minCapacity: props.database?.minCapacity,
      maxCapacity: props.database?.maxCapacity,
      reader: props.database?.reader,
      backupRetention: props.database?.backupRetention,
      longTermBackups: props.database?.longTermBackups,
      removalPolicy,
    });

    this.pipeline = new AnalysisPipeline(this, 'Pipeline', {
      vpc,
      buckets: this.buckets,
      stage,
      analysisImage: props.analysisImage,
      computeType: props.pipeline?.computeType,
      vcpus: props.pipeline?.vcpus,
      memory: props.pipeline?.memory,
      largestExpectedFileSize: props.pipeline?.largestExpectedFileSize,
      filesPerTask: props.pipeline?.filesPerTask,
      maxVcpus: props.pipeline?.maxVcpus,
      onDemandEscalation: props.pipeline?.onDemandEscalation,
      removalPolicy,
    });

    this.identity = new PlatformIdentity(this, 'Identity', { stage, externalIssuer: props.externalIssuer, removalPolicy });

    const oidc = {
      OIDC_ISSUER: this.identity.issuerUrl,
      OIDC_AUDIENCE: this.identity.audience,
      OIDC_JWKS_URL: this.identity.jwksUrl,
    };
    // CloudFront web ACLs can only be created in us-east-1. Without one from PlatformEdgeGlobal,
    // a stack elsewhere (or with no explicit region) puts a regional web ACL on the load
    // balancer instead, so that zero props deploy in every region; synth recommends the edge stack.
    const edgeAclPossible = props.edge?.webAclArn !== undefined || Stack.of(this).region === 'us-east-1';
    const regionalWaf = props.edge?.regionalWaf ?? !edgeAclPossible;
    this.cluster = new AppCluster(this, 'Cluster', {
      vpc,
      stage,
      buckets: this.buckets,
      database: this.database,
      databaseUser: apiUser,
      pipeline: this.pipeline,
      endpointPublicAccessCidrs: props.allowedCidrs,
      adminRoles: props.adminRoles,
      regionalWaf,
      regionalWafRateLimit: regionalWaf ? props.edge?.rateLimit : undefined,
      // PlatformEdge admits CloudFront's VPC-origin security group instead of the subnets' CIDRs.
      loadBalancerIngressFromVpc: false,
      api: {
        image: props.apiImage,
        environment: { ...props.apiEnvironment, ...oidc, STAGE_NAME: stage.name },
      },
      web: {
        image: props.webImage,
        environment: {
          OIDC_ISSUER: this.identity.issuerUrl,
          OIDC_CLIENT_ID: this.identity.audience,
          OIDC_REDIRECT_URI: Lazy.string({ produce: () => `${this.url}/auth/callback` }),
          // Cognito's /logout endpoint; the web app adds client_id and logout_uri (never a token).
          OIDC_LOGOUT_URL: this.identity.signOutUrl,
          // The logout_uri: registered below as one of the web client's logout URLs.
          OIDC_POST_LOGOUT_REDIRECT_URI: Lazy.string({ produce: () => `${this.url}/` }),
          API_TOKEN_TYPE: 'access',
          STAGE_NAME: stage.name,
        },
      },
      removalPolicy,
    });

    this.edge = new PlatformEdge(this, 'Edge', {
      loadBalancer: this.cluster.loadBalancer,
      stage,
      originHttps: this.cluster.originHttps,
      domain: props.domain,
      certificateArn: props.edge?.certificateArn,
      webAclArn: props.edge?.webAclArn,
      originHasRegionalWebAcl: regionalWaf,
      rateLimit: props.edge?.rateLimit,
      removalPolicy,
    });
    this.url = this.edge.url;
    this.identity.addCallbackUrl(`${this.edge.url}/auth/callback`);
    this.identity.addLogoutUrl(`${this.edge.url}/`);

    // Schema migrations and the API's IAM database user, before the API rolls out.
    if (props.apiImage) {
      this.databaseBootstrap = new DatabaseBootstrap(this, 'DatabaseBootstrap', {
        cluster: this.cluster.cluster,
        namespace: this.cluster.namespace,
        namespaceManifest: this.cluster.namespaceManifest,
        database: this.database,
        image: this.cluster.apiImageUri,
        apiUser,
      });
      this.cluster.apiWorkloadManifest.node.addDependency(this.databaseBootstrap.completion);
    }

    this.monitoring = new PlatformMonitoring(this, 'Monitoring', {
      stage,
      loadBalancer: this.cluster.loadBalancer,
      apiTargetGroup: this.cluster.apiTargetGroup,
      distribution: this.edge.distribution,
      database: this.database.cluster,
      stateMachine: this.pipeline.stateMachine,
      completionDeadLetterQueue: this.pipeline.completionDeadLetterQueue,
      jobQueues: [this.pipeline.jobQueue, ...(this.pipeline.onDemandJobQueue ? [this.pipeline.onDemandJobQueue] : [])],
      workerLogGroup: this.pipeline.jobLogGroup,
      buckets: [this.buckets.uploadsBucket, this.buckets.resultsBucket],
      containerInsights: { clusterName: this.cluster.cluster.clusterName, namespace: this.cluster.namespace },
      alarmEmail: props.alarmEmail,
      alarmTopic: props.alarmTopic,
      slackChannel: props.slackChannel,
      removalPolicy,
    });

    if (props.cloudTrail) {
      this.auditTrail = new PlatformAuditTrail(this, 'AuditTrail', {
        stage,
        dataEventBuckets: [this.buckets.resultsBucket],
        removalPolicy: resolveRemovalPolicy(this, removalPolicy, stage),
      });
    }

    this.tag(props);
    this.outputs();
  }

  private tag(props: ProteomicsPlatformProps): void {
    Tags.of(this).add('project', PROJECT_TAG_VALUE);
    Tags.of(this).add('stage', this.stage.name);
    const components: [IConstruct, string][] = [
      [this.network, 'network'], [this.buckets, 'storage'], [this.database, 'database'], [this.pipeline, 'pipeline'],
      [this.identity, 'identity'], [this.cluster, 'cluster'], [this.edge, 'edge'], [this.monitoring, 'monitoring'],
    ];
    if (this.databaseBootstrap) components.push([this.databaseBootstrap, 'database']);
    if (this.auditTrail) components.push([this.auditTrail, 'audit']);
    for (const [part, component] of components) Tags.of(part).add('component', component);
    for (const [key, value] of Object.entries(props.tags ?? {})) Tags.of(this).add(key, value);
  }

  private outputs(): void {
    const stack = Stack.of(this);
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('AppUrl', this.url, 'The app, served by CloudFront');
    out('ApiUrl', `${this.url}/api`, 'The API, behind the same CloudFront distribution');
    out('UploadsBucketName', this.buckets.uploadsBucket.bucketName, 'Uploads (365 days, instant access)');
    out('ResultsBucketName', this.buckets.resultsBucket.bucketName, 'Results (5 years)');
    out('StateMachineArn', this.pipeline.stateMachine.stateMachineArn, 'The analysis state machine');
    out('ClusterName', this.cluster.cluster.clusterName, 'The EKS cluster');
    out('DashboardUrl', `https://${stack.region}.console.aws.amazon.com/cloudwatch/home?region=${stack.region}#dashboards:name=${this.monitoring.dashboard.dashboardName}`, 'The CloudWatch dashboard');
    out('DatabaseEndpoint', this.database.endpoint.hostname, 'Aurora writer endpoint');
    out('DatabaseSecretArn', this.database.secret.secretArn, 'The database master secret (rotated)');
    if (this.identity.userPool && this.identity.webClient) {
      out('UserPoolId', this.identity.userPool.userPoolId, 'The Cognito user pool');
      out('UserPoolClientId', this.identity.webClient.userPoolClientId, 'The web app\'s Cognito client');
    }
  }
}

/** API variables the platform and AppCluster set (a trailing `_` is a prefix). */
const PLATFORM_API_ENV = [
  'OIDC_', 'DB_', 'AWS_', 'STAGE_NAME', 'UPLOADS_BUCKET', 'RESULTS_BUCKET', 'STATE_MACHINE_ARN', 'COMPLETION_QUEUE_URL',
  'UPLOADS_RETENTION_DAYS', 'INCOMPLETE_UPLOAD_DAYS',
];

function validate(scope: Construct, props: ProteomicsPlatformProps): void {
  const v = new PropsValidator(scope, 'ProteomicsPlatform');
  for (const [key, value] of Object.entries(props.tags ?? {})) {
    v.check(!['project', 'stage', 'component'].includes(key), `tags.${key}`, value,
      `'${key}' is set by the platform itself (cost allocation): choose another key.`);
    v.check(!key.toLowerCase().startsWith('aws:'), `tags.${key}`, value, 'keys starting with "aws:" are reserved by AWS.');
  }
  for (const key of Object.keys(props.apiEnvironment ?? {})) {
    v.check(!PLATFORM_API_ENV.some((managed) => managed.endsWith('_') ? key.startsWith(managed) : key === managed),
      `apiEnvironment.${key}`, props.apiEnvironment![key],
      'the platform sets this variable itself (from the resources it creates): remove it, or change the prop that sets it.');
  }
  const budget = props.apiEnvironment?.MONTHLY_BUDGET_USD_PER_USER;
  if (budget !== undefined && budget.trim() !== '' && !Token.isUnresolved(budget)) {
    // The API refuses to start with any other value (its config.py): say so at synth, not in a
    // crash-looping pod. Blank or absent means no limit.
    const amount = Number(budget.trim());
    v.check(Number.isFinite(amount) && amount > 0, 'apiEnvironment.MONTHLY_BUDGET_USD_PER_USER', budget,
      "the per-user monthly budget is a number of US dollars > 0, e.g. '50'; leave it out for no limit.");
  }
  v.check(!(props.alarmEmail && props.alarmTopic), 'alarmEmail', props.alarmEmail,
    'give either alarmEmail (a topic is created and subscribed) or alarmTopic (your own topic), not both.');
  v.throwIfInvalid();
}
