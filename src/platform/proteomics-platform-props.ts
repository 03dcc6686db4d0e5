import { aws_ecs as ecs, aws_iam as iam, aws_sns as sns, Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import { WorkloadImage } from '../cluster/workload-image';
import { EdgeDomain } from '../edge/platform-edge-props';
import { ExternalOidcIssuer } from '../identity/platform-identity-props';
import { SlackChannelOptions } from '../monitoring/platform-monitoring-props';
import { PipelineComputeType } from '../pipeline/analysis-pipeline-props';
import { PlatformStage } from '../stage/platform-stage';
import { InstantAccessTiering } from '../storage/retention-buckets-props';

/** Network options of `ProteomicsPlatform`. */
export interface PlatformNetworkOptions {
  /** The VPC's IPv4 CIDR block. @default '10.0.0.0/16' */
  readonly cidr?: string;
  /** Availability zones. @default - 2 in hml, 3 in prod */
  readonly maxAzs?: number;
  /** NAT gateways (or NAT instances). @default - 1 in hml, one per AZ in prod */
  readonly natGateways?: number;
  /** NAT instances (t4g.nano) instead of NAT gateways: `PlatformNetworkProps.natInstances`. @default - true in hml, false in prod */
  readonly natInstances?: boolean;
  /** Interface VPC endpoints: `PlatformNetworkProps.interfaceEndpoints`. @default - false in both stages */
  readonly interfaceEndpoints?: boolean;
}

/** Storage options of `ProteomicsPlatform`. */
export interface PlatformStorageOptions {
  /** How long uploads stay (instantly readable) before they expire. @default Duration.days(365) */
  readonly uploadsRetention?: Duration;
  /** How long results are kept. @default Duration.days(1827) (5 years) */
  readonly resultsRetention?: Duration;
  /** The instant-access class results move to after a while. @default - RetentionBuckets' default */
  readonly resultsTiering?: InstantAccessTiering;
  /** Scan new uploads with GuardDuty Malware Protection for S3. @default - RetentionBuckets' default */
  readonly malwareScanning?: boolean;
  /** More origins allowed to upload from the browser (the app's own URL is always allowed). @default - none */
  readonly extraCorsOrigins?: string[];
}

/** Database options of `ProteomicsPlatform`. */
export interface PlatformDatabaseOptions {
  /** Minimum ACU (0 lets hml pause). @default - 0 in hml, 0.5 in prod */
  readonly minCapacity?: number;
  /** Maximum ACU. @default - 4 in hml, 16 in prod */
  readonly maxCapacity?: number;
  /** A reader in another AZ. @default - false in hml, true in prod */
  readonly reader?: boolean;
  /** Automated backup retention. @default - 7 days in hml, 35 in prod */
  readonly backupRetention?: Duration;
  /** Monthly snapshots kept as long as the results. @default - false in hml, true in prod */
  readonly longTermBackups?: boolean;
  /** The PostgreSQL user the API connects as, with IAM authentication. @default 'biotech_api' */
  readonly apiUser?: string;
}

/** Analysis pipeline options of `ProteomicsPlatform`. */
export interface PlatformPipelineOptions {
  /** Fargate (Spot) or EC2 (Spot) compute. @default - AnalysisPipeline's default (Fargate) */
  readonly computeType?: PipelineComputeType;
  /** vCPUs per analysis task. @default - AnalysisPipeline's default */
  readonly vcpus?: number;
  /** Memory per analysis task. @default - AnalysisPipeline's default */
  readonly memory?: Size;
  /** The largest file expected (sizes the task's disk at 3×). @default - AnalysisPipeline's default */
  readonly largestExpectedFileSize?: Size;
  /** Consecutive files one task analyses (small files share a container start). @default 1 */
  readonly filesPerTask?: number;
  /** Upper bound of vCPUs running at once. @default - AnalysisPipeline's default */
  readonly maxVcpus?: number;
  /** Escalate from Spot to on-demand. @default - false in hml, true in prod */
  readonly onDemandEscalation?: boolean;
}

/** Props of `ProteomicsPlatform`. Every prop is optional: `{}` gives a complete hml platform. */
export interface ProteomicsPlatformProps {
  /**
   * The stage whose defaults apply to every part.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * The API's image (FastAPI; port 8080, health `/api/healthz`, readiness `/api/readyz`; `python -m biotech_api.bootstrap` creates its database user and runs the migrations).
   * @default - a clearly labelled placeholder page, and no database bootstrap job
   */
  readonly apiImage?: WorkloadImage;
  /**
   * More environment variables for the API's container: its own settings, e.g. the per-user
   * storage quota (`MAX_STORAGE_BYTES_PER_USER`) or `MAX_SAMPLES_PER_USER`. Variables the platform
   * sets itself (buckets, state machine, queue, database, identity provider, region, stage and
   * the uploads bucket's retention windows) cannot be given here.
   * @default - none: the API's own defaults apply
   */
  readonly apiEnvironment?: { [key: string]: string };
  /**
   * The web app's image (Next.js; port 3000, health `/healthz`).
   * @default - a clearly labelled placeholder page
   */
  readonly webImage?: WorkloadImage;
  /**
   * The analysis image run by AWS Batch for each file.
   * @default - the bundled worker, built from the package's `worker/` folder
   */
  readonly analysisImage?: ecs.ContainerImage;
  /**
   * A custom domain for the app (an ACM certificate and Route 53 aliases are added).
   * @default - the app is served on CloudFront's default domain, over HTTPS
   */
  readonly domain?: EdgeDomain;
  /**
   * The CLOUDFRONT-scope web ACL and certificate from a us-east-1 edge stack (`PlatformEdgeGlobal`),
   * and the WAF options. Outside us-east-1 the certificate is needed with `domain`; the web ACL is
   * recommended (without it, a regional web ACL on the load balancer is the WAF).
   * @default - created by the platform when its stack is in us-east-1; elsewhere a regional web ACL
   */
  readonly edge?: PlatformEdgeOptions;
  /**
   * Trust this OIDC issuer instead of creating a Cognito user pool.
   * @default - a Cognito user pool (Plus plan, threat protection; MFA required in production)
   */
  readonly externalIssuer?: ExternalOidcIssuer;
  /**
   * E-mail address paged by the alarms.
   * @default - no e-mail subscription
   */
  readonly alarmEmail?: string;
  /**
   * An existing topic alarms page to.
   * @default - a topic is created
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Slack channel (through AWS Chatbot) for pages and tickets.
   * @default - none
   */
  readonly slackChannel?: SlackChannelOptions;
  /**
   * CIDR blocks allowed to reach the Kubernetes API's public endpoint (administrators, CI).
   * @default - private endpoint only
   */
  readonly allowedCidrs?: string[];
  /**
   * Roles given cluster admin through EKS access entries.
   * @default - none
   */
  readonly adminRoles?: iam.IRole[];
  /** Network options. @default - the stage's */
  readonly network?: PlatformNetworkOptions;
  /** Storage options. @default - the stage's */
  readonly storage?: PlatformStorageOptions;
  /** Database options. @default - the stage's */
  readonly database?: PlatformDatabaseOptions;
  /** Analysis pipeline options. @default - the stage's */
  readonly pipeline?: PlatformPipelineOptions;
  /**
   * A CloudTrail trail with S3 data events on the results bucket, for accounts without an
   * organisation trail.
   * @default false
   */
  readonly cloudTrail?: boolean;
  /**
   * Removal policy of every stateful resource. DESTROY also needs the `ALLOW_DESTROY_CONTEXT_KEY`
   * context opt-in and a stage that allows destroying (never prod); locked results are never destroyed.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * More tags for every taggable resource (`project`, `stage` and `component` are always set).
   * @default - none
   */
  readonly tags?: { [key: string]: string };
}

/** Edge resources that must live in us-east-1, from a `PlatformEdgeGlobal` stack, and the WAF. */
export interface PlatformEdgeOptions {
  /**
   * The CLOUDFRONT-scope web ACL's ARN (recommended outside us-east-1).
   * @default - created when the stack is in us-east-1; elsewhere CloudFront has none and the
   * load balancer gets a regional web ACL (with a synth-time warning)
   */
  readonly webAclArn?: string;
  /**
   * A regional WAF web ACL on the load balancer (rate limit per `X-Forwarded-For` address).
   * @default - on when CloudFront gets no web ACL: no `webAclArn` and a stack outside us-east-1
   * or with no explicit region; off otherwise
   */
  readonly regionalWaf?: boolean;
  /** The us-east-1 ACM certificate's ARN for `domain`. @default - created when the stack is in us-east-1 */
  readonly certificateArn?: string;
  /** Requests per 5 minutes per client before the WAF (CloudFront's and the regional one) blocks. @default 2000 */
  readonly rateLimit?: number;
}
