import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { PlatformStage, ResultsLockMode } from '../stage/platform-stage';

/**
 * Where objects go once they are no longer new. Every choice keeps millisecond access: the
 * Glacier Flexible Retrieval and Deep Archive classes, and Intelligent-Tiering's opt-in archive
 * tiers, need a restore before a read and are never used.
 */
export enum InstantAccessTiering {
  /** Stay in S3 Standard for the whole retention ($0.023 per GB-month in us-east-1). */
  NONE = 'NONE',
  /**
   * Move objects larger than 128 KB to S3 Glacier Instant Retrieval ($0.004 per GB-month, but
   * $0.03 per GB read and 90 days billed at least). Cheapest for files rarely read again.
   */
  GLACIER_INSTANT_RETRIEVAL = 'GLACIER_INSTANT_RETRIEVAL',
  /**
   * Move objects larger than 128 KB to S3 Intelligent-Tiering with only its automatic,
   * instant-access tiers (Frequent, Infrequent after 30 days, Archive Instant Access after 90
   * days without reads). No read fees, a small monitoring fee per object: best when old files
   * are still read now and then.
   */
  INTELLIGENT_TIERING = 'INTELLIGENT_TIERING',
}

/**
 * Props of `RetentionBuckets`.
 */
export interface RetentionBucketsProps {
  /**
   * The stage whose defaults apply (Object Lock mode, access-log retention, whether destroy is
   * possible at all).
   * @default PlatformStage.HML
   */
  readonly stage?: PlatformStage;

  /**
   * How long an upload stays readable before it expires (whole days). Uploads are instantly
   * readable for the whole period, then deleted by a lifecycle rule.
   * @default Duration.days(365)
   */
  readonly uploadsRetention?: Duration;

  /**
   * The instant-access storage class uploads move to after `uploadsTransitionAfter`.
   * @default InstantAccessTiering.GLACIER_INSTANT_RETRIEVAL
   */
  readonly uploadsTiering?: InstantAccessTiering;

  /**
   * Age at which uploads larger than 128 KB move to `uploadsTiering` (whole days). Analyses read
   * an upload within days of its arrival; after that it is rarely read.
   * @default Duration.days(30)
   */
  readonly uploadsTransitionAfter?: Duration;

  /**
   * How long an overwritten or deleted upload's previous version is kept (whole days), so an
   * accidental overwrite can be undone.
   * @default Duration.days(7)
   */
  readonly uploadsNoncurrentRetention?: Duration;

  /**
   * How long every result is kept at least (whole days). With Object Lock this is also the
   * default retention period of each object version; it must not be shorter than
   * `uploadsRetention`.
   * @default Duration.days(1827) (5 years, leap days included)
   */
  readonly resultsRetention?: Duration;

  /**
   * Object Lock on the results bucket. NONE lets the bucket be emptied and deleted; GOVERNANCE
   * keeps every version for `resultsRetention` unless a principal holding
   * `s3:BypassGovernanceRetention` intervenes (none of ours does); COMPLIANCE keeps it from
   * everyone, the account root included. Object Lock can never be turned off once on.
   * @default - the stage's `resultsLockMode` (NONE in hml, GOVERNANCE in prod)
   */
  readonly resultsLockMode?: ResultsLockMode;

  /**
   * The instant-access storage class results move to after `resultsTransitionAfter`.
   * @default InstantAccessTiering.GLACIER_INSTANT_RETRIEVAL
   */
  readonly resultsTiering?: InstantAccessTiering;

  /**
   * Age at which results larger than 128 KB move to `resultsTiering` (whole days). Users read
   * results mostly in the first weeks after an analysis.
   * @default Duration.days(90)
   */
  readonly resultsTransitionAfter?: Duration;

  /**
   * Age at which results are deleted (whole days); never earlier than `resultsRetention`.
   * @default - never: results are kept after the retention ends until someone deletes them
   */
  readonly resultsExpiration?: Duration;

  /**
   * Age at which multipart uploads that were never completed (abandoned browser uploads,
   * failed workers) are aborted and their parts deleted (whole days).
   * @default Duration.days(3)
   */
  readonly abortIncompleteUploadsAfter?: Duration;

  /**
   * Browser origins allowed to upload straight to the uploads bucket with presigned URLs (CORS
   * `PUT`, exposing `ETag`, which a multipart upload needs to complete). Each is
   * `https://host[:port]`, without path or wildcard; `http://localhost[:port]` is accepted for
   * local development. Tokens (e.g. a CloudFront domain) are accepted as they are.
   * @default - no CORS rule: browsers cannot upload until an origin is given
   */
  readonly corsAllowedOrigins?: string[];

  /**
   * Scan every new object under `uploads/` with GuardDuty Malware Protection for S3, and deny
   * `s3:GetObject` on uploads whose `GuardDutyMalwareScanStatus` tag is not `NO_THREATS_FOUND`
   * (not yet scanned, infected, or unscannable). GuardDuty bills per GB scanned and per object
   * evaluated (see its pricing page); readers must wait for the scan, which takes seconds to
   * minutes. Enable it when uploads come from outside your company.
   * @default false
   */
  readonly malwareScanning?: boolean;

  /**
   * How long server access logs are kept (whole days).
   * @default - the stage's log retention (30 days in hml, 731 days in prod)
   */
  readonly accessLogsRetention?: Duration;

  /**
   * Removal policy of the buckets and keys. DESTROY also needs the `ALLOW_DESTROY_CONTEXT_KEY`
   * context opt-in and a stage that allows destroy; it is refused with an error when the
   * results bucket is locked (GOVERNANCE or COMPLIANCE).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Empty the buckets (every version) when the stack is deleted, so that DESTROY can succeed.
   * Only with `removalPolicy: DESTROY` and an unlocked results bucket. Adds a CDK-owned
   * custom-resource Lambda function to the stack.
   * @default false
   */
  readonly autoDeleteObjects?: boolean;
}
