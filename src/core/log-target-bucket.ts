import { aws_kms as kms, aws_s3 as s3, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { logTargetBucketDefaultsFor } from './log-target-bucket-defaults';
import { PlatformStage } from '../stage/platform-stage';

/** Props of `LogTargetBucket`. */
export interface LogTargetBucketProps {
  /** The removal policy (already resolved by the caller). */
  readonly removalPolicy: RemovalPolicy;
  /**
   * Expire the logs after this stage's log-bucket retention (`logTargetBucketDefaultsFor`).
   * @default no lifecycle rule unless `lifecycleRules` are given
   */
  readonly stage?: PlatformStage;
  /** Lifecycle rules of the caller's own; they replace the stage's. @default the stage's */
  readonly lifecycleRules?: s3.LifecycleRule[];
  /**
   * Encrypt with this key (S3 bucket keys on). Log delivery services (S3 server access logs,
   * ALB, CloudFront) can only write to SSE-S3 buckets: only a writer such as CloudTrail, which
   * encrypts itself, may use a key.
   * @default SSE-S3
   */
  readonly encryptionKey?: kms.IKey;
  /** @default the aws-cdk-lib default */
  readonly objectOwnership?: s3.ObjectOwnership;
  /** @default no minimum in the bucket policy */
  readonly minimumTLSVersion?: number;
  /** @default false */
  readonly autoDeleteObjects?: boolean;
}

/**
 * A bucket that receives logs: public access blocked, TLS only, versioned. A plain `s3.Bucket`
 * with the caller's scope and id, so its logical id is the one a `new s3.Bucket` would get.
 */
export class LogTargetBucket extends s3.Bucket {
  constructor(scope: Construct, id: string, props: LogTargetBucketProps) {
    const stage = props.stage ? logTargetBucketDefaultsFor(props.stage) : undefined;
    super(scope, id, {
      ...(props.encryptionKey
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: props.minimumTLSVersion,
      versioned: true,
      objectOwnership: props.objectOwnership,
      lifecycleRules: props.lifecycleRules
        ?? (stage ? [{ expiration: stage.expiration, noncurrentVersionExpiration: stage.noncurrentVersionExpiration }] : undefined),
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.autoDeleteObjects,
    });
  }
}
