import { Annotations, RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PlatformStage } from '../stage/platform-stage';

/**
 * The context key that allows stateful resources (buckets, keys, databases) to be destroyed.
 *
 * Destroying needs both this context value set to `true` (for example
 * `cdk deploy -c @cdk-proteomics-platform/allowDestroy=true`) and `removalPolicy: RemovalPolicy.DESTROY`
 * on the construct. Either alone keeps the resources. Two switches, because a deleted results
 * bucket breaks the 5-year retention guarantee and cannot be undone.
 */
export const ALLOW_DESTROY_CONTEXT_KEY = '@cdk-proteomics-platform/allowDestroy';

/**
 * Decides the removal policy of a stateful resource.
 *
 * Returns DESTROY only when it was asked for and the context opt-in is set; otherwise the
 * retained policy (RETAIN, or SNAPSHOT where the resource supports it), with a warning that says
 * why when DESTROY was asked for but refused.
 *
 * @internal
 */
export function resolveRemovalPolicy(
  scope: IConstruct,
  requested: RemovalPolicy | undefined,
  stage: PlatformStage,
  retained: RemovalPolicy = RemovalPolicy.RETAIN,
): RemovalPolicy {
  if (requested !== RemovalPolicy.DESTROY) {
    return requested ?? retained;
  }
  if (!stage.allowDestroy) {
    Annotations.of(scope).addWarningV2(
      '@cdk-proteomics-platform:destroyRefused',
      `removalPolicy DESTROY was requested but stage '${stage.name}' never destroys stateful resources: they are kept (${retained}).`,
    );
    return retained;
  }
  if (destroyAllowed(scope)) {
    return RemovalPolicy.DESTROY;
  }
  Annotations.of(scope).addWarningV2(
    '@cdk-proteomics-platform:destroyRefused',
    `removalPolicy DESTROY was requested but the context key '${ALLOW_DESTROY_CONTEXT_KEY}' is not 'true': ` +
      `the resources are kept (${retained}). Set the context key to destroy them.`,
  );
  return retained;
}

/** True when the destroy opt-in context key is set to true. @internal */
export function destroyAllowed(scope: IConstruct): boolean {
  const value = scope.node.tryGetContext(ALLOW_DESTROY_CONTEXT_KEY);
  return value === true || value === 'true';
}

/**
 * The policy for a retained resource with a fixed physical name (a log group named after the
 * cluster, a backup vault named after its construct path).
 *
 * RETAIN keeps such a resource even when the stack's first create fails and rolls back; the retry
 * then fails with "already exists" until someone deletes it by hand. RETAIN_ON_UPDATE_OR_DELETE
 * (CloudFormation's `DeletionPolicy: RetainExceptOnCreate`) behaves exactly like RETAIN once the
 * resource was created successfully, and lets CloudFormation delete it when the create that made it
 * is rolled back, so a failed first deploy can simply be retried. Any other policy is returned as is.
 *
 * @internal
 */
export function retainExceptOnCreate(policy: RemovalPolicy): RemovalPolicy {
  return policy === RemovalPolicy.RETAIN ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : policy;
}
