import { CfnResource, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Logical ids of the Lambda functions aws-cdk-lib itself adds (the platform adds none of its own);
 * `AWS679f53fac002430cb0da5b7982bd2287` is the handler of every AwsCustomResource (PlatformEdge's
 * deploy-time lookup of CloudFront's VPC-origin security group).
 */
export const CDK_OWNED_FUNCTIONS = /KubectlProvider|CustomResourceProvider|CrossRegionExport|BucketNotificationsHandler|AWS679f53fac002430cb0da5b7982bd2287/;

/** One checkov finding that cannot be fixed, on the resources it is about, and why. */
interface CheckovSkip {
  readonly type: string;
  readonly logicalId: RegExp;
  readonly checks: string[];
  readonly reason: string;
}

/**
 * checkov findings the platform cannot fix, each skipped on exactly the resources it concerns
 * (as `Metadata.checkov.skip` in the template) with its reason. Listed in docs/security/checkov.md;
 * the same resources carry cdk-nag acknowledgements with the same reasons.
 */
export const CHECKOV_SKIPS: CheckovSkip[] = [
  {
    type: 'AWS::Lambda::Function',
    logicalId: CDK_OWNED_FUNCTIONS,
    checks: ['CKV_AWS_115', 'CKV_AWS_116', 'CKV_AWS_117', 'CKV_AWS_173'],
    reason: 'aws-cdk-lib\'s own deploy-time custom-resource handler: runs only while CloudFormation deploys, ' +
      'is retried by CloudFormation (no DLQ), holds no secrets in its environment, and its VPC placement is chosen by CDK',
  },
  {
    type: 'AWS::S3::Bucket',
    logicalId: /AccessLogs|EdgeLogs/,
    checks: ['CKV_AWS_18'],
    reason: 'this bucket receives access logs; logging it again would only log the log deliveries',
  },
  {
    type: 'AWS::ElasticLoadBalancingV2::Listener',
    logicalId: /ClusterLoadBalancerListener/,
    checks: ['CKV_AWS_2', 'CKV_AWS_103'],
    reason: 'internal load balancer reached only by the CloudFront VPC origin; viewers get TLS 1.2+ at CloudFront, ' +
      'and the origin leg moves to HTTPS once a certificate is given',
  },
  {
    type: 'AWS::EC2::Instance',
    logicalId: /NatInstance/,
    checks: ['CKV_AWS_88'],
    reason: 'the hml NAT instance forwards the private subnets\' egress to the internet, which needs a public address; ' +
      'its security group admits only the VPC CIDR, and nothing else runs on it',
  },
  {
    type: 'AWS::CloudFront::Distribution',
    logicalId: /EdgeDistribution/,
    checks: ['CKV_AWS_174'],
    reason: 'served on CloudFront\'s default *.cloudfront.net certificate, whose minimum protocol cannot be set; ' +
      'a custom domain gets TLSv1.2_2021',
  },
];

/** Adds the checkov skips above to the matching resources. */
export class CheckovSkips implements IAspect {
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const logicalId = Stack.of(node).resolve(node.logicalId) as string;
    const skips = CHECKOV_SKIPS.filter((s) => s.type === node.cfnResourceType && s.logicalId.test(logicalId))
      .flatMap((s) => s.checks.map((id) => ({ id, comment: s.reason })));
    if (skips.length > 0) node.addMetadata('checkov', { skip: skips });
  }
}
