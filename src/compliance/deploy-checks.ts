/**
 * One problem that synth accepts but a deploy (or the first alarm) would hit.
 */
export interface DeployProblem {
  /** Logical id of the resource at fault. */
  readonly logicalId: string;
  /** What is wrong and how to fix it. */
  readonly problem: string;
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/**
 * Checks a synthesized template for "deploy traps": mistakes CloudFormation only reports at
 * deploy time, or never (an alarm that silently cannot publish).
 *
 * - a KMS-encrypted log group whose key policy does not let `logs.<region>.amazonaws.com` use the key;
 * - a KMS-encrypted SNS topic that alarms or EventBridge rules publish to, whose key policy does
 *   not let `cloudwatch.amazonaws.com` / `events.amazonaws.com` use the key;
 * - a KMS-encrypted SQS queue that EventBridge rules or S3 notifications send to, likewise;
 * - a bucket that receives S3 server access logs or ALB access logs but is not encrypted with
 *   SSE-S3, or has Object Lock default retention (both make log delivery fail).
 *
 * @example
 * const problems = DeployChecks.check(Template.fromStack(stack).toJSON());
 */
export class DeployChecks {
  /**
   * @param template the synthesized template (e.g. `Template.fromStack(stack).toJSON()`)
   * @returns every problem found; an empty list when there is none
   */
  public static check(template: any): DeployProblem[] {
    const resources: Resources = template?.Resources ?? {};
    const problems: DeployProblem[] = [];
    const requireService = (consumerId: string, keyRef: unknown, service: string, what: string) => {
      const keyId = referencedLogicalId(keyRef);
      if (!keyId) return; // an imported or AWS-managed key: outside this template
      const key = resources[keyId];
      if (!key || key.Type !== 'AWS::KMS::Key') return;
      if (!keyPolicyAllowsService(key.Properties?.KeyPolicy, service)) {
        problems.push({
          logicalId: consumerId,
          problem: `${what} is encrypted with key ${keyId}, whose key policy does not allow the service principal ` +
            `'${service}' to use it (kms:GenerateDataKey*, kms:Decrypt): add a key-policy statement for it.`,
        });
      }
    };

    for (const [id, r] of Object.entries(resources)) {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::Logs::LogGroup' && p.KmsKeyId) {
        requireService(id, p.KmsKeyId, 'logs', `Log group ${id}`);
      }
      if (r.Type === 'AWS::SNS::Topic' && p.KmsMasterKeyId) {
        if (isAlarmTarget(resources, id)) requireService(id, p.KmsMasterKeyId, 'cloudwatch', `Topic ${id} (an alarm action)`);
        if (isRuleTarget(resources, id)) requireService(id, p.KmsMasterKeyId, 'events', `Topic ${id} (an EventBridge target)`);
      }
      if (r.Type === 'AWS::SQS::Queue' && p.KmsMasterKeyId) {
        if (isRuleTarget(resources, id)) requireService(id, p.KmsMasterKeyId, 'events', `Queue ${id} (an EventBridge target)`);
        if (isS3NotificationTarget(resources, id)) requireService(id, p.KmsMasterKeyId, 's3', `Queue ${id} (an S3 notification target)`);
      }
    }

    for (const targetId of accessLogTargets(resources)) {
      const bucket = resources[targetId];
      if (!bucket || bucket.Type !== 'AWS::S3::Bucket') continue;
      const rules = bucket.Properties?.BucketEncryption?.ServerSideEncryptionConfiguration ?? [];
      const sseS3 = rules.length > 0 && rules.every((x: any) => x.ServerSideEncryptionByDefault?.SSEAlgorithm === 'AES256');
      if (!sseS3) {
        problems.push({
          logicalId: targetId,
          problem: `Bucket ${targetId} receives access logs but is not encrypted with SSE-S3 (AES256): ` +
            'S3 server access logs and ALB access logs can only be delivered to SSE-S3 buckets.',
        });
      }
      if (bucket.Properties?.ObjectLockConfiguration?.Rule?.DefaultRetention) {
        problems.push({
          logicalId: targetId,
          problem: `Bucket ${targetId} receives access logs but has Object Lock default retention, which log delivery does not support.`,
        });
      }
    }
    return problems;
  }
}

function referencedLogicalId(ref: unknown): string | undefined {
  if (ref && typeof ref === 'object') {
    const o = ref as Record<string, any>;
    if (typeof o.Ref === 'string') return o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return o['Fn::GetAtt'][0];
  }
  return undefined;
}

function mentions(value: unknown, logicalId: string): boolean {
  return JSON.stringify(value ?? null).includes(`"${logicalId}"`);
}

function keyPolicyAllowsService(policy: any, service: string): boolean {
  for (const s of policy?.Statement ?? []) {
    if (s.Effect !== 'Allow') continue;
    const principal = JSON.stringify(s.Principal?.Service ?? '');
    // Matches `logs.amazonaws.com`, `logs.<region>.amazonaws.com` and the Fn::Join forms.
    if (!new RegExp(`"${service}\\.`).test(principal)) continue;
    const actions: string[] = [].concat(s.Action ?? []);
    if (actions.some((a) => a === 'kms:*' || a.startsWith('kms:GenerateDataKey'))) return true;
  }
  return false;
}

function isAlarmTarget(resources: Resources, id: string): boolean {
  return Object.values(resources).some(
    (r) => (r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm') &&
      (mentions(r.Properties?.AlarmActions, id) || mentions(r.Properties?.OKActions, id)),
  );
}

function isRuleTarget(resources: Resources, id: string): boolean {
  return Object.values(resources).some((r) => r.Type === 'AWS::Events::Rule' && mentions(r.Properties?.Targets, id));
}

function isS3NotificationTarget(resources: Resources, id: string): boolean {
  return Object.values(resources).some(
    (r) => (r.Type === 'AWS::S3::Bucket' && mentions(r.Properties?.NotificationConfiguration, id)) ||
      (r.Type === 'Custom::S3BucketNotifications' && mentions(r.Properties?.NotificationConfiguration, id)),
  );
}

function accessLogTargets(resources: Resources): string[] {
  const targets = new Set<string>();
  for (const r of Object.values(resources)) {
    const dest = r.Type === 'AWS::S3::Bucket' ? r.Properties?.LoggingConfiguration?.DestinationBucketName : undefined;
    const id = referencedLogicalId(dest);
    if (id) targets.add(id);
    if (r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer') {
      for (const a of r.Properties?.LoadBalancerAttributes ?? []) {
        const albTarget = a.Key === 'access_logs.s3.bucket' ? referencedLogicalId(a.Value) : undefined;
        if (albTarget) targets.add(albTarget);
      }
    }
  }
  return [...targets];
}
