import {
  aws_guardduty as guardduty,
  aws_iam as iam,
  aws_kms as kms,
  aws_s3 as s3,
  Duration,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { resolveRetentionBucketsProps } from './retention-buckets-defaults';
import { InstantAccessTiering, RetentionBucketsProps } from './retention-buckets-props';
import { validateRetention } from './retention-validation';
import { Acknowledge } from '../compliance/acknowledge';
import { LogTargetBucket } from '../core/log-target-bucket';
import { resolveRemovalPolicy } from '../core/removal';
import { PlatformStage, ResultsLockMode } from '../stage/platform-stage';

/** aws-cdk-lib's feature flag for bucket-policy (not ACL) access-log delivery. */
const SERVER_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/** Objects at or below this size never move to another class (Glacier IR bills 128 KB minimum). */
const MIN_TRANSITION_SIZE = 131072;

/** The object tag GuardDuty Malware Protection for S3 writes, and the value that means clean. */
const SCAN_STATUS_TAG = 'GuardDutyMalwareScanStatus';
const SCAN_CLEAN = 'NO_THREATS_FOUND';

/** Rule names GuardDuty gives the EventBridge managed rule it creates for a protected bucket. */
const GUARDDUTY_MANAGED_RULE = 'DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*';

/** The id aws-cdk-lib gives the stack-level Lambda that writes bucket notification settings. */
const NOTIFICATIONS_HANDLER_ID = 'BucketNotificationsHandler050a0587b7544547bf325f094a3db834';

/**
 * The platform's object storage: an uploads bucket (browser multipart uploads, instantly
 * readable for 365 days, then expired), a results bucket (kept 5 years, Object Lock in prod,
 * always instantly readable) and a dedicated server-access-log bucket.
 *
 * Each data bucket is encrypted with its own customer-managed KMS key (rotation on, S3 bucket
 * keys to keep KMS request costs down), blocks public access, denies plain HTTP and TLS below
 * 1.2, is versioned, logs every request, and sends its events to EventBridge. Large objects move
 * to an instant-access class (Glacier Instant Retrieval by default) once they are rarely read;
 * nothing ever moves to a class that needs a restore.
 *
 * Grants are prefix-scoped and never include deleting results, changing retention or
 * bypassing GOVERNANCE retention.
 *
 * @example
 * declare const apiRole: iam.IRole;
 * declare const workerRole: iam.IRole;
 * const buckets = new RetentionBuckets(this, 'Buckets', {
 *   stage: PlatformStage.PROD,
 *   corsAllowedOrigins: ['https://app.example.com'],
 * });
 * buckets.grantUpload(apiRole);
 * buckets.grantReadUploads(workerRole);
 * buckets.grantWriteResults(workerRole);
 */
export class RetentionBuckets extends Construct {
  /** Key prefix of uploaded files in the uploads bucket. */
  public static readonly UPLOADS_PREFIX = 'uploads/';
  /** Key prefix of analysis manifests in the uploads bucket. */
  public static readonly MANIFESTS_PREFIX = 'manifests/';
  /** Key prefix of analysis results in the results bucket. */
  public static readonly RESULTS_PREFIX = 'analyses/';

  /** Raw mass-spectrometry files (`uploads/`) and analysis manifests (`manifests/`). */
  public readonly uploadsBucket: s3.Bucket;
  /** Analysis results (`analyses/<analysisId>/...`), kept for `resultsRetention`. */
  public readonly resultsBucket: s3.Bucket;
  /** Receives the server access logs of both data buckets (SSE-S3, no Object Lock: log delivery needs both). */
  public readonly accessLogsBucket: s3.Bucket;
  /** Customer-managed key of the uploads bucket. */
  public readonly uploadsKey: kms.Key;
  /** Customer-managed key of the results bucket. */
  public readonly resultsKey: kms.Key;
  /** The stage these buckets were built for. */
  public readonly stage: PlatformStage;
  /** The Object Lock mode of the results bucket. */
  public readonly resultsLockMode: ResultsLockMode;
  /** How long uploads stay readable before they expire. */
  public readonly uploadsRetention: Duration;
  /** How long results are kept at least. */
  public readonly resultsRetention: Duration;
  /** How long an unfinished multipart upload is kept before S3 aborts it and deletes its parts. */
  public readonly abortIncompleteUploadsAfter: Duration;
  /** The GuardDuty Malware Protection plan, when `malwareScanning` is on. */
  public readonly malwareProtectionPlan?: guardduty.CfnMalwareProtectionPlan;
  /** The role GuardDuty assumes to scan and tag uploads, when `malwareScanning` is on. */
  public readonly malwareScanRole?: iam.Role;

  constructor(scope: Construct, id: string, props: RetentionBucketsProps = {}) {
    super(scope, id);
    // Deliver server access logs through a bucket policy (logging.s3.amazonaws.com, scoped to the
    // source buckets) instead of the legacy LogDeliveryWrite ACL, which needs ACLs switched on.
    this.node.setContext(SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const resolved = resolveRetentionBucketsProps(props);
    this.stage = resolved.stage;
    this.resultsLockMode = resolved.resultsLockMode;
    this.uploadsRetention = resolved.uploadsRetention;
    this.resultsRetention = resolved.resultsRetention;
    this.abortIncompleteUploadsAfter = resolved.abortIncompleteUploadsAfter;
    const { uploadsTiering, uploadsTransitionAfter, uploadsNoncurrentRetention, resultsTiering, resultsTransitionAfter } = resolved;
    const { accessLogsRetention, corsAllowedOrigins, autoDeleteObjects } = resolved;
    const abortAfter = resolved.abortIncompleteUploadsAfter;

    validateRetention(this, { ...resolved, requestedRemovalPolicy: props.removalPolicy });

    const removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, this.stage);
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    const emptyOnDelete = destroy && autoDeleteObjects;
    const locked = this.resultsLockMode !== ResultsLockMode.NONE;

    const common = {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      removalPolicy,
      autoDeleteObjects: emptyOnDelete,
    };

    // Server access log delivery only supports SSE-S3 targets without Object Lock retention.
    this.accessLogsBucket = new LogTargetBucket(this, 'AccessLogs', {
      objectOwnership: common.objectOwnership,
      minimumTLSVersion: common.minimumTLSVersion,
      removalPolicy,
      autoDeleteObjects: emptyOnDelete,
      lifecycleRules: [
        ...expirationRule('ExpireAccessLogs', accessLogsRetention),
        cleanUpRule(Duration.days(1), abortAfter),
      ],
    });

    this.uploadsKey = new kms.Key(this, 'UploadsKey', {
      description: `Uploads bucket of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.resultsKey = new kms.Key(this, 'ResultsKey', {
      description: `Results bucket of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: locked ? RemovalPolicy.RETAIN : removalPolicy,
    });

    const uploadsRules = [
      ...expirationRule('ExpireUploads', this.uploadsRetention),
      cleanUpRule(uploadsNoncurrentRetention, abortAfter),
      ...tieringRules('TierLargeUploads', uploadsTiering, uploadsTransitionAfter),
    ];
    this.uploadsBucket = new s3.Bucket(this, 'Uploads', {
      ...common,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.uploadsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'uploads-bucket/',
      eventBridgeEnabled: true,
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      cors: corsAllowedOrigins.length === 0 ? undefined : [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          allowedOrigins: corsAllowedOrigins,
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: uploadsRules,
    });
    objectSizesAsStrings(this.uploadsBucket, uploadsRules);

    const resultsRules = [
      ...expirationRule('ExpireResults', resolved.resultsExpiration),
      // A version replaced or deleted is kept for the whole retention too; under Object Lock
      // S3 would not delete it earlier anyway.
      cleanUpRule(this.resultsRetention, abortAfter),
      ...tieringRules('TierLargeResults', resultsTiering, resultsTransitionAfter, true),
    ];
    this.resultsBucket = new s3.Bucket(this, 'Results', {
      ...common,
      removalPolicy: locked ? RemovalPolicy.RETAIN : removalPolicy,
      autoDeleteObjects: locked ? false : emptyOnDelete,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.resultsKey,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'results-bucket/',
      eventBridgeEnabled: true,
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      objectLockEnabled: locked ? true : undefined,
      objectLockDefaultRetention: lockRetention(this.resultsLockMode, this.resultsRetention),
      lifecycleRules: resultsRules,
    });
    objectSizesAsStrings(this.resultsBucket, resultsRules);

    if (resolved.malwareScanning) {
      const scan = this.addMalwareScanning();
      this.malwareScanRole = scan.role;
      this.malwareProtectionPlan = scan.plan;
    }

    this.acknowledgeFindings();
  }

  /**
   * Lets `grantee` upload files with presigned multipart uploads under `uploads/`: create,
   * upload parts, complete (`s3:PutObject`), abort, list the parts of an upload to resume it,
   * list keys under `uploads/` to confirm a completed upload's size (`s3:ListBucket`, never
   * `s3:GetObject`: the uploader does not read uploads), plus `kms:GenerateDataKey` and `kms:Decrypt` on the uploads key, which multipart uploads into
   * an SSE-KMS bucket need. The principal that signs the URLs holds these permissions.
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantUpload(grantee: iam.IGrantable): iam.Grant {
    const objects = this.uploadsBucket.arnForObjects(`${RetentionBuckets.UPLOADS_PREFIX}*`);
    return this.grantOnObjects(grantee, 'upload files under uploads/ with presigned multipart uploads',
      ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], objects)
      // After CompleteMultipartUpload the uploader confirms the object's size by listing its key:
      // s3:GetObject (HeadObject) would let it read uploads, and with malware scanning on the bucket
      // policy denies it until GuardDuty has tagged the object clean.
      .combine(this.grantList(grantee, this.uploadsBucket, `${RetentionBuckets.UPLOADS_PREFIX}*`))
      .combine(this.grantOnKey(grantee, this.uploadsKey, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  /**
   * Lets `grantee` read uploads matching `prefix` (and list keys under it), with `kms:Decrypt`
   * on the uploads key. With malware scanning on, only objects tagged clean can be read.
   * @param prefix a key pattern such as `uploads/*` or `uploads/<sampleId>/*`
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantReadUploads(grantee: iam.IGrantable, prefix: string = `${RetentionBuckets.UPLOADS_PREFIX}*`): iam.Grant {
    checkPrefix(this, 'grantReadUploads', prefix);
    return this.grantOnObjects(grantee, `read uploads under ${prefix}`, ['s3:GetObject'], this.uploadsBucket.arnForObjects(prefix))
      .combine(this.grantList(grantee, this.uploadsBucket, prefix))
      .combine(this.grantOnKey(grantee, this.uploadsKey, ['kms:Decrypt']));
  }

  /**
   * Lets `grantee` delete uploads (for sample deletion: uploads are disposable, results are
   * not). Versioning keeps the previous version for `uploadsNoncurrentRetention`.
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantDeleteUploads(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnObjects(grantee, 'delete uploads of deleted samples', ['s3:DeleteObject'],
      this.uploadsBucket.arnForObjects(`${RetentionBuckets.UPLOADS_PREFIX}*`));
  }

  /**
   * Lets `grantee` write and read analysis manifests (`manifests/*` in the uploads bucket).
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantWriteManifests(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnObjects(grantee, 'write and read analysis manifests', ['s3:PutObject', 's3:GetObject'],
      this.uploadsBucket.arnForObjects(`${RetentionBuckets.MANIFESTS_PREFIX}*`))
      .combine(this.grantOnKey(grantee, this.uploadsKey, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  /**
   * Lets `grantee` read analysis manifests (`manifests/*` in the uploads bucket).
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantReadManifests(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnObjects(grantee, 'read analysis manifests', ['s3:GetObject'],
      this.uploadsBucket.arnForObjects(`${RetentionBuckets.MANIFESTS_PREFIX}*`))
      .combine(this.grantOnKey(grantee, this.uploadsKey, ['kms:Decrypt']));
  }

  /**
   * Lets `grantee` write results matching `prefix` (single or multipart PUTs), with
   * `kms:GenerateDataKey` and `kms:Decrypt` on the results key. Never delete, never change
   * retention: with Object Lock, writes to a locked bucket must carry a Content-MD5 or
   * `x-amz-checksum-*` header.
   * @param prefix a key pattern such as `analyses/*`
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantWriteResults(grantee: iam.IGrantable, prefix: string = `${RetentionBuckets.RESULTS_PREFIX}*`): iam.Grant {
    checkPrefix(this, 'grantWriteResults', prefix);
    return this.grantOnObjects(grantee, `write results under ${prefix}`, ['s3:PutObject', 's3:AbortMultipartUpload'],
      this.resultsBucket.arnForObjects(prefix))
      .combine(this.grantOnKey(grantee, this.resultsKey, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  /**
   * Lets `grantee` read results matching `prefix` (and list keys under it), with `kms:Decrypt`
   * on the results key.
   * @param prefix a key pattern such as `analyses/*` or `analyses/<analysisId>/*`
   * @returns the grant of every statement added to the grantee's policy
   */
  public grantReadResults(grantee: iam.IGrantable, prefix: string = `${RetentionBuckets.RESULTS_PREFIX}*`): iam.Grant {
    checkPrefix(this, 'grantReadResults', prefix);
    return this.grantOnObjects(grantee, `read results under ${prefix}`, ['s3:GetObject'], this.resultsBucket.arnForObjects(prefix))
      .combine(this.grantList(grantee, this.resultsBucket, prefix))
      .combine(this.grantOnKey(grantee, this.resultsKey, ['kms:Decrypt']));
  }

  private grantOnObjects(grantee: iam.IGrantable, purpose: string, actions: string[], objectsArn: string): iam.Grant {
    const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [objectsArn] });
    grant.assertSuccess();
    const target = acknowledgementTarget(grantee);
    if (target && objectsArn.includes('*')) {
      Acknowledge.iamWildcards(target, `Granted by RetentionBuckets to ${purpose}: object ARNs are scoped to one key prefix of one bucket.`, {
        resources: [objectsArn],
      });
    }
    return grant;
  }

  private grantList(grantee: iam.IGrantable, bucket: s3.Bucket, prefix: string): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [prefix] } },
    });
    grant.assertSuccess();
    return grant;
  }

  private grantOnKey(grantee: iam.IGrantable, key: kms.Key, actions: string[]): iam.Grant {
    // Only through S3 in this region: the key cannot be used directly with these permissions.
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    });
    grant.assertSuccess();
    return grant;
  }

  private addMalwareScanning(): { role: iam.Role; plan: guardduty.CfnMalwareProtectionPlan } {
    const stack = Stack.of(this);
    const scanned = this.uploadsBucket.arnForObjects(`${RetentionBuckets.UPLOADS_PREFIX}*`);
    const managedRule = stack.formatArn({ service: 'events', resource: 'rule', resourceName: GUARDDUTY_MANAGED_RULE });
    const role = new iam.Role(this, 'MalwareScanRole', {
      assumedBy: new iam.ServicePrincipal('malware-protection-plan.guardduty.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `GuardDuty Malware Protection scans uploads of ${this.node.path}`,
    });
    // A customer-managed policy (not inline) with the permissions GuardDuty documents for a
    // protected bucket, each scoped to this bucket, its uploads prefix and its key.
    const policy = new iam.ManagedPolicy(this, 'MalwareScanPolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ManageGuardDutyRule',
          actions: ['events:PutRule', 'events:DeleteRule', 'events:PutTargets', 'events:RemoveTargets'],
          resources: [managedRule],
          conditions: { StringLike: { 'events:ManagedBy': 'malware-protection-plan.guardduty.amazonaws.com' } },
        }),
        new iam.PolicyStatement({
          sid: 'DescribeGuardDutyRule',
          actions: ['events:DescribeRule', 'events:ListTargetsByRule'],
          resources: [managedRule],
        }),
        new iam.PolicyStatement({
          sid: 'ScanAndTagUploads',
          actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging', 's3:GetObjectVersionTagging',
            's3:PutObjectTagging', 's3:PutObjectVersionTagging'],
          resources: [scanned],
        }),
        new iam.PolicyStatement({
          sid: 'EnableEventBridgeAndCheckOwnership',
          actions: ['s3:GetBucketNotification', 's3:PutBucketNotification', 's3:ListBucket'],
          resources: [this.uploadsBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'PutValidationObject',
          actions: ['s3:PutObject'],
          resources: [this.uploadsBucket.arnForObjects('malware-protection-resource-validation-object')],
        }),
        new iam.PolicyStatement({
          sid: 'UseUploadsKey',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.uploadsKey.keyArn],
          conditions: { StringLike: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });
    Acknowledge.iamWildcards(policy,
      'GuardDuty names its EventBridge managed rule with a generated suffix, and scans every new object under uploads/ of this bucket only.',
      { resources: [managedRule, scanned] });

    // Nobody but the scanner reads an upload before GuardDuty has tagged it clean.
    this.uploadsBucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'DenyReadingUnscannedUploads',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [scanned],
      conditions: {
        StringNotEquals: { [`s3:ExistingObjectTag/${SCAN_STATUS_TAG}`]: SCAN_CLEAN },
        ArnNotEquals: { 'aws:PrincipalArn': role.roleArn },
      },
    }));

    const plan = new guardduty.CfnMalwareProtectionPlan(this, 'MalwareProtectionPlan', {
      role: role.roleArn,
      protectedResource: {
        s3Bucket: { bucketName: this.uploadsBucket.bucketName, objectPrefixes: [RetentionBuckets.UPLOADS_PREFIX] },
      },
      actions: { tagging: { status: 'ENABLED' } },
    });
    // GuardDuty validates the role when the plan is created: the policy must be attached first.
    plan.node.addDependency(policy);
    return { role, plan };
  }

  private acknowledgeFindings(): void {
    Acknowledge.rules(this.accessLogsBucket,
      'S3 server access logs can only be delivered to a bucket encrypted with SSE-S3 (not SSE-KMS); this is the log target itself.',
      ['HIPAA.Security-S3DefaultEncryptionKMS', 'NIST.800.53.R5-S3DefaultEncryptionKMS']);
    for (const bucket of [this.uploadsBucket, this.resultsBucket, this.accessLogsBucket]) {
      Acknowledge.rules(bucket,
        'Single-region by design: S3 keeps every object in at least three AZs of the region, and versioning (plus Object Lock on results in ' +
        'prod) protects against deletion. Cross-region replication needs a destination bucket and KMS key in another region, which this ' +
        'single-stack construct cannot create; add replication rules on the exposed bucket when a second region is required.',
        ['HIPAA.Security-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled']);
    }
    // aws-cdk-lib gives each bucket with notifications an inline policy on the stack-level
    // handler's role, allowing s3:PutBucketNotification on that bucket alone.
    for (const bucket of [this.uploadsBucket, this.resultsBucket]) {
      const notifications = bucket.node.tryFindChild('Notifications');
      if (notifications) {
        Acknowledge.rules(notifications,
          'aws-cdk-lib attaches this inline policy (s3:PutBucketNotification on this bucket only) to its notifications handler role.',
          ['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy']);
      }
    }
    // The handler aws-cdk-lib adds at stack scope to switch on EventBridge notifications.
    Acknowledge.stackChild(this, NOTIFICATIONS_HANDLER_ID,
      'CDK-owned Lambda function that turns on EventBridge notifications of the buckets at deploy time; it only needs the ' +
      'AWS-managed basic execution policy to write its own logs.',
      ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]']);
  }
}

/** Expires current versions after `after`; none when `after` is undefined (keep). */
function expirationRule(id: string, after: Duration | undefined): s3.LifecycleRule[] {
  return after === undefined ? [] : [{ id, expiration: after }];
}

/**
 * Deletes previous versions after `noncurrent`, removes delete markers left without versions,
 * and aborts multipart uploads never completed. (ExpiredObjectDeleteMarker cannot share a rule
 * with an expiration in days, and CloudFormation wants another action beside it.)
 */
function cleanUpRule(noncurrent: Duration, abortAfter: Duration): s3.LifecycleRule {
  return {
    id: 'CleanUpVersions',
    noncurrentVersionExpiration: noncurrent,
    expiredObjectDeleteMarker: true,
    abortIncompleteMultipartUploadAfter: abortAfter,
  };
}

function tieringRules(id: string, tiering: InstantAccessTiering, after: Duration, noncurrent = false): s3.LifecycleRule[] {
  if (tiering === InstantAccessTiering.NONE) return [];
  const storageClass = tiering === InstantAccessTiering.INTELLIGENT_TIERING
    ? s3.StorageClass.INTELLIGENT_TIERING
    : s3.StorageClass.GLACIER_INSTANT_RETRIEVAL;
  return [{
    id,
    // Glacier IR bills 128 KB at least per object, and Intelligent-Tiering never tiers smaller
    // objects: moving them would only add transition fees.
    objectSizeGreaterThan: MIN_TRANSITION_SIZE,
    transitions: [{ storageClass, transitionAfter: after }],
    noncurrentVersionTransitions: noncurrent ? [{ storageClass, transitionAfter: after }] : undefined,
  }];
}

/**
 * CloudFormation's schema types a lifecycle rule's `ObjectSizeGreaterThan` as a string; aws-cdk-lib
 * renders the number it is given (its built-in validator reports W9003, "not of type 'string'",
 * and fails the synth when its warnings are errors). Renders each size filter as the string the
 * schema asks for: the same rule for S3, a valid template for the validator. `rules` must be the
 * bucket's `lifecycleRules` prop, in order (the rendered rules keep that order).
 */
function objectSizesAsStrings(bucket: s3.Bucket, rules: s3.LifecycleRule[]): void {
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  rules.forEach((rule, index) => {
    if (rule.objectSizeGreaterThan !== undefined) {
      cfn.addPropertyOverride(`LifecycleConfiguration.Rules.${index}.ObjectSizeGreaterThan`, String(rule.objectSizeGreaterThan));
    }
  });
}

function lockRetention(mode: ResultsLockMode, retention: Duration): s3.ObjectLockRetention | undefined {
  switch (mode) {
    case ResultsLockMode.GOVERNANCE: return s3.ObjectLockRetention.governance(retention);
    case ResultsLockMode.COMPLIANCE: return s3.ObjectLockRetention.compliance(retention);
    default: return undefined;
  }
}

/** The construct whose subtree holds the policy a grant adds to, or undefined (e.g. a service principal). */
function acknowledgementTarget(grantee: iam.IGrantable): IConstruct | undefined {
  const principal = grantee.grantPrincipal as unknown;
  if (Construct.isConstruct(principal)) return principal;
  if (Construct.isConstruct(grantee)) return grantee;
  return undefined;
}

function checkPrefix(scope: IConstruct, method: string, prefix: string): void {
  if (!prefix || prefix.startsWith('/') || prefix === '*') {
    throw new Error(`RetentionBuckets at '${scope.node.path}': ${method} prefix '${prefix}' must be a key pattern under a folder, e.g. 'analyses/*' or 'analyses/<id>/*' (no leading '/', not the whole bucket).`);
  }
}
