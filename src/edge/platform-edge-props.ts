import { aws_cloudfront as cloudfront, aws_elasticloadbalancingv2 as elbv2, aws_route53 as route53, aws_s3 as s3, RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/**
 * A custom domain for the platform.
 */
export interface EdgeDomain {
  /** The name users open, e.g. `proteomics.biotech-x.com`. */
  readonly domainName: string;
  /**
   * The public hosted zone that holds `domainName`: it validates the certificate (DNS) and
   * receives the alias records.
   */
  readonly hostedZone: route53.IHostedZone;
}

/**
 * Props of `PlatformEdge`.
 */
export interface PlatformEdgeProps {
  /** The internal load balancer CloudFront reaches through a VPC origin (`AppCluster.loadBalancer`). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * The stage whose defaults apply.
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;
  /**
   * Whether CloudFront reaches the load balancer over HTTPS (`AppCluster.originHttps`: the ALB
   * has a certificate). Needs `originDomainName`.
   * @default false - HTTP inside the VPC; the ALB is internal and only the VPC origin reaches it
   */
  readonly originHttps?: boolean;
  /**
   * The host name CloudFront uses for the origin. With `originHttps` it must be covered by the
   * ALB's certificate (the ALB's own `*.elb.amazonaws.com` name cannot be).
   * @default - the load balancer's DNS name
   */
  readonly originDomainName?: string;
  /**
   * A custom domain, served with `certificateArn` (or a certificate created here when the stack
   * is in us-east-1) and Route 53 alias records (A and AAAA).
   * @default - CloudFront's default `*.cloudfront.net` domain, over HTTPS
   */
  readonly domain?: EdgeDomain;
  /**
   * ARN of the ACM certificate for `domain`, in us-east-1 (`PlatformEdgeGlobal.certificateArn`).
   * Required with `domain` unless this stack is in us-east-1.
   * @default - created here when the stack is in us-east-1 and `domain` is given
   */
  readonly certificateArn?: string;
  /**
   * ARN of a CLOUDFRONT-scope WAFv2 web ACL (`PlatformEdgeGlobal.webAclArn`). CloudFront web
   * ACLs can only be created in us-east-1: elsewhere this is required, unless the load balancer
   * has a regional web ACL (`originHasRegionalWebAcl`).
   * @default - created here when the stack is in us-east-1; none elsewhere with `originHasRegionalWebAcl`
   */
  readonly webAclArn?: string;
  /**
   * Whether the load balancer has a regional WAF web ACL (`AppCluster` `regionalWaf`). Outside
   * us-east-1 (or in a stack with no explicit region) without `webAclArn`, CloudFront then runs
   * without a web ACL of its own, with a synth-time warning recommending `PlatformEdgeGlobal`.
   * @default false - outside us-east-1, `webAclArn` is required
   */
  readonly originHasRegionalWebAcl?: boolean;
  /**
   * Requests from one IP address per 5 minutes before the web ACL (when created here) blocks it.
   * @default 2000
   */
  readonly rateLimit?: number;
  /**
   * Edge locations that serve the platform (cost versus latency far from Europe/North America).
   * @default cloudfront.PriceClass.PRICE_CLASS_100
   */
  readonly priceClass?: cloudfront.PriceClass;
  /**
   * The `Content-Security-Policy` header the edge adds to responses that carry none of their
   * own (API answers, static assets). The web app's pages send their own nonce-based policy,
   * which reaches the browser unchanged unless `overrideOriginSecurityHeaders` is set.
   * @default "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
   */
  readonly contentSecurityPolicy?: string;
  /**
   * Whether the edge's `Content-Security-Policy` and `Referrer-Policy` (`no-referrer`) replace
   * those the origin sends. Leave it off for the platform's web app: its per-request nonce policy
   * is stricter than any static one. Turn it on only for an origin whose own headers are weaker.
   * @default false
   */
  readonly overrideOriginSecurityHeaders?: boolean;
  /**
   * Admit only CloudFront's VPC-origin security group to the load balancer's listener port: a
   * deploy-time lookup of the group CloudFront creates with the VPC origin, and an ingress rule
   * from it on the load balancer's security group. Pair it with AppCluster's
   * `loadBalancerIngressFromVpc: false` (ProteomicsPlatform does), or the subnets' CIDRs still get in.
   * @default true when the load balancer has a VPC and a security group (an imported one may have neither)
   */
  readonly admitOnlyVpcOrigin?: boolean;
  /**
   * Bucket for CloudFront standard access logs. It must have ACLs enabled (object ownership
   * `BUCKET_OWNER_PREFERRED` or `OBJECT_WRITER`): CloudFront's log delivery writes with an ACL.
   * @default - a new SSE-S3 bucket with ACLs enabled, logs kept for the stage's log retention
   */
  readonly logBucket?: s3.IBucket;
  /**
   * Removal policy of the log bucket and the web ACL's log group and key. DESTROY also needs the
   * `ALLOW_DESTROY_CONTEXT_KEY` context opt-in.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}
