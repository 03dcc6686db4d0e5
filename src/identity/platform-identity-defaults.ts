import { Duration, Names, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PlatformIdentityProps } from './platform-identity-props';
import { PlatformStage } from '../stage/platform-stage';

/**
 * What `PlatformIdentity` picks by kind of stage.
 * @internal
 */
export interface IdentityStageDefaults {
  /** Whether every user must set up MFA. */
  readonly mfaRequired: boolean;
  /** Whether the user pool has deletion protection. */
  readonly deletionProtection: boolean;
}

const PRODUCTION: IdentityStageDefaults = {
  mfaRequired: true,
  deletionProtection: true,
};

const STAGING: IdentityStageDefaults = {
  mfaRequired: false,
  deletionProtection: false,
};

/** The identity defaults of a stage: production ones for production stages, staging ones otherwise. @internal */
export function identityDefaultsFor(stage: PlatformStage): IdentityStageDefaults {
  return stage.production ? PRODUCTION : STAGING;
}

/**
 * `PlatformIdentityProps` with every default of the Cognito user pool applied.
 * @internal
 */
export interface ResolvedPlatformIdentityProps {
  readonly stage: PlatformStage;
  readonly mfaRequired: boolean;
  readonly deletionProtection: boolean;
  readonly domainPrefix: string;
  readonly tokenValidity: Duration;
}

/**
 * Applies the documented defaults of `PlatformIdentityProps`. `scope` names the default domain
 * prefix.
 * @internal
 */
export function resolvePlatformIdentityProps(scope: IConstruct, props: PlatformIdentityProps): ResolvedPlatformIdentityProps {
  const stage = props.stage ?? PlatformStage.HML;
  const stageDefaults = identityDefaultsFor(stage);
  return {
    stage,
    mfaRequired: props.mfaRequired ?? stageDefaults.mfaRequired,
    deletionProtection: stageDefaults.deletionProtection,
    domainPrefix: props.domainPrefix ?? defaultDomainPrefix(scope, stage),
    tokenValidity: props.tokenValidity ?? Duration.hours(1),
  };
}

function defaultDomainPrefix(scope: IConstruct, stage: PlatformStage): string {
  const stackPart = Stack.of(scope).stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/aws|amazon|cognito/g, 'x').slice(0, 24);
  const hash = Names.uniqueId(scope).slice(-8).toLowerCase();
  return `${stackPart}-${stage.name}-${hash}`.replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 63);
}
