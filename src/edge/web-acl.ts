import {
  ArnFormat,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_wafv2 as wafv2,
  Names,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { retainExceptOnCreate } from '../core/removal';

/** Where a web ACL is used. */
export enum WebAclScope {
  /** On a CloudFront distribution (the ACL must be created in us-east-1). */
  CLOUDFRONT = 'CLOUDFRONT',
  /** On a regional resource such as an Application Load Balancer. */
  REGIONAL = 'REGIONAL',
}

/** @internal */
export interface PlatformWebAclProps {
  readonly scope: WebAclScope;
  /** Requests per 5 minutes from one IP before it is blocked. */
  readonly rateLimit: number;
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
    const managed = (priority: number, name: string) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: metric(name),
    });
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      managed(0, 'AWSManagedRulesAmazonIpReputationList'),
      managed(1, 'AWSManagedRulesCommonRuleSet'),
      managed(2, 'AWSManagedRulesKnownBadInputsRuleSet'),
    ];
    if (props.sqlInjection) rules.push(managed(3, 'AWSManagedRulesSQLiRuleSet'));
    rules.push({
      name: 'RateLimitPerIp',
      priority: 10,
      action: { block: {} },
      statement: { rateBasedStatement: { limit: props.rateLimit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
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
    this.logKey.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
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
