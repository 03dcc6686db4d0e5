import {
  ArnFormat,
  aws_kms as kms,
  aws_logs as logs,
  aws_wafv2 as wafv2,
  Names,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { allowCloudWatchLogsToUseKey } from './log-encryption-key';
import { retainExceptOnCreate } from './removal';
import { WebAclScope } from './web-acl-scope';

/**
 * The label `AWSManagedRulesCommonRuleSet` puts on a request whose body is over 8 KB (its
 * `SizeRestrictions_BODY` rule).
 */
export const SIZE_RESTRICTIONS_BODY_LABEL = 'awswaf:managed:aws:core-rule-set:SizeRestrictions_Body';

/** An API path whose requests may carry a body over the common rule set's fixed 8 KB. */
export interface LargeBodyApiPath {
  /** Rule name suffix. */
  readonly name: string;
  readonly method: string;
  /** Anchored regular expression of the URI path (ids follow the contracts' id pattern). */
  readonly pathRegex: string;
  /** The largest body the path accepts (checked on the Content-Length header). */
  readonly maxBodyBytes: number;
}

/**
 * An id as the contracts define it (`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`), without the length
 * bound: WAF refuses regular expressions with large repetition counts, and the API checks ids.
 */
const ID = '[A-Za-z0-9][A-Za-z0-9_-]*';

/**
 * The API paths that need bodies over 8 KB (the reference API, `examples/biotech-app/services/api`):
 * - completing a multipart upload lists every part's number and ETag: about 720 KB for 10,000 parts
 *   (over 8 KB from ~127 parts, ~2 GiB with 16 MiB parts; 210 KB for 50 GiB);
 * - registering a file may carry its protein sequences as FASTA: up to 5,000,000 characters.
 * The limits are one below a power of ten or a leading digit, so that their Content-Length
 * expressions stay short (WAF refuses patterns with many `|` branches).
 */
export const LARGE_BODY_API_PATHS: LargeBodyApiPath[] = [
  { name: 'CompleteUpload', method: 'POST', pathRegex: `^/api/samples/${ID}/files/${ID}/complete$`, maxBodyBytes: 999_999 },
  { name: 'RegisterFile', method: 'POST', pathRegex: `^/api/samples/${ID}/files$`, maxBodyBytes: 5_999_999 },
];

/**
 * A regular expression matching the decimal integers from 0 to `max` (digits only): WAF cannot
 * compare numbers, but it can match the Content-Length header against this. Numbers with fewer
 * digits than `max` may have leading zeros. It uses only what WAF's regex engine accepts (no
 * capturing groups, few branches).
 */
export function nonNegativeIntegerAtMost(max: number): string {
  if (!Number.isSafeInteger(max) || max < 0) throw new Error(`not a non-negative integer: ${max}`);
  const d = String(max);
  const digits = (n: number) => (n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`);
  const range = (low: number, high: number) => (low === high ? String(low) : `[${low}-${high}]`);
  const alts: string[] = [];
  // Every number with fewer digits is smaller.
  if (d.length > 1) alts.push(d.length === 2 ? '[0-9]' : `[0-9]{1,${d.length - 1}}`);
  // Numbers with as many digits: a prefix of max, a smaller digit, then anything.
  for (let i = 0; i < d.length; i++) {
    const low = i === 0 && d.length > 1 ? 1 : 0;
    const digit = Number(d[i]);
    const restAllNines = /^9*$/.test(d.slice(i + 1));
    if (restAllNines) {
      // max's own digit included: the rest can be anything, and max itself is covered.
      alts.push(d.slice(0, i) + range(low, digit) + digits(d.length - i - 1));
      break;
    }
    if (digit > low) alts.push(d.slice(0, i) + range(low, digit - 1) + digits(d.length - i - 1));
  }
  return alts.length === 1 ? `^${alts[0]}$` : `^(?:${alts.join('|')})$`;
}

/** @internal */
export interface PlatformWebAclProps {
  readonly scope: WebAclScope;
  /** Requests per 5 minutes from one client before it is blocked. */
  readonly rateLimit: number;
  /**
   * Whose address the rate rule counts by. `IP` is the address WAF sees; a regional web ACL
   * behind a CloudFront VPC origin sees every request from CloudFront's network interfaces, so
   * it must count by `FORWARDED_IP` (the first address of `X-Forwarded-For`, which CloudFront
   * sets).
   */
  readonly rateLimitKey: 'IP' | 'FORWARDED_IP';
  /** Include the SQL injection rule group (the CloudFront ACL does; the ALB one relies on it). */
  readonly sqlInjection: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A WAFv2 web ACL with AWS managed rule groups and a rate-based rule, logging (with the
 * Authorization and Cookie headers redacted) to a KMS-encrypted `aws-waf-logs-*` log group.
 *
 * @internal
 */
export class PlatformWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  public readonly logGroup: logs.LogGroup;
  public readonly logKey: kms.Key;

  constructor(scope: Construct, id: string, props: PlatformWebAclProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const metric = (name: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name });
    const managed = (priority: number, name: string, ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[]) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
      visibilityConfig: metric(name),
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      managed(0, 'AWSManagedRulesAmazonIpReputationList'),
      // SizeRestrictions_BODY blocks every body over 8 KB (fixed; it cannot be raised). It only
      // counts (and labels) here; the two rules below block on its label outside the API paths
      // that need large bodies, and on those paths above their own limit.
      managed(1, 'AWSManagedRulesCommonRuleSet', [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
      managed(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
    ];
    if (props.sqlInjection) rules.push(managed(3, 'AWSManagedRulesSQLiRuleSet'));
    const noTransformation = [{ priority: 0, type: 'NONE' }];
    const largeBody: wafv2.CfnWebACL.StatementProperty = {
      labelMatchStatement: { scope: 'LABEL', key: SIZE_RESTRICTIONS_BODY_LABEL },
    };
    const onPath = (p: LargeBodyApiPath): wafv2.CfnWebACL.StatementProperty => ({
      andStatement: {
        statements: [
          { byteMatchStatement: { fieldToMatch: { method: {} }, positionalConstraint: 'EXACTLY', searchString: p.method, textTransformations: noTransformation } },
          { regexMatchStatement: { fieldToMatch: { uriPath: {} }, regexString: p.pathRegex, textTransformations: noTransformation } },
        ],
      },
    });
    const scopedPaths = LARGE_BODY_API_PATHS.map(onPath);
    rules.push({
      name: 'LargeBodyOutsideApiPaths',
      priority: 5,
      action: { block: {} },
      statement: {
        andStatement: {
          statements: [
            largeBody,
            { notStatement: { statement: scopedPaths.length === 1 ? scopedPaths[0] : { orStatement: { statements: scopedPaths } } } },
          ],
        },
      },
      visibilityConfig: metric('LargeBodyOutsideApiPaths'),
    });
    // On the scoped paths the body keeps a limit. WAF inspects at most 8 KB (regional) to 64 KB
    // (CloudFront) of a body, so the limit is checked on Content-Length: a request without one
    // (chunked) or over the limit is blocked.
    LARGE_BODY_API_PATHS.forEach((p, i) => {
      rules.push({
        name: `LargeBodyLimit${p.name}`,
        priority: 6 + i,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              largeBody,
              onPath(p),
              {
                notStatement: {
                  statement: {
                    regexMatchStatement: {
                      fieldToMatch: { singleHeader: { Name: 'content-length' } },
                      regexString: nonNegativeIntegerAtMost(p.maxBodyBytes),
                      textTransformations: noTransformation,
                    },
                  },
                },
              },
            ],
          },
        },
        visibilityConfig: metric(`LargeBodyLimit${p.name}`),
      });
    });
    rules.push({
      name: 'RateLimitPerIp',
      priority: 10,
      action: { block: {} },
      statement: {
        rateBasedStatement: {
          limit: props.rateLimit,
          aggregateKeyType: props.rateLimitKey,
          evaluationWindowSec: 300,
          // CloudFront always sets X-Forwarded-For on origin requests: one without it did not
          // come through CloudFront and is counted under one shared key.
          forwardedIpConfig: props.rateLimitKey === 'FORWARDED_IP' ? { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' } : undefined,
        },
      },
      visibilityConfig: metric('RateLimitPerIp'),
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: props.scope,
      defaultAction: { allow: {} },
      rules,
      visibilityConfig: metric(`${id}WebAcl`),
    });

    this.logKey = new kms.Key(this, 'LogKey', {
      description: `WAF logs of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    allowCloudWatchLogsToUseKey(this.logKey);
    // WAF only logs to groups whose name starts with `aws-waf-logs-`.
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-${Names.uniqueResourceName(this, { maxLength: 400 })}`,
      encryptionKey: this.logKey,
      retention: props.logRetention,
      // A fixed name: kept, except when the stack's first create fails (a retry can create it again).
      removalPolicy: retainExceptOnCreate(props.removalPolicy),
    });
    const logGroupArn = stack.formatArn({
      service: 'logs',
      resource: 'log-group',
      resourceName: this.logGroup.logGroupName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [logGroupArn],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
  }
}
