import { aws_s3 as s3, RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage } from '../stage/platform-stage';

/** Props of `PlatformAuditTrail`. */
export interface PlatformAuditTrailProps {
  /** The stage whose log retention applies. */
  readonly stage: PlatformStage;
  /** Buckets whose object-level (data) events are recorded, e.g. the results bucket. */
  readonly dataEventBuckets: s3.IBucket[];
  /** Removal policy of the trail's bucket, key and log group (already resolved by the caller). */
  readonly removalPolicy: RemovalPolicy;
}
