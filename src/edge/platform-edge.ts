import {
  Annotations,
  aws_certificatemanager as acm,
  aws_cloudfront as cloudfront,
  aws_cloudfront_origins as origins,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_route53 as route53,
  aws_route53_targets as targets,
  aws_s3 as s3,
  aws_wafv2 as wafv2,
  Duration,
  Stack,
  Token,
  custom_resources as cr,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { checkRateLimit, createEdgeCertificate, createEdgeWebAcl } from './cloudfront-resources';
import { PlatformEdgeProps } from './platform-edge-props';
import { Acknowledge } from '../compliance/acknowledge';
import { acknowledgeCdkHandler } from '../core/cdk-handler-findings';
import { LogTargetBucket } from '../core/log-target-bucket';
import { resolveRemovalPolicy } from '../core/removal';
import { PropsValidator } from '../core/validation';
import { PlatformStage } from '../stage/platform-stage';

/**
 * The name of the security group CloudFront creates in the VPC with the first VPC origin; its
 * network interfaces, from which CloudFront reaches the load balancer, carry it.
 */
export const VPC_ORIGIN_SECURITY_GROUP_NAME = 'CloudFront-VPCOrigins-Service-SG';

/**
 * The edge's Content-Security-Policy, sent only with responses that carry none of their own (the
 * API's JSON, static assets): the web app's pages send their own per-request nonce policy, which
 * the edge must not replace.
 */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";

/**
 * CloudFront in front of the platform: the only way in.
 *
 * - a VPC origin to the internal load balancer (the ALB has no public address);
 * - HTTPS only for viewers (HTTP redirects), TLS 1.2 or newer on a custom domain; on the default
 *   `*.cloudfront.net` domain CloudFront's own certificate and policy apply;
 * - security response headers (HSTS, nosniff, frame denial, referrer policy, CSP) on every response;
 * - `/_next/static/*` (the web app's fingerprinted assets) cached at the edge; `/api/*` and pages
 *   never cached, with every viewer header (Authorization included), cookie and query string
 *   forwarded;
 * - a CLOUDFRONT-scope WAF web ACL: IP reputation, common rules, known bad inputs, SQL injection
 *   and a per-IP rate limit;
 * - standard access logs to an SSE-S3 bucket with ACLs enabled (what CloudFront's log delivery needs);
 * - with `domain`, a certificate and Route 53 A/AAAA alias records.
 *
 * The web ACL and certificate must be in us-east-1: a stack in us-east-1 creates them itself; a
 * stack elsewhere is given their ARNs (`PlatformEdgeGlobal` in a us-east-1 stack makes them). A
 * stack outside us-east-1 (or with no explicit region) may instead rely on a regional web ACL on
 * the load balancer (`originHasRegionalWebAcl`), with a synth-time warning recommending
 * `PlatformEdgeGlobal`; without either, synth fails with an explanation. A custom domain outside
 * us-east-1 always needs `certificateArn`.
 *
 * @example
 * declare const cluster: AppCluster;
 * declare const webAclArn: string;
 * new PlatformEdge(this, 'Edge', { loadBalancer: cluster.loadBalancer, webAclArn, stage: PlatformStage.PROD });
 */
export class PlatformEdge extends Construct {
  /** The CloudFront distribution. */
  public readonly distribution: cloudfront.Distribution;
  /** The web ACL, when it was created here (stack in us-east-1, no `webAclArn`). */
  public readonly webAcl?: wafv2.CfnWebACL;
  /**
   * The ARN of CloudFront's web ACL; undefined when CloudFront has none (a stack outside
   * us-east-1 without `webAclArn`, whose load balancer has a regional web ACL).
   */
  public readonly webAclArn?: string;
  /** The certificate of the custom domain, when there is one. */
  public readonly certificate?: acm.ICertificate;
  /** The bucket CloudFront writes its access logs to. */
  public readonly logBucket: s3.IBucket;
  /** The security response headers policy. */
  public readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The domain users open: the custom domain, or the distribution's `*.cloudfront.net` name. */
  public readonly domainName: string;
  /** The URL of the platform (`https://<domainName>`). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PlatformEdgeProps) {
    super(scope, id);
    const stage = props.stage ?? PlatformStage.HML;
    const region = Stack.of(this).region;
    const regionKnown = !Token.isUnresolved(region);
    const inUsEast1 = region === 'us-east-1';
    const originHttps = props.originHttps ?? false;

    const originWaf = props.originHasRegionalWebAcl ?? false;
    // CloudFront web ACLs can only be created in us-east-1. Elsewhere (or where the region is
    // only known at deploy time) without a webAclArn, the load balancer's regional web ACL is the
    // WAF, and synth recommends PlatformEdgeGlobal.
    const withoutEdgeAcl = props.webAclArn === undefined && !inUsEast1 && originWaf;
    const v = new PropsValidator(this, 'PlatformEdge');
    if (regionKnown && !inUsEast1) {
      v.check(props.webAclArn !== undefined || originWaf, 'webAclArn', props.webAclArn,
        `this stack is in ${region}, but CloudFront web ACLs can only be created in us-east-1: create PlatformEdgeGlobal in a ` +
        'us-east-1 stack and pass its webAclArn (with crossRegionReferences: true on both stacks), or put a regional web ACL ' +
        'on the load balancer (AppCluster regionalWaf) and set originHasRegionalWebAcl.');
      if (props.domain) {
        v.check(props.certificateArn !== undefined, 'certificateArn', props.certificateArn,
          `this stack is in ${region}, but CloudFront certificates must be in us-east-1: create PlatformEdgeGlobal with the same ` +
          'domain in a us-east-1 stack and pass its certificateArn.');
      }
    }
    if (props.certificateArn !== undefined && !Token.isUnresolved(props.certificateArn)) {
      v.check(/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/.+$/.test(props.certificateArn), 'certificateArn', props.certificateArn,
        'give the ARN of an ACM certificate in us-east-1 (CloudFront only uses certificates from there).');
    }
    if (props.webAclArn !== undefined && !Token.isUnresolved(props.webAclArn)) {
      v.check(/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+$/.test(props.webAclArn), 'webAclArn', props.webAclArn,
        'give the ARN of a CLOUDFRONT-scope WAFv2 web ACL (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>).');
    }
    v.check(props.certificateArn === undefined || props.domain !== undefined, 'certificateArn', props.certificateArn,
      'a certificate is only used with a custom domain: give domain too, or drop certificateArn.');
    v.check(!originHttps || props.originDomainName !== undefined, 'originHttps', originHttps,
      'HTTPS to the load balancer needs originDomainName, a name covered by the ALB certificate (its *.elb.amazonaws.com name cannot be).');
    checkRateLimit(v, props.rateLimit);
    v.throwIfInvalid();
    if (!regionKnown && ((props.webAclArn === undefined && !originWaf) || (props.domain && props.certificateArn === undefined))) {
      Annotations.of(this).addWarningV2('@cdk-proteomics-platform:edgeRegionUnknown',
        'The stack has no explicit region, so the CloudFront web ACL (and certificate) are created in it: the deployment fails ' +
        'unless the stack is deployed to us-east-1. Give the stack an env, or pass webAclArn/certificateArn from PlatformEdgeGlobal.');
    }
    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, stage);

    // ---- web ACL and certificate (us-east-1 only) -----------------------------------------
    if (props.webAclArn !== undefined) {
      this.webAclArn = props.webAclArn;
    } else if (withoutEdgeAcl) {
      Annotations.of(this).addWarningV2('@cdk-proteomics-platform:edgeWithoutWebAcl',
        `CloudFront has no web ACL: ${regionKnown ? `this stack is in ${region}` : 'this stack has no explicit region'}, and CloudFront ` +
        'web ACLs can only be created in us-east-1. The regional web ACL on the load balancer filters requests instead; it sees ' +
        'them after CloudFront and limits rates per X-Forwarded-For address, which a client can forge. Recommended: create ' +
        'PlatformEdgeGlobal in a us-east-1 stack and pass its webAclArn (ProteomicsPlatform: edge.webAclArn).');
    } else {
      this.webAcl = createEdgeWebAcl(this, props.rateLimit, stage, removalPolicy).webAcl;
      this.webAclArn = this.webAcl.attrArn;
    }
    if (props.domain) {
      this.certificate = props.certificateArn !== undefined
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn)
        : createEdgeCertificate(this, props.domain.domainName, props.domain.hostedZone);
    }

    // ---- logs -----------------------------------------------------------------------------
    this.logBucket = props.logBucket ?? new LogTargetBucket(this, 'Logs', {
      // CloudFront standard logging writes objects with an ACL granting the bucket owner control.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      stage,
      removalPolicy,
    });

    // ---- distribution ---------------------------------------------------------------------
    const overrideOrigin = props.overrideOriginSecurityHeaders ?? false;
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Security headers of the proteomics platform',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        // The origin's own Content-Security-Policy and Referrer-Policy win unless told otherwise:
        // the web app's nonce policy (script-src with a per-request nonce, connect-src to the
        // buckets) cannot be expressed in a static edge header, and replacing it weakens it.
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: overrideOrigin },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy: props.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY,
          override: overrideOrigin,
        },
      },
      removeHeaders: ['Server', 'X-Powered-By'],
    });
    const origin = origins.VpcOrigin.withApplicationLoadBalancer(props.loadBalancer, {
      domainName: props.originDomainName,
      protocolPolicy: originHttps ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      readTimeout: Duration.seconds(60),
    });
    const dynamic: Omit<cloudfront.BehaviorOptions, 'origin'> = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      // Nothing dynamic is cached; with caching off, AllViewer forwards every header, Authorization included.
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER,
      responseHeadersPolicy: this.responseHeadersPolicy,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Proteomics platform (${stage.name})`,
      defaultBehavior: { origin, ...dynamic },
      additionalBehaviors: {
        '/api/*': { origin, ...dynamic, viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY },
        '/_next/static/*': {
          origin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
      domainNames: props.domain ? [props.domain.domainName] : undefined,
      certificate: this.certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass ?? cloudfront.PriceClass.PRICE_CLASS_100,
      webAclId: this.webAclArn,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      enableIpv6: true,
    });
    this.admitOnlyVpcOrigin(props);

    if (props.domain) {
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasA', { zone: props.domain.hostedZone, recordName: props.domain.domainName, target });
      new route53.AaaaRecord(this, 'AliasAaaa', { zone: props.domain.hostedZone, recordName: props.domain.domainName, target });
      this.domainName = props.domain.domainName;
    } else {
      this.domainName = this.distribution.distributionDomainName;
    }
    this.url = `https://${this.domainName}`;

    this.acknowledgeFindings(props);
  }

  private acknowledgeFindings(props: PlatformEdgeProps): void {
    Acknowledge.rules(this.distribution, 'The platform serves scientists worldwide; access is controlled by authentication and the WAF, not by country.', [
      'AwsSolutions-CFR1',
    ]);
    if (!props.domain) {
      Acknowledge.rules(this.distribution,
        'On the default *.cloudfront.net domain CloudFront\'s own certificate and security policy apply and cannot be set; give a domain for TLSv1.2_2021.', [
          'AwsSolutions-CFR4',
        ]);
    }
    if (!(props.originHttps ?? false)) {
      Acknowledge.rules(this.distribution,
        'The origin is an internal ALB reached through a CloudFront VPC origin inside the VPC, never over the internet; viewers use HTTPS.', [
          'AwsSolutions-CFR5',
        ]);
    }
    if (!this.webAclArn) {
      Acknowledge.rules(this.distribution,
        'CloudFront web ACLs can only be created in us-east-1 and none was given: the origin load balancer has a regional WAF web ACL.', [
          'AwsSolutions-CFR2',
        ]);
    }
    if (!props.logBucket) {
      // CloudFront standard logging also needs ACLs enabled on the bucket.
      Acknowledge.logTargetBucket(this.logBucket, 'CloudFront access logs');
    }
  }

  /**
   * Admits only CloudFront's VPC-origin security group to the load balancer's listener port.
   *
   * CloudFront creates that group (`CloudFront-VPCOrigins-Service-SG`) in the VPC when the first
   * VPC origin is created, so its id is unknown at synth time: a custom resource looks it up by
   * name and VPC once the distribution (and with it the VpcOrigin) exists, and the ingress rule
   * refers to its answer. On a first deploy the load balancer admits nothing until then.
   */
  private admitOnlyVpcOrigin(props: PlatformEdgeProps): void {
    const lb = props.loadBalancer;
    const groups = lb.connections.securityGroups;
    if (!(props.admitOnlyVpcOrigin ?? true) || lb.vpc === undefined || groups.length === 0) return;
    const lookup = new cr.AwsCustomResource(this, 'VpcOriginSecurityGroup', {
      resourceType: 'Custom::VpcOriginSecurityGroup',
      onUpdate: {
        service: 'EC2',
        action: 'describeSecurityGroups',
        parameters: {
          Filters: [
            { Name: 'group-name', Values: [VPC_ORIGIN_SECURITY_GROUP_NAME] },
            { Name: 'vpc-id', Values: [lb.vpc.vpcId] },
          ],
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('SecurityGroups.0.GroupId'),
        outputPaths: ['SecurityGroups.0.GroupId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ec2:DescribeSecurityGroups'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
    });
    lookup.node.addDependency(this.distribution);
    const port = props.originHttps ? 443 : 80;
    new ec2.CfnSecurityGroupIngress(this, 'OriginIngress', {
      groupId: groups[0].securityGroupId,
      ipProtocol: 'tcp',
      fromPort: port,
      toPort: port,
      sourceSecurityGroupId: lookup.getResponseField('SecurityGroups.0.GroupId'),
      description: 'CloudFront VPC origin only (its service-managed security group)',
    });
    Acknowledge.iamWildcards(lookup, 'ec2:DescribeSecurityGroups has no resource-level permissions: it needs "*".', { resources: ['*'] });
    Acknowledge.rules(lookup, 'AwsCustomResource attaches its one read-only statement (ec2:DescribeSecurityGroups) as an inline policy of its role.', [
      'HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5-IAMNoInlinePolicy',
    ]);
    // The handler of every AwsCustomResource in the stack (aws-cdk-lib's singleton).
    acknowledgeCdkHandler(
      this,
      'AWS679f53fac002430cb0da5b7982bd2287',
      'aws-cdk-lib\'s AwsCustomResource handler: it runs only at deploy time to look up a security group, ' +
        'its runtime and managed policy are chosen by aws-cdk-lib, and it needs no VPC access, DLQ or concurrency limit.',
    );
  }
}
