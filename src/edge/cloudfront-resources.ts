/** What the regional and the us-east-1 edge constructs both build: the CloudFront web ACL, its rate-limit check and the certificate. */
import { aws_certificatemanager as acm, aws_route53 as route53, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PropsValidator } from '../core/validation';
import { PlatformWebAcl } from '../core/web-acl';
import { WebAclScope } from '../core/web-acl-scope';
import { PlatformStage } from '../stage/platform-stage';

/** The rule groups of the CloudFront web ACL (besides the rate-based rule). */
export const EDGE_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
];

/** @internal */
export function checkRateLimit(v: PropsValidator, rateLimit: number | undefined): void {
  v.checkNumber(rateLimit, 'rateLimit', (n) => Number.isInteger(n) && n >= 10 && n <= 2_000_000_000,
    'use a whole number of requests per 5 minutes from 10 to 2,000,000,000.');
}

/** @internal */
export function createEdgeWebAcl(
  scope: Construct, rateLimit: number | undefined, stage: PlatformStage, removalPolicy: RemovalPolicy,
): PlatformWebAcl {
  return new PlatformWebAcl(scope, 'WebAcl', {
    scope: WebAclScope.CLOUDFRONT,
    rateLimit: rateLimit ?? 2000,
    rateLimitKey: 'IP',
    sqlInjection: true,
    logRetention: stage.logRetention,
    removalPolicy,
  });
}

/** @internal */
export function createEdgeCertificate(scope: Construct, domainName: string, hostedZone: route53.IHostedZone): acm.Certificate {
  return new acm.Certificate(scope, 'Certificate', {
    domainName,
    validation: acm.CertificateValidation.fromDns(hostedZone),
  });
}
