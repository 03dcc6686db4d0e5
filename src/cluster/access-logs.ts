import {
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  aws_s3 as s3,
  CfnCondition,
  CfnMapping,
  Fn,
  Stack,
  Token,
} from 'aws-cdk-lib';
import { FactName, RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Turns on ALB access logs to `bucket` under `prefix`.
 *
 * With a known region this is `logAccessLogs()`. aws-cdk-lib refuses that in a region-agnostic
 * stack, because regions launched before August 2022 deliver logs as a regional ELB account while
 * newer ones use the `logdelivery.elasticloadbalancing.amazonaws.com` service principal. Here the
 * bucket policy then allows both: the regional account looked up at deploy time from a mapping
 * of every region aws-cdk-lib knows (the stack's own account where a region has none, which
 * grants nothing new), and the service principal.
 *
 * @internal
 */
export function enableAlbAccessLogs(alb: elbv2.ApplicationLoadBalancer, bucket: s3.IBucket, prefix: string): void {
  const stack = Stack.of(alb);
  if (!Token.isUnresolved(stack.region)) {
    alb.logAccessLogs(bucket, prefix);
    return;
  }
  alb.setAttribute('access_logs.s3.enabled', 'true');
  alb.setAttribute('access_logs.s3.bucket', bucket.bucketName);
  alb.setAttribute('access_logs.s3.prefix', prefix);

  const mappingId = 'ElbLogDeliveryAccounts';
  let mapping = stack.node.tryFindChild(mappingId) as CfnMapping | undefined;
  let hasAccount = stack.node.tryFindChild(`${mappingId}HasAccount`) as CfnCondition | undefined;
  if (!mapping || !hasAccount) {
    const accounts = RegionInfo.regionMap(FactName.ELBV2_ACCOUNT);
    const mappingValues: Record<string, Record<string, string>> = {};
    for (const region of RegionInfo.regions) {
      mappingValues[region.name] = { account: accounts[region.name] ?? 'none' };
    }
    mapping = new CfnMapping(stack, mappingId, { mapping: mappingValues });
    hasAccount = new CfnCondition(stack, `${mappingId}HasAccount`, {
      expression: Fn.conditionNot(Fn.conditionEquals(mapping.findInMap(stack.region, 'account'), 'none')),
    });
  }
  const account = Fn.conditionIf(hasAccount.logicalId, mapping.findInMap(stack.region, 'account'), stack.account).toString();
  const objects = bucket.arnForObjects(`${prefix}/AWSLogs/${stack.account}/*`);
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ArnPrincipal(`arn:${stack.partition}:iam::${account}:root`)],
    resources: [objects],
  }));
  bucket.addToResourcePolicy(new iam.PolicyStatement({
    actions: ['s3:PutObject'],
    principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
    resources: [objects],
  }));
  const policy = bucket.policy?.node.defaultChild;
  if (policy) alb.node.addDependency(policy);
}
