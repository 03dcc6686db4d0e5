import { Stack, Token, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The rule-id prefixes of the three packs we check against. */
export const NAG_PACK_PREFIXES: string[] = ['AwsSolutions-', 'HIPAA.Security-', 'NIST.800.53.R5-'];

/**
 * The IAM wildcards a grant needs, for `Acknowledge.iamWildcards()`.
 */
export interface IamWildcardGrant {
  /**
   * Actions with a wildcard, exactly as they appear in the policy (e.g. `s3:GetObject*`).
   * @default - none
   */
  readonly actions?: string[];
  /**
   * Resources with a wildcard, as ARN strings or tokens (e.g. `bucket.arnForObjects('uploads/*')`).
   * They are resolved in the stack of `scope`, so the acknowledged id carries that stack's
   * logical ids, which differ in every consumer's app.
   * @default - none
   */
  readonly resources?: string[];
}

/**
 * Acknowledges cdk-nag 3 findings precisely, on the narrowest construct, with a reason.
 *
 * cdk-nag 3 reads acknowledgements recorded by `Validations.of(construct).acknowledge()` on a
 * resource or any of its ancestors. IAM wildcard findings carry their own id per action and
 * resource, with the consumer's logical ids inside (`AwsSolutions-IAM5[Resource::<Uploads4F6EB0FD.Arn>/uploads/*]`),
 * so they are computed here from the constructs rather than written by hand.
 */
export class Acknowledge {
  /**
   * Acknowledges whole rule ids on `scope` and everything below it.
   * @param scope the narrowest construct that holds every resource the finding is about
   * @param reason why the finding cannot be fixed
   * @param ruleIds rule ids such as `AwsSolutions-S1` or `HIPAA.Security-S3BucketLoggingEnabled`
   */
  public static rules(scope: IConstruct, reason: string, ruleIds: string[]): void {
    if (!reason || reason.trim().length < 10) {
      throw new Error(`Acknowledge.rules at '${scope.node.path}': give a real reason (10+ characters) for ${ruleIds.join(', ')}.`);
    }
    Validations.of(scope).acknowledge(...ruleIds.map((id) => ({ id, reason })));
  }

  /**
   * Acknowledges exactly the `AwsSolutions-IAM5` findings that the given wildcard actions and
   * resources cause, and nothing else.
   */
  public static iamWildcards(scope: IConstruct, reason: string, grant: IamWildcardGrant): void {
    const ids = [
      ...(grant.actions ?? []).map((a) => `AwsSolutions-IAM5[Action::${a}]`),
      ...(grant.resources ?? []).map((r) => `AwsSolutions-IAM5[Resource::${Acknowledge.flatten(scope, r)}]`),
    ];
    if (ids.length > 0) {
      Acknowledge.rules(scope, reason, ids);
    }
  }

  /**
   * Acknowledges what a bucket that only receives access logs cannot satisfy: logging its own
   * accesses (that needs yet another log bucket), SSE-KMS (S3, ALB and CloudFront log delivery
   * need SSE-S3) and replication (logs are not primary data).
   * @param bucket the log bucket
   * @param source what writes its logs (e.g. 'ALB access logs')
   */
  public static logTargetBucket(bucket: IConstruct, source: string): void {
    Acknowledge.rules(bucket, `This bucket receives ${source}; logging its own accesses would need another log bucket. ` +
      'SSE-S3 because log delivery cannot write with KMS; logs are not primary data, so they are not replicated.', [
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'HIPAA.Security-S3DefaultEncryptionKMS',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
    ]);
  }

  /**
   * Acknowledges rule ids on a construct that CDK creates at stack scope, outside ours (for
   * example `Custom::VpcRestrictDefaultSGCustomResourceProvider`). Does nothing when the stack
   * has no such child.
   *
   * @param scope any construct in the stack
   * @param childId the id of the stack-level child
   */
  public static stackChild(scope: IConstruct, childId: string, reason: string, ruleIds: string[]): void {
    const child = Stack.of(scope).node.tryFindChild(childId);
    if (child) {
      Acknowledge.rules(child, reason, ruleIds);
    }
  }

  /**
   * Flattens a (possibly token) string the way cdk-nag names it in a finding id:
   * `Fn::GetAtt` → `<LogicalId.Attr>`, `Ref` → `<LogicalId>`, `Fn::Join` joined, `${x}` → `<x>`.
   */
  public static flatten(scope: IConstruct, value: string): string {
    const resolved = Token.isUnresolved(value) ? Stack.of(scope).resolve(value) : value;
    return flattenResolved(resolved);
  }
}

function flattenResolved(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenResolved).join(delimiter);
    }
    if (o['Fn::Sub']) return flattenResolved(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenResolved(resource)}.${flattenResolved(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flattenResolved(o['Fn::ImportValue']);
    if (o.Ref) return `<${flattenResolved(o.Ref)}>`;
  }
  return JSON.stringify(node);
}
