import { aws_ec2 as ec2, aws_iam as iam, aws_s3 as s3, RemovalPolicy } from 'aws-cdk-lib';
import { WorkloadImage } from './workload-image';
import type { AuroraDatabase } from '../database/aurora-database';
import type { AnalysisPipeline } from '../pipeline/analysis-pipeline';
import { PlatformStage } from '../stage/platform-stage';
import type { RetentionBuckets } from '../storage/retention-buckets';

/**
 * How one workload (the API or the web app) runs on the cluster.
 *
 * Every field is optional: what is not given comes from the stage and the workload's own
 * defaults. Sizes use Kubernetes quantities (`250m` CPU, `512Mi` memory).
 */
export interface WorkloadOptions {
  /**
   * The container image.
   * @default - a clearly labelled placeholder (unprivileged nginx serving a static page and the
   * health path), with a synth-time warning
   */
  readonly image?: WorkloadImage;
  /**
   * The port the container listens on (HTTP).
   * @default - 8080 for the API and the placeholder, 3000 for the web app
   */
  readonly port?: number;
  /**
   * Replicas when the autoscaler is idle (the HorizontalPodAutoscaler's minimum).
   * @default - 1 in a non-production stage, 3 (one per AZ) in production
   */
  readonly minReplicas?: number;
  /**
   * The HorizontalPodAutoscaler's maximum.
   * @default - 3 in a non-production stage, 12 in production
   */
  readonly maxReplicas?: number;
  /**
   * Average CPU utilisation (percent of the request) the autoscaler aims for.
   * @default 70
   */
  readonly targetCpuUtilization?: number;
  /**
   * CPU request.
   * @default '250m'
   */
  readonly cpuRequest?: string;
  /**
   * CPU limit. Leave unset to let pods burst on idle CPU (no throttling).
   * @default - no CPU limit
   */
  readonly cpuLimit?: string;
  /**
   * Memory request.
   * @default '512Mi'
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit (a pod over it is killed and restarted).
   * @default '1Gi'
   */
  readonly memoryLimit?: string;
  /**
   * Environment variables (in addition to those AppCluster injects for the API: bucket names,
   * state machine ARN, database endpoint and secret ARN, region).
   * @default - none
   */
  readonly environment?: { [key: string]: string };
  /**
   * Path of the liveness and startup probes and of the load balancer's health check. It must not
   * touch the database: on hml Aurora pauses at 0 ACU only when no connection is open.
   * @default - '/api/healthz' for the API, '/healthz' for the web app
   */
  readonly healthPath?: string;
  /**
   * Path of the readiness probe.
   * @default - the health path
   */
  readonly readinessPath?: string;
  /**
   * The numeric user id the container runs as (it must not be 0). A numeric id is needed for
   * `runAsNonRoot` to be checked by the kubelet when the image names its user.
   * @default 10001 (101 for the placeholder image)
   */
  readonly runAsUser?: number;
}

/**
 * Props of `AppCluster`.
 */
export interface AppClusterProps {
  /** The VPC (private subnets with egress host the cluster, its nodes and the load balancer). */
  readonly vpc: ec2.IVpc;
  /**
   * The stage whose defaults apply.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * CIDR blocks allowed to reach the public Kubernetes API endpoint (for example your office or
   * CI runners). The private endpoint is always on; with no CIDRs there is no public endpoint at
   * all. `0.0.0.0/0` is refused in a production stage.
   * @default - none: the endpoint is private only (kubectl from inside the VPC, or the CDK kubectl provider)
   */
  readonly endpointPublicAccessCidrs?: string[];
  /**
   * IAM roles given cluster admin through EKS access entries (`AmazonEKSClusterAdminPolicy`).
   * More can be added with `grantAdmin()`.
   * @default - none (only the kubectl provider's role is an admin)
   */
  readonly adminRoles?: iam.IRole[];
  /**
   * The CIDR block Kubernetes Service ClusterIPs come from (`KubernetesNetworkConfig`). The
   * cluster DNS answers on its 10th address (`172.20.0.10` by default), which the namespace's
   * network policy allows on port 53: on EKS Auto Mode DNS runs on each node, with no kube-dns
   * pods a pod selector could match. A private range from /12 to /24 that does not overlap the
   * VPC; it cannot change once the cluster exists.
   * @default '172.20.0.0/16'
   */
  readonly serviceIpv4Cidr?: string;
  /**
   * The Kubernetes namespace of the workloads (labelled for Pod Security Admission `restricted`).
   * @default 'proteomics'
   */
  readonly namespace?: string;
  /**
   * The FastAPI API (served under `/api/*`).
   * @default - the placeholder workload
   */
  readonly api?: WorkloadOptions;
  /**
   * The Next.js web app (every path other than `/api/*`).
   * @default - the placeholder workload
   */
  readonly web?: WorkloadOptions;
  /**
   * The platform's buckets: when given, the API's service account may presign uploads under
   * `uploads/*` (and delete them when a sample is deleted), write analysis manifests and read
   * results.
   * @default - no bucket access
   */
  readonly buckets?: RetentionBuckets;
  /**
   * The database: when given, the API may connect with IAM authentication as `databaseUser`,
   * read the database secret, and reach the database port from the cluster's security group.
   * @default - no database access
   */
  readonly database?: AuroraDatabase;
  /**
   * The database user the API connects as with IAM authentication.
   * @default 'biotech_api'
   */
  readonly databaseUser?: string;
  /**
   * The analysis pipeline: when given, the API may start and describe analyses.
   * @default - no pipeline access
   */
  readonly pipeline?: AnalysisPipeline;
  /**
   * ARN of an ACM certificate (in the stack's region) for an HTTPS listener on the load balancer.
   * CloudFront then reaches the ALB over HTTPS; the certificate must cover the name CloudFront
   * uses for the origin (`PlatformEdgeProps.originDomainName`).
   * @default - an HTTP listener: the ALB is internal and only CloudFront's VPC origin reaches it
   */
  readonly certificateArn?: string;
  /**
   * A regional WAF web ACL on the load balancer (AWS managed IP reputation, common, known bad
   * inputs and SQL injection rules; bodies over 8 KB only on the API paths that need them; a
   * per-viewer rate limit keyed on `X-Forwarded-For`, since behind the CloudFront VPC origin every
   * request comes from CloudFront's network interfaces). Defence in depth behind CloudFront's web
   * ACL, or the only web ACL when CloudFront has none (a stack outside us-east-1 without
   * `PlatformEdgeGlobal`).
   * @default false
   */
  readonly regionalWaf?: boolean;
  /**
   * Admit the listener port from the CIDRs of the load balancer's subnets, where CloudFront's
   * VPC-origin network interfaces live. Every pod, Batch task or function in those subnets then
   * reaches the load balancer too, bypassing CloudFront and the WAF: turn it off when
   * `PlatformEdge` admits CloudFront's own security group instead (`admitOnlyVpcOrigin`, which
   * ProteomicsPlatform does).
   * @default true
   */
  readonly loadBalancerIngressFromVpc?: boolean;
  /**
   * Requests per 5 minutes from one viewer (first `X-Forwarded-For` address) before the regional
   * web ACL blocks it. Needs `regionalWaf`.
   * @default 2000
   */
  readonly regionalWafRateLimit?: number;
  /**
   * Bucket for the load balancer's access logs. It must be encrypted with SSE-S3 (ALB log
   * delivery cannot use KMS) and have no Object Lock default retention.
   * @default - a new SSE-S3 bucket, logs kept for the stage's log retention
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * Removal policy of the stateful parts (the secrets key and the access-log bucket). DESTROY
   * also needs the `ALLOW_DESTROY_CONTEXT_KEY` context opt-in.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
