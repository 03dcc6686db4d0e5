import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { InstantAccessTiering } from './retention-buckets-props';
import { PropsValidator } from '../core/validation';
import { ResultsLockMode } from '../stage/platform-stage';

/** Glacier Instant Retrieval bills every object for at least this many days. */
export const GLACIER_IR_MINIMUM_DAYS = 90;

/** The longest default retention S3 Object Lock accepts (100 years). */
export const OBJECT_LOCK_MAXIMUM_DAYS = 36500;

/**
 * The settled values `RetentionBuckets` validates, every duration already in whole days or
 * `undefined` when it is an unresolved token.
 * @internal
 */
export interface RetentionSettings {
  readonly uploadsRetention: Duration;
  readonly uploadsTiering: InstantAccessTiering;
  readonly uploadsTransitionAfter: Duration;
  readonly uploadsNoncurrentRetention: Duration;
  readonly resultsRetention: Duration;
  readonly resultsLockMode: ResultsLockMode;
  readonly resultsTiering: InstantAccessTiering;
  readonly resultsTransitionAfter: Duration;
  readonly resultsExpiration?: Duration;
  readonly abortIncompleteUploadsAfter: Duration;
  readonly accessLogsRetention?: Duration;
  readonly corsAllowedOrigins: string[];
  readonly requestedRemovalPolicy?: RemovalPolicy;
  readonly autoDeleteObjects: boolean;
}

/**
 * Whole days of a duration, or undefined when it is a token or not a positive whole number of
 * days (reported on its own, so that it does not also fail every check that compares it).
 */
function days(d: Duration | undefined): number | undefined {
  if (d === undefined || d.isUnresolved()) return undefined;
  const n = d.toSeconds() / 86400;
  return n > 0 && Number.isInteger(n) ? n : undefined;
}

/** Shows a removal policy as users write it, e.g. `RemovalPolicy.DESTROY`. */
function policyName(p: RemovalPolicy | undefined): { toHumanString(): string } {
  const key = Object.entries(RemovalPolicy).find(([, v]) => v === p)?.[0] ?? String(p);
  return { toHumanString: () => `RemovalPolicy.${key}` };
}

/**
 * An origin a browser sends: `https://host[:port]` (no path, no wildcard, no trailing slash),
 * or `http://localhost[:port]` for local development.
 */
const HTTPS_ORIGIN = /^https:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;
const LOCALHOST_ORIGIN = /^http:\/\/localhost(:\d{1,5})?$/;

/**
 * Checks every `RetentionBuckets` prop and throws once with all problems.
 * @internal
 */
export function validateRetention(scope: IConstruct, s: RetentionSettings): void {
  const v = new PropsValidator(scope, 'RetentionBuckets');

  const wholeDays = (d: Duration | undefined, prop: string, fix: string) => {
    if (d === undefined || d.isUnresolved()) return;
    const n = d.toSeconds() / 86400;
    v.check(n > 0 && Number.isInteger(n), prop, d, fix);
  };
  wholeDays(s.uploadsRetention, 'uploadsRetention', 'give a positive whole number of days, e.g. Duration.days(365).');
  wholeDays(s.resultsRetention, 'resultsRetention', 'give a positive whole number of days, e.g. Duration.days(1827) for 5 years.');
  wholeDays(s.uploadsTransitionAfter, 'uploadsTransitionAfter', 'give a positive whole number of days, e.g. Duration.days(30).');
  wholeDays(s.resultsTransitionAfter, 'resultsTransitionAfter', 'give a positive whole number of days, e.g. Duration.days(90).');
  wholeDays(s.uploadsNoncurrentRetention, 'uploadsNoncurrentRetention', 'give a positive whole number of days, e.g. Duration.days(7).');
  wholeDays(s.abortIncompleteUploadsAfter, 'abortIncompleteUploadsAfter', 'give a positive whole number of days, e.g. Duration.days(3).');
  wholeDays(s.resultsExpiration, 'resultsExpiration', 'give a positive whole number of days, or leave it out to keep results.');
  wholeDays(s.accessLogsRetention, 'accessLogsRetention', 'give a positive whole number of days, e.g. Duration.days(90).');

  const uploads = days(s.uploadsRetention);
  const results = days(s.resultsRetention);
  const uploadsTransition = days(s.uploadsTransitionAfter);
  const resultsTransition = days(s.resultsTransitionAfter);
  const resultsExpiration = days(s.resultsExpiration);

  if (uploads !== undefined && results !== undefined) {
    v.check(results >= uploads, 'resultsRetention', s.resultsRetention,
      `results must be kept at least as long as the uploads they come from (uploadsRetention is ${uploads} days): raise resultsRetention or lower uploadsRetention.`);
  }
  if (results !== undefined && resultsExpiration !== undefined) {
    v.check(resultsExpiration >= results, 'resultsExpiration', s.resultsExpiration,
      `results would be deleted before their ${results}-day retention ends: use at least Duration.days(${results}), or leave it out.`);
  }
  if (s.resultsLockMode !== ResultsLockMode.NONE && results !== undefined) {
    v.check(results <= OBJECT_LOCK_MAXIMUM_DAYS, 'resultsRetention', s.resultsRetention,
      `S3 Object Lock accepts a default retention of at most ${OBJECT_LOCK_MAXIMUM_DAYS} days.`);
  }

  checkTiering(v, 'uploads', s.uploadsTiering, s.uploadsTransitionAfter, uploadsTransition, uploads);
  checkTiering(v, 'results', s.resultsTiering, s.resultsTransitionAfter, resultsTransition, resultsExpiration);

  const noncurrent = days(s.uploadsNoncurrentRetention);
  if (noncurrent !== undefined && uploads !== undefined) {
    v.check(noncurrent <= uploads, 'uploadsNoncurrentRetention', s.uploadsNoncurrentRetention,
      `previous versions of uploads should not outlive the ${uploads}-day retention: use a short window such as Duration.days(7).`);
  }

  const requested = s.requestedRemovalPolicy;
  v.check(requested !== RemovalPolicy.SNAPSHOT, 'removalPolicy', policyName(requested),
    'S3 buckets have no snapshots: use RemovalPolicy.RETAIN (default) or, for a disposable stage, RemovalPolicy.DESTROY.');
  if (s.resultsLockMode !== ResultsLockMode.NONE) {
    v.check(requested !== RemovalPolicy.DESTROY, 'removalPolicy', policyName(requested),
      `the results bucket is locked (resultsLockMode ${s.resultsLockMode}): a locked bucket can never be emptied before its retention ends, ` +
      'so it cannot be destroyed. Use resultsLockMode NONE for a disposable stage, or keep the default RETAIN.');
  }
  v.check(!s.autoDeleteObjects || requested === RemovalPolicy.DESTROY, 'autoDeleteObjects', s.autoDeleteObjects,
    'emptying buckets only makes sense when they are destroyed: also set removalPolicy: RemovalPolicy.DESTROY, or drop autoDeleteObjects.');

  for (const origin of s.corsAllowedOrigins) {
    if (Token.isUnresolved(origin)) continue;
    const ok = HTTPS_ORIGIN.test(origin) || LOCALHOST_ORIGIN.test(origin);
    v.check(ok, 'corsAllowedOrigins', origin,
      'an origin is https://host[:port] in lowercase, without path, trailing slash or wildcard ' +
      '(e.g. https://app.example.com); only http://localhost[:port] may use plain http.');
  }
  const unique = new Set(s.corsAllowedOrigins);
  v.check(unique.size === s.corsAllowedOrigins.length, 'corsAllowedOrigins', s.corsAllowedOrigins, 'list each origin once.');

  v.throwIfInvalid();
}

function checkTiering(
  v: PropsValidator,
  what: 'uploads' | 'results',
  tiering: InstantAccessTiering,
  value: Duration,
  transition: number | undefined,
  expiration: number | undefined,
): void {
  if (tiering === InstantAccessTiering.NONE || transition === undefined || expiration === undefined) return;
  const prop = `${what}TransitionAfter`;
  const expiryProp = what === 'uploads' ? 'uploadsRetention' : 'resultsExpiration';
  if (transition >= expiration) {
    v.check(false, prop, value,
      `the transition comes on or after the expiration (${expiryProp} is ${expiration} days): transition earlier, or use ${what}Tiering: InstantAccessTiering.NONE.`);
    return;
  }
  if (tiering === InstantAccessTiering.GLACIER_INSTANT_RETRIEVAL) {
    v.check(expiration - transition >= GLACIER_IR_MINIMUM_DAYS, prop, value,
      `Glacier Instant Retrieval bills at least ${GLACIER_IR_MINIMUM_DAYS} days, but objects would stay only ${expiration - transition} days before expiring ` +
      `on day ${expiration}: transition by day ${expiration - GLACIER_IR_MINIMUM_DAYS}, or use ${what}Tiering: InstantAccessTiering.NONE or INTELLIGENT_TIERING.`);
  }
}
