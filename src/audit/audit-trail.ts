import {
  aws_cloudtrail as cloudtrail,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PlatformAuditTrailProps } from './audit-trail-props';
import { Acknowledge } from '../compliance/acknowledge';
import { allowCloudWatchLogsToUseKey } from '../core/log-encryption-key';
import { LogTargetBucket } from '../core/log-target-bucket';

/**
 * A CloudTrail trail for accounts without an organisation trail: management events in every
 * region, object-level events on the given buckets (who read or wrote which result), log-file
 * validation, KMS encryption, a retained bucket and a CloudWatch Logs copy for alarms.
 */
export class PlatformAuditTrail extends Construct {
  /** The trail. */
  public readonly trail: cloudtrail.Trail;
  /** The bucket the trail writes to. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts the trail, its bucket and its log group. */
  public readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformAuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new kms.Key(this, 'Key', { description: `CloudTrail of ${this.node.path}`, enableKeyRotation: true, removalPolicy: props.removalPolicy });
    // CloudTrail encrypts log files with the key; the logs service encrypts the log group.
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:${stack.partition}:cloudtrail:*:${stack.account}:trail/*` } },
    }));
    allowCloudWatchLogsToUseKey(this.key);
    this.bucket = new LogTargetBucket(this, 'Bucket', {
      encryptionKey: this.key,
      minimumTLSVersion: 1.2,
      removalPolicy: props.removalPolicy,
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { encryptionKey: this.key, retention: props.stage.logRetention, removalPolicy: props.removalPolicy });
    this.trail = new cloudtrail.Trail(this, 'Trail', {
      bucket: this.bucket,
      encryptionKey: this.key,
      enableFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
    });
    this.trail.addS3EventSelector(props.dataEventBuckets.map((bucket) => ({ bucket })), {
      readWriteType: cloudtrail.ReadWriteType.ALL,
      includeManagementEvents: true,
    });

    const logsRole = this.trail.node.tryFindChild('LogsRole');
    if (logsRole) {
      Acknowledge.rules(logsRole, 'CloudTrail\'s delivery role (created by aws-cdk-lib) has one inline policy: write to this trail\'s log group.', [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
      ]);
    }
    Acknowledge.rules(this.bucket, 'The trail bucket holds audit logs already protected by log-file validation and KMS; ' +
      'logging its own accesses would need another bucket, and a second region is outside one stack.', [
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled',
      'NIST.800.53.R5-S3BucketLoggingEnabled',
      'HIPAA.Security-S3BucketReplicationEnabled',
      'NIST.800.53.R5-S3BucketReplicationEnabled',
    ]);
  }
}
