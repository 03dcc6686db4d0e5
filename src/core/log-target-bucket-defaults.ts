import { Duration } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/** The per-stage lifecycle of a `LogTargetBucket`. */
export interface LogTargetBucketStageDefaults {
  /** When log objects expire. */
  readonly expiration: Duration;
  /** When previous versions of log objects expire. */
  readonly noncurrentVersionExpiration: Duration;
}

const PRODUCTION: LogTargetBucketStageDefaults = {
  expiration: Duration.days(730),
  noncurrentVersionExpiration: Duration.days(7),
};

const STAGING: LogTargetBucketStageDefaults = {
  expiration: Duration.days(30),
  noncurrentVersionExpiration: Duration.days(7),
};

/** The log-bucket lifecycle of `stage`. */
export function logTargetBucketDefaultsFor(stage: PlatformStage): LogTargetBucketStageDefaults {
  return stage.production ? PRODUCTION : STAGING;
}
